"""The one base class of every user mistake.

Everything a user can get wrong (a scenario file, a model name or option, a shock, an analysis
request, a ledger question, an article to draft from) raises a subclass of :class:`AccordError`.
The CLI catches ``AccordError`` and exits with code 2 and a message; the web app answers 4xx.
Anything else that escapes is a bug in accord, not a mistake of the user.

This module imports nothing from accord, so every layer can use it.
"""

from __future__ import annotations


class AccordError(Exception):
    """A mistake in what the user asked for or gave; shown as a message, never a traceback.

    ``lines()`` gives the message as the lines to print (one per problem where there are
    several); subclasses with structured problems override it.
    """

    def lines(self) -> list[str]:
        return [f"error: {self}"]


class ModelSpecError(AccordError, ValueError):
    """A model name, preset or option the registry does not know."""


class ShockError(AccordError, ValueError):
    """A shock that cannot be read or applied."""


class AnalysisError(AccordError, ValueError):
    """A request the analysis cannot carry out as asked (e.g. a threshold on an unknown issue)."""


class UserError(AccordError):
    """Any other mistake in a command's arguments (a missing file, a bad KEY=VALUE)."""


class DraftError(AccordError, ValueError):
    """An article, gazetteer, issues file or LLM endpoint that drafting cannot use as given."""


class LedgerError(AccordError, ValueError):
    """A ledger request that cannot be carried out: an unknown question or run, a value
    outside the issue's scale, a date that cannot be read, a question resolved twice, a
    ledger URL that cannot be opened or whose schema this version does not know."""
