"""The forecast ledger: record forecasts, the questions they answer and what happened, and
score them (shared/DESIGN.md, "The ledger: forecasts on the record").

    from accord.ledger import Ledger, make_question
    with Ledger.open() as ledger:                 # default: SQLite in the user data dir
        run, (q,) = ledger.record(result, questions_asked=[
            make_question(result.scenario, "ceasefire<50", deadline="2025-12-31")])
        ledger.resolve(q, value=100, on="2026-01-02", source="news reports")
        scores = ledger.score(by="model")

Storage, schema and locking: :mod:`accord.ledger.db`; records, questions, resolutions,
history, export and import: :mod:`accord.ledger.store` (the database reads and writes), with
:mod:`accord.ledger.questions` (questions, ids, dates) and :mod:`accord.ledger.documents`
(rows and documents, built without the database); the scores: :mod:`accord.ledger.scoring`.
"""

from accord.errors import LedgerError
from accord.ledger.db import ENV_VAR, default_url, head_revision
from accord.ledger.scoring import GroupScore, ScoredRows, score
from accord.ledger.store import Ledger, QuestionSpec, make_question, parse_date, upgrade_ledger

__all__ = [
    "ENV_VAR",
    "GroupScore",
    "Ledger",
    "LedgerError",
    "QuestionSpec",
    "ScoredRows",
    "default_url",
    "head_revision",
    "make_question",
    "parse_date",
    "score",
    "upgrade_ledger",
]
