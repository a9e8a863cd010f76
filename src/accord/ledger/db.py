"""The ledger's database: where it is, how it is opened, its schema and its migrations.

- Where: an SQLAlchemy URL from the caller (``--ledger URL``), else ``ACCORD_LEDGER``, else an
  SQLite file ``ledger.sqlite`` in the user data directory (``platformdirs``). PostgreSQL
  URLs (``postgresql://…``) use psycopg 3.
- SQLite is opened in WAL mode (readers never wait for the writer), with foreign keys on and
  a busy timeout; every write transaction starts with ``BEGIN IMMEDIATE`` so two writers
  queue at the start rather than fail half-way. A write that still meets "database is
  locked" is retried with exponential backoff (:func:`retrying`), so the user never sees it.
- Schema: Alembic revisions in ``migrations/versions``. Opening a ledger applies the missing
  ones (a new ledger gets them all) inside one transaction, serialised between processes
  (SQLite's write lock; a PostgreSQL advisory lock); a ledger whose revision this version of
  accord does not know (written by a newer one) is refused with a message.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from accord.errors import LedgerError

ENV_VAR = "ACCORD_LEDGER"
MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000
RETRIES = 12  # backoff 0.02 s doubling, capped at 1 s: about 8 s of waiting in all
T = TypeVar("T")

metadata = sa.MetaData()

# The head schema (the state after every revision in migrations/versions). Queries use these
# tables; the revisions create them, never metadata.create_all.
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uid", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("analyst", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("source", sa.String(1000), nullable=False),
    sa.Column("scenario_yaml", sa.Text, nullable=False),
    sa.Column("scenario_hash", sa.String(64), nullable=False),
    sa.Column("models", sa.JSON, nullable=False),
    sa.Column("thresholds", sa.JSON, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("draws", sa.Integer, nullable=False),
    sa.Column("accord_version", sa.String(40), nullable=False),
    sa.Column("calibration", sa.JSON),
)
QUANTILE_COLUMNS = ("q05", "q10", "q50", "q90", "q95")
PREDICTIVE_COLUMNS = ("p05", "p10", "p50", "p90", "p95")
forecasts = sa.Table(
    "forecasts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("issue", sa.String(200), nullable=False),
    sa.Column("point", sa.Float),
    sa.Column("mean", sa.Float),
    *(sa.Column(q, sa.Float) for q in QUANTILE_COLUMNS),
    sa.Column("draws", sa.LargeBinary),
    *(sa.Column(p, sa.Float) for p in PREDICTIVE_COLUMNS),
    sa.Column("predictive_draws", sa.LargeBinary),
)
questions = sa.Table(
    "questions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uid", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("analyst", sa.String(200), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("scenario", sa.String(500), nullable=False),
    sa.Column("issue", sa.String(200), nullable=False),
    sa.Column("op", sa.String(2)),
    sa.Column("threshold", sa.Float),
    sa.Column("scale_low", sa.Float, nullable=False),
    sa.Column("scale_high", sa.Float, nullable=False),
    sa.Column("deadline", sa.Date),
    sa.Column("criteria", sa.Text, nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
)
resolutions = sa.Table(
    "resolutions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("question_id", sa.Integer, sa.ForeignKey("questions.id", ondelete="CASCADE"),
              nullable=False, unique=True),
    sa.Column("value", sa.Float),
    sa.Column("event", sa.Boolean),
    sa.Column("resolved_on", sa.Date, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("quote", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("analyst", sa.String(200), nullable=False),
)


def default_url() -> str:
    """``ACCORD_LEDGER`` if set, else the SQLite file in the user data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('accord', appauthor=False)) / 'ledger.sqlite'}"


def _normalise(url: str) -> sa.URL:
    """A URL SQLAlchemy can open: a bare path means an SQLite file; ``postgresql://`` and
    ``postgres://`` use psycopg 3."""
    text = url.strip()
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser()}"
    try:
        parsed = sa.make_url(text)
    except (ArgumentError, ValueError):
        raise LedgerError(f"--ledger {url!r} is not a database URL (e.g. "
                          "sqlite:///path/ledger.sqlite or postgresql://user@host/db)"
                          ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_locked(error: BaseException) -> bool:
    """True for SQLite's transient "database is locked"/"busy" errors (worth a retry)."""
    text = str(getattr(error, "orig", error)).lower()
    return isinstance(error, OperationalError) and ("locked" in text or "busy" in text)


def retrying(fn: Callable[[], T], retries: int = RETRIES) -> T:
    """Call ``fn`` (one whole transaction), again after a growing pause while the database
    is locked by another writer; any other error, or the last one, goes to the caller."""
    pause = 0.02
    for attempt in range(retries + 1):
        try:
            return fn()
        except OperationalError as e:
            if not is_locked(e) or attempt == retries:
                raise
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)
    raise AssertionError("unreachable")


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")  # safe in WAL against a killed process
        cur.execute("PRAGMA journal_mode")
        if str(cur.fetchone()[0]).lower() != "wal":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("ledger_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for the URL (SQLite: WAL, foreign keys, BEGIN IMMEDIATE for writes)."""
    parsed = _normalise(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(parsed)
            _sqlite_setup(engine)
            retrying(lambda: engine.connect().close())  # creates the file, sets WAL
        else:
            engine = sa.create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as e:
        hint = (" (install psycopg: pip install 'accord[postgres]')"
                if parsed.get_backend_name() == "postgresql" else "")
        raise LedgerError(f"--ledger {parsed.render_as_string()}: no driver for this "
                          f"database{hint}: {e}") from None
    except OperationalError as e:
        raise LedgerError(f"--ledger {parsed.render_as_string()}: cannot open it: "
                          f"{getattr(e, 'orig', e)}") from None
    return engine


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction (SQLite: BEGIN IMMEDIATE): committed whole when the body ends,
    rolled back whole if it raises. Wrap the caller in :func:`retrying`."""
    with engine.connect() as conn:
        conn = conn.execution_options(ledger_write=True)
        with conn.begin():
            yield conn


# --------------------------------------------------------------------------- migrations


def _alembic_config(conn: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def known_revisions() -> list[str]:
    """Every revision this version knows, oldest first."""
    from alembic.script import ScriptDirectory

    return [s.revision for s in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def check_revision(revision: str | None, where: str) -> None:
    """Refuse a ledger whose schema revision this version of accord does not know."""
    if revision is not None and revision not in known_revisions():
        raise LedgerError(f"{where}: the ledger's schema is revision {revision!r}, which this "
                          f"version of accord does not know (it knows up to "
                          f"{head_revision()!r}); it was written by a newer accord: upgrade "
                          "accord to use it")


def _read_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current_revision(conn)


def upgrade(engine: Engine, where: str, target: str = "head") -> tuple[str | None, str]:
    """Apply the missing migrations (up to ``target``) in one transaction; return the
    revision before and after. Safe when several processes do it at once."""
    from alembic import command

    want = head_revision() if target == "head" else target
    now = retrying(lambda: _read_revision(engine))  # the usual case: up to date, no lock
    check_revision(now, where)
    if now == want:
        return now, want

    def run() -> tuple[str | None, str]:
        with write(engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7715001)")
            before = current_revision(conn)  # again, under the lock: another process may
            check_revision(before, where)    # have upgraded meanwhile
            if before != want:
                command.upgrade(_alembic_config(conn), target)
            return before, want

    return retrying(run)
