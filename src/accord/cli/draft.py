"""``accord draft``: a scenario drafted from news text, or the changes a new article suggests."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.common import app, err, out, user_errors
from accord.errors import UserError

if TYPE_CHECKING:
    from accord.draft.build import Draft
    from accord.draft.update import Patch
    from accord.scenario import Quantity


class Engine(StrEnum):
    """Which drafting engine reads the text."""

    offline = "offline"
    llm = "llm"


class DiffForm(StrEnum):
    """How ``--update`` shows the proposed changes."""

    table = "table"
    yaml = "yaml"


@app.command()
def draft(
    articles: Annotated[list[str], typer.Argument(
        metavar="ARTICLE", help="Plain-text articles (UTF-8), .html pages (reduced to "
        "their text), or - for standard input.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where to write the draft (.yaml or .json; default: stdout). "
        "With --update: where to write the YAML patch.")] = None,
    engine: Annotated[Engine, typer.Option(help="offline: rules over sentences, nothing "
                                           "downloaded; llm: an endpoint you name.")]
        = Engine.offline,
    issues: Annotated[Path | None, typer.Option(
        "--issues", help="YAML list of your issues {id, label, low, high} (default: proposed "
        "from the text).")] = None,
    gazetteer: Annotated[Path | None, typer.Option(
        "--gazetteer", help="YAML file of your own actors and aliases (actors: a list of "
        "{id, name, aliases, demonyms}); yours take precedence.")] = None,
    title: Annotated[str | None, typer.Option(help="Title of the drafted scenario.")] = None,
    update: Annotated[str | None, typer.Option(
        "--update", metavar="SCENARIO", help="Compare with this scenario and propose the "
        "changes (new actors, changed stances with the new evidence).")] = None,
    write: Annotated[bool, typer.Option(
        "--write", help="With --update: apply the changes to the scenario file (atomically; "
        "YAML comments are not kept).")] = False,
    diff: Annotated[DiffForm, typer.Option(
        "--diff", help="With --update and no -o: a side-by-side table or the YAML patch on "
        "stdout.")] = DiffForm.table,
    llm_url: Annotated[str | None, typer.Option(
        "--llm-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 (key "
        "from ACCORD_LLM_API_KEY or OPENAI_API_KEY).")] = None,
    llm_model: Annotated[str | None, typer.Option("--llm-model", help="Model name at the "
                                                  "endpoint.")] = None,
    llm_timeout: Annotated[float, typer.Option("--llm-timeout", min=0.1, help="Seconds to "
                                               "wait for each answer.")] = 120.0,
    llm_retries: Annotated[int, typer.Option("--llm-retries", min=0, help="Retries after a "
                                             "timeout, an error or a malformed answer.")] = 2,
) -> None:
    """Draft a scenario from news articles: actors, issues, stances with verbatim evidence.

    Every number is a wide range with the note "drafted from text; check"; hedged or
    anonymously sourced statements get wider ranges. A summary on stderr lists what was found
    and what needs your judgement. With --update SCENARIO the draft is compared with an
    existing scenario instead; the file changes only with --write.
    """
    from accord import draft as drafting
    from accord.fileio import write_text
    from accord.scenario import dumps

    with user_errors():
        if write and update is None:
            raise UserError("--write applies the changes of --update SCENARIO; give --update")
        if engine is Engine.offline and (llm_url or llm_model):
            raise UserError("--llm-url and --llm-model are for --engine llm")
        settings = None
        if engine is Engine.llm:
            from accord.draft.llm import LLMSettings

            if not llm_url or not llm_model:
                raise UserError("--engine llm needs --llm-url and --llm-model (nothing is "
                                "sent anywhere unless you name an endpoint)")
            settings = LLMSettings(url=llm_url, model=llm_model, timeout=llm_timeout,
                                   retries=llm_retries)
        if articles.count("-") > 1:
            raise UserError("standard input (-) can be read once")
        texts = [drafting.read_article(a) for a in articles]
        result = drafting.draft(texts, engine=engine.value, issues=issues,
                                gazetteer=gazetteer, llm=settings, title=title)
        if update is None:
            fmt = "yaml"
            if output is not None:
                fmt = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(
                    output.suffix.lower(), "")
                if not fmt:
                    raise UserError(f"{output}: the draft is written as .yaml, .yml or .json")
            text = dumps(result.scenario, fmt)
            if output is None:
                out.print(text, end="")
            else:
                write_text(output, text)
        else:
            _update(update, result, output, write, diff)
    for line in result.summary.lines():
        err.print(line)
    if update is None and output is not None:
        err.print(f"wrote {output}; check it, then: accord validate {output}")


def _update(ref: str, result: "Draft", output: Path | None, write: bool, diff: DiffForm
            ) -> None:
    import yaml

    from accord.cli.common import load_scenario
    from accord.draft import update as updating
    from accord.fileio import write_text
    from accord.scenario import dumps, format_for

    path = Path(ref)
    if not path.exists():
        raise UserError(f"{ref}: no such scenario file")
    scenario = load_scenario(ref)
    patch = updating.propose(scenario, result)
    patch_text = yaml.safe_dump(patch.to_data(), sort_keys=False, allow_unicode=True,
                                width=100)
    if output is not None:
        write_text(output, patch_text)
        err.print(f"wrote the patch to {output}")
    elif diff is DiffForm.yaml:
        out.print(patch_text, end="")
    else:
        _table(patch)
    if write:
        if patch.empty:
            err.print(f"{ref}: nothing to change")
            return
        fmt = format_for(path)
        sources = [s.model_dump(exclude_defaults=True) for s in result.scenario.sources]
        new = updating.apply(scenario, patch, sources)
        write_text(path, dumps(new, fmt))
        err.print(f"updated {ref}: {len(patch.add_issues)} issues, {len(patch.add_actors)} "
                  f"actors added, {len(patch.edits)} stances set (comments are not kept)")
    elif not patch.empty:
        err.print(f"{ref} is unchanged; add --write to apply these changes")


def _table(patch: "Patch") -> None:
    from rich.table import Table

    def cell(q: "Quantity | None") -> str:
        if q is None:
            return "—"
        rng = f" ({q.low:g}–{q.high:g})" if q.low is not None and q.high is not None else ""
        ev = f"\n“{q.evidence}”" if q.evidence else ""
        return f"{q.value:g}{rng}{ev}"

    for issue in patch.add_issues:
        out.print(f"new issue {issue['id']}: {issue.get('label', '')} "
                  f"(0 = {issue.get('low')}; 100 = {issue.get('high')})")
    for actor in patch.add_actors:
        out.print(f"new actor {actor['id']} ({actor.get('name', actor['id'])}) on "
                  f"{', '.join(actor['position'])}")
    if patch.changes:
        table = Table("actor", "issue", "now", "proposed", "why", show_lines=True)
        for c in patch.changes:
            table.add_row(c.actor, c.issue, cell(c.old),
                          cell(c.position) if c.kind != "confirmed" else "(keep)",
                          c.why if c.kind != "confirmed" else f"{c.why}:\n“{c.position.evidence}”")
        out.print(table)
    if patch.empty:
        out.print("no changes proposed")
