"""The ledger under failure and load: real processes killed mid-write, many writers at once.

Children are forked (os.fork) so they start in milliseconds with everything imported; each
opens its own connection to the ledger after the fork.
"""

from __future__ import annotations

import os
import random
import signal
import time
import traceback

import numpy as np
import pytest
from test_ledger import fake_result

from accord.ledger import Ledger, make_question
from accord.ledger.db import forecasts, questions, runs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _child(fn) -> int:  # type: ignore[no-untyped-def]
    """Fork; the child runs fn() and exits 0, or prints the error and exits 1."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            fn()
        except BaseException:
            traceback.print_exc()
            code = 1
        os._exit(code)
    return pid


def test_sigkill_mid_record_leaves_whole_records_or_none(ledger_url: str) -> None:
    """Kill a recording process at random moments, many times: every run in the ledger has
    all its forecasts, full draws and its question; nothing half-written is left."""
    n_draws = 4000
    rng = np.random.default_rng(1)
    models = ("compromise", "median", "nash")
    result = fake_result({m: [50, 5] for m in models},
                         {m: rng.uniform(0, 10, (n_draws, 2)) for m in models})
    with Ledger.open(ledger_url) as ledger:  # schema in place, statements compiled (the
        ledger.record(result)                # children inherit the cache)
    pick = random.Random(7)
    kills = 0
    for round_ in range(15):
        ready, tell = os.pipe()

        def record_forever(round_: int = round_, tell: int = tell) -> None:
            with Ledger.open(ledger_url) as ledger:
                for k in range(10_000):
                    spec = make_question(result.scenario, "territory",
                                         title=f"round {round_} record {k}")
                    ledger.record(result, note=f"{round_}/{k}", questions_asked=[spec])
                    if k == 0:  # from here on, every moment is mid-recording or between two
                        os.write(tell, b"!")

        pid = _child(record_forever)
        os.close(tell)
        assert os.read(ready, 1) == b"!"
        os.close(ready)
        time.sleep(pick.uniform(0.0, 0.05))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        kills += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert kills == 15  # every child was killed while still recording
    with Ledger.open(ledger_url) as ledger, ledger.engine.connect() as conn:
        import sqlalchemy as sa

        run_ids = conn.execute(sa.select(runs.c.id)).scalars().all()
        per_run = dict(conn.execute(sa.select(forecasts.c.run_id, sa.func.count())
                                    .group_by(forecasts.c.run_id)).all())
        sizes = conn.execute(sa.select(sa.func.length(forecasts.c.draws))).scalars().all()
        asked = dict(conn.execute(sa.select(questions.c.run_id, sa.func.count())
                                  .group_by(questions.c.run_id)).all())
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert len(run_ids) > 15  # the parent's record and at least one per child
    assert all(per_run.get(r) == len(models) * 2 for r in run_ids)
    assert set(per_run) == set(run_ids)
    assert set(sizes) == {n_draws * 8}
    children = [r for r in run_ids if r != min(run_ids)]  # the parent's record asked nothing
    assert all(asked.get(r) == 1 for r in children) and set(asked) == set(children)


def test_eight_processes_record_one_hundred_each_into_one_sqlite_file(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    result = fake_result({"compromise": [50, 5], "median": [40, 4]})
    err = tmp_path / "errors"
    err.mkdir()

    def record_hundred(worker: int) -> None:
        os.dup2(os.open(err / f"{worker}.txt", os.O_WRONLY | os.O_CREAT), 2)
        with Ledger.open(url) as ledger:  # the first opener creates the schema
            for k in range(100):
                ledger.record(result, analyst=f"w{worker}", note=str(k))

    pids = [_child(lambda w=w: record_hundred(w)) for w in range(8)]
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    messages = "".join(p.read_text() for p in sorted(err.iterdir()))
    assert codes == [0] * 8, messages
    assert "locked" not in messages
    with Ledger.open(url) as ledger:
        assert ledger.counts()["runs"] == 800
        notes = {(r["analyst"], r["note"]) for r in ledger.list_runs()}
    assert notes == {(f"w{w}", str(k)) for w in range(8) for k in range(100)}
