"""What the pages and the JSON API share: the store as a FastAPI dependency, the checks of a
request against the server's limits, and starting a forecast as a job.

Computes nothing: scenarios are validated by :mod:`accord.scenario`, forecasts run by
:func:`accord.report.build` over :mod:`accord.analysis` in the store's worker processes
(:mod:`accord.web.workers`: killed at the wall-clock limit), their cost estimated by
:func:`accord.analysis.estimated_seconds` from the models' declared costs.
Every refusal is an :class:`ApiError` with a 4xx status and a message that says what to
change; the app turns it into JSON under ``/api`` and a page elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Request

from accord import analysis
from accord import examples as builtin
from accord import shocks as shock_edits
from accord.analysis.calibration import CalibrationSet
from accord.errors import ModelSpecError, ShockError
from accord.scenario import Scenario, ScenarioError, loads
from accord.web import editor
from accord.web.store import Busy, Draft, Job, Limits, Store, new_job_id
from accord.web.workers import ForecastTask


class ApiError(Exception):
    """A request the server will not do: status code, message, and maybe the problems."""

    def __init__(self, status: int, detail: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []


def problems_of(err: ScenarioError) -> list[dict[str, Any]]:
    return [{"path": p.path, "line": p.line, "message": p.message} for p in err.problems]


def plain(data: Any) -> Any:
    """YAML data with dates as ISO text (as the scenario loaders do)."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, dt.date | dt.datetime):
        return data.isoformat()
    return data


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.0f} hours"


class Service:
    """The server's rules over its store: limits, scenarios, jobs."""

    def __init__(self, store: Store, calibrations: CalibrationSet | None = None) -> None:
        self.store = store
        self.limits: Limits = store.limits
        self.calibrations = calibrations  # the predictive intervals' model-error terms

    # ------------------------------------------------------------- scenarios

    def example(self, name: str) -> Scenario:
        if name not in builtin.example_names():
            raise ApiError(404, f"no example named {name!r}; the examples are: "
                                f"{', '.join(builtin.example_names())}")
        return builtin.example(name)

    def scenario(self, data: dict[str, Any] | None, text: str | None, fmt: str,
                 example: str | None) -> Scenario:
        """The scenario given as data, as text in ``fmt``, or by an example's name."""
        given = [x for x in (data, text, example) if x is not None]
        if len(given) != 1:
            raise ApiError(422, "give exactly one of: scenario (data), text (with format), "
                                "example (a name)")
        try:
            if example is not None:
                sc = self.example(example)
            elif text is not None:
                sc = loads(text, fmt, "scenario")
            else:
                checked, problems = editor.check(data)
                if checked is None:
                    raise ScenarioError(problems)
                sc = checked
        except ScenarioError as e:
            n = len(e.problems)
            raise ApiError(422, f"the scenario has {n} problem{'s' if n != 1 else ''}",
                           problems_of(e)) from None
        self.check_size(sc)
        return sc

    def check_size(self, sc: Scenario) -> None:
        if len(sc.actors) > self.limits.max_actors:
            raise ApiError(422, f"the scenario has {len(sc.actors)} actors; this server takes "
                                f"at most {self.limits.max_actors}")
        if len(sc.issues) > self.limits.max_issues:
            raise ApiError(422, f"the scenario has {len(sc.issues)} issues; this server takes "
                                f"at most {self.limits.max_issues}")

    def too_big(self, data: dict[str, Any]) -> None:
        """Refuse raw scenario data with more actors or issues than the server takes."""
        for key, most in (("actors", self.limits.max_actors),
                          ("issues", self.limits.max_issues)):
            items = data.get(key)
            if isinstance(items, list) and len(items) > most:
                raise ApiError(422, f"the scenario has {len(items)} {key}; this server takes "
                                    f"at most {most}")

    # ------------------------------------------------------------- a forecast's request

    def plan(self, models: list[str] | None, draws: int, options: dict[str, Any]
             ) -> analysis.ModelPlan:
        limits = self.limits
        if draws < 1:
            raise ApiError(422, f"draws must be at least 1, got {draws}")
        if draws > limits.max_draws:
            raise ApiError(422, f"draws {draws} is above this server's limit of "
                                f"{limits.max_draws}")
        if models is not None and len(models) > limits.max_models:
            raise ApiError(422, f"{len(models)} models asked; this server runs at most "
                                f"{limits.max_models} at once")
        if models is not None and not models:
            raise ApiError(422, "choose at least one model")
        try:
            plan = analysis.plan_models(models, {k: str(v) for k, v in options.items()})
        except ModelSpecError as e:
            raise ApiError(422, str(e)) from None
        if len(plan.models) > limits.max_models:
            raise ApiError(422, f"{len(plan.models)} models to run; this server runs at "
                                f"most {limits.max_models} at once")
        return plan

    def thresholds(self, sc: Scenario, texts: Sequence[str], draws: int) -> list[Any]:
        war = [t for t in texts if analysis.is_war_event(t)]  # "agreement<=2025-12-31"
        try:
            parsed = [analysis.parse_threshold(t, sc.issue_ids) for t in texts if t not in war]
            events = [analysis.parse_war_event(t).text for t in war]  # forecast() reads them
        except analysis.AnalysisError as e:
            raise ApiError(422, str(e)) from None
        if parsed and draws < 2:
            raise ApiError(422, "a probability needs Monte Carlo draws: set draws to 2 or "
                                "more (e.g. 2000)")
        return [*parsed, *events]

    def shocks(self, sc: Scenario, shocks: Sequence[str]) -> list[str]:
        """Check shocks (names of the scenario's or edits) before running: a shock that
        cannot be applied is the user's to fix."""
        try:
            for name, edits in shock_edits.resolve(sc, list(shocks)).items():
                shock_edits.apply_edits(sc, edits, name)
        except ShockError as e:
            raise ApiError(422, f"shock: {e}") from None
        except ScenarioError as e:
            raise ApiError(422, "a shock makes the scenario invalid", problems_of(e)) from None
        return list(shocks)

    def sensitivity(self, sc: Scenario, wanted: bool) -> bool:
        if wanted and not analysis.scenario_inputs(sc, "ranged"):
            raise ApiError(422, "the scenario has no ranged inputs (low/high) for a "
                                "sensitivity analysis")
        return wanted

    # ------------------------------------------------------------- jobs

    def start_job(self, sc: Scenario, plan: analysis.ModelPlan, draws: int, seed: int,
                  draft_id: str | None = None, thresholds: Sequence[Any] = (),
                  shocks: Sequence[str] = (), sensitivity: bool = False) -> Job:
        """Run a forecast (with its shocks and sensitivity) as a job in a worker process,
        after checking its estimated CPU time against the budget; the worker is killed if
        the job passes ``max_job_seconds``."""
        limits = self.limits
        shocks = list(shocks)
        cost = analysis.estimated_seconds(sc, plan, draws, len(shocks), sensitivity)
        if cost > limits.max_cost_seconds:
            extra = "".join([f", {len(shocks)} shocks" if shocks else "",
                             ", sensitivity" if sensitivity else ""])
            raise ApiError(422, f"this forecast would take about {duration(cost)} of CPU "
                                f"({draws} draws of {len(sc.actors)} actors × {len(sc.issues)} "
                                f"issues for {len(plan.models)} models{extra}, at each model's "
                                "declared cost); this server's limit (max_cost_seconds) is "
                                f"{limits.max_cost_seconds:g} s per forecast: use fewer draws, "
                                "models, rounds or actors")
        n = len(plan.models)
        total = n * (1 + len(shocks)) + (n if sensitivity else 0)
        job = Job(new_job_id(), draft_id, plan.labels, draws, seed)
        task = ForecastTask(sc, plan, draws, seed, tuple(thresholds), tuple(shocks),
                            sensitivity, self.calibrations, total)
        try:
            return self.store.submit(job, task)
        except Busy:
            raise ApiError(429, f"{limits.max_active_jobs} forecasts are already queued or "
                                "running; try again when one has finished") from None

    def job(self, job_id: str) -> Job:
        job = self.store.job(job_id)
        if job is None:
            raise ApiError(404, "no such job (finished jobs are forgotten after a while)")
        return job

    def draft(self, draft_id: str) -> Draft:
        draft = self.store.draft(draft_id)
        if draft is None:
            raise ApiError(404, "no such scenario draft (drafts live in the server's memory "
                                "and are gone after a restart)")
        return draft


def get_store(request: Request) -> Store:
    """The app's store (``app.state.store``), as a FastAPI dependency."""
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


def get_service(request: Request, store: StoreDep) -> Service:
    return Service(store, getattr(request.app.state, "calibrations", None))


ServiceDep = Annotated[Service, Depends(get_service)]
