"""Seeds, executors and sweeps: how runs get their random streams and where they run.

:func:`sweep` maps a function over many items through any :class:`concurrent.futures.Executor`
(or serially), each item with its own seed from :meth:`numpy.random.SeedSequence.spawn`, so
results do not depend on the executor. :func:`fresh_seed` and :func:`run_model` give every
model run of the analyses its own reproducible stream.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np

from accord.arrays import ScenarioArrays
from accord.errors import AnalysisError
from accord.models.base import BaseModel, Forecast

if TYPE_CHECKING:  # imported where an executor is used (threading, logging: start-up)
    import concurrent.futures as cf

Progress = Callable[[str], None]
Seed = int | np.random.SeedSequence


def fresh_seed(seed: Seed) -> np.random.SeedSequence:
    """A SeedSequence for ``seed`` that has spawned nothing yet (a copy when given one), so
    the children it spawns depend only on the seed, never on earlier use."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key,
                                      pool_size=seed.pool_size)
    return np.random.SeedSequence(seed)


def own_seed(seed: np.random.SeedSequence, *identity: Any) -> np.random.SeedSequence:
    """The child of ``seed`` named by ``identity`` (a model's name and options): a model's
    random stream depends on the seed and on what the model is, never on its place in the
    list of models run with it. The child's spawn key is the seed's plus a 64-bit digest of
    the identity (SHA-256 of its JSON)."""
    text = json.dumps(identity, sort_keys=True, default=str)
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, digest),
                                  pool_size=seed.pool_size)


def run_model(model: BaseModel, arrays: ScenarioArrays, seed: int | np.random.SeedSequence,
              trajectories: bool = True) -> Forecast:
    """One run of a model; ``trajectories = False`` keeps only draw 0's trajectory (issue 12:
    Monte Carlo draws are summarised, not stored round by round)."""
    rng = np.random.default_rng(seed)
    if trajectories or not isinstance(model, BaseModel):
        return model.run(arrays, rng=rng)
    return model.run_draws(arrays, rng=rng, trajectories=False)


T = TypeVar("T")
R = TypeVar("R")
SweepProgress = Callable[[int, int, int], None]  # (index of the item done, done, total)


def sweep(items: Sequence[T], fn: Callable[[T, np.random.SeedSequence], R],
          executor: cf.Executor | None = None, *, seed: int = 0,
          seeds: Sequence[np.random.SeedSequence] | None = None,
          progress: SweepProgress | None = None) -> list[R]:
    """``[fn(item, seed_i) for each item]``, serially or through any Executor.

    Each item gets its own seed: ``SeedSequence(seed).spawn(len(items))`` unless ``seeds``
    gives them, so results do not depend on the executor or the order tasks finish in.
    ``fn`` (and the items) must pickle for a process pool or a Dask cluster: use a
    module-level function or a dataclass instance with ``__call__``. Results come back in
    the items' order; ``progress(index, done, total)`` is called as each one finishes.
    """
    items = list(items)
    spawned = list(seeds) if seeds is not None else np.random.SeedSequence(seed).spawn(
        len(items))
    if len(spawned) != len(items):
        raise ValueError(f"{len(spawned)} seeds for {len(items)} items")
    total = len(items)
    if executor is None:
        out = []
        for k, (item, ss) in enumerate(zip(items, spawned, strict=True)):
            out.append(fn(item, fresh_seed(ss)))
            if progress:
                progress(k, k + 1, total)
        return out
    futures = {executor.submit(fn, item, fresh_seed(ss)): k
               for k, (item, ss) in enumerate(zip(items, spawned, strict=True))}
    results: list[Any] = [None] * total
    import concurrent.futures as cf

    try:
        for done, fut in enumerate(cf.as_completed(futures), start=1):
            k = futures[fut]
            results[k] = fut.result()
            if progress:
                progress(k, done, total)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return results


def _one_thread() -> None:
    """A process-pool worker's start: its model runs use one thread (the pool has a worker
    per core)."""
    os.environ["ACCORD_THREADS"] = "1"


ExecutorKind = Literal["auto", "serial", "thread", "process", "dask"]


@contextmanager
def make_executor(kind: ExecutorKind = "serial", workers: int | None = None,
                  scheduler: str | None = None) -> Iterator[cf.Executor | None]:
    """An executor for :func:`sweep` (None for serial), shut down on exit.

    ``auto``: a process pool of one worker per core (``workers`` if given) where the machine
    has more than one, else serial; each worker plays a model's blocks of draws in turn
    (``ACCORD_THREADS=1``: the cores are taken by the workers). The results depend on
    neither (:func:`sweep`).

    ``dask`` needs the optional extra ``accord[dask]``: with ``scheduler`` (an address such
    as ``tcp://10.0.0.5:8786``) it uses that cluster, else a local cluster of ``workers``
    processes.
    """
    if kind == "auto":
        cores = workers or os.cpu_count() or 1
        if cores > 1:
            import concurrent.futures as cf

            with cf.ProcessPoolExecutor(max_workers=cores, initializer=_one_thread) as ex:
                yield ex
            return
        kind = "serial"
    if kind == "serial":
        yield None
        return
    import concurrent.futures as cf

    if kind == "thread":
        with cf.ThreadPoolExecutor(max_workers=workers) as ex:
            yield ex
        return
    if kind == "process":
        with cf.ProcessPoolExecutor(max_workers=workers) as ex:
            yield ex
        return
    if kind != "dask":
        raise AnalysisError(f"unknown executor {kind!r}; choose auto, serial, thread, process or "
                            "dask")
    try:
        from distributed import Client
    except ImportError:
        raise AnalysisError("the dask executor needs the optional extra: "
                            "pip install 'accord[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as e:
            raise AnalysisError(f"cannot reach the Dask scheduler at {scheduler}: {e}"
                                ) from None
    else:
        client = Client(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=None)
    try:
        yield client.get_executor()
    finally:
        client.close()
