"""Scale-out: map `netcap.compute` over many entities or scenarios.

The computation for one entity (or one scenario of one entity) is a pure
function of its book and its position frame, so a set of them parallelizes
without coordination.  `compute_many` runs the set serially, on a Dask
cluster (pass a ``distributed.Client``), or with ``dask.delayed`` on the local
scheduler, and returns one row of headline figures per entity.

Dask is optional (``pip install netcap[scale]``); it is imported only when a
client or ``scheduler`` is given.  See docs/scale-out.md for Spark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from netcap.book.firm import Book
from netcap.rule.computation import ComputeOptions, NetCapitalResult, compute

__all__ = ["SUMMARY_COLUMNS", "Job", "compute_many", "summarize"]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "entity",
    "as_of",
    "positions",
    "tentative_net_capital",
    "total_haircuts",
    "net_capital",
    "requirement",
    "excess",
)
"""Columns of the frame `compute_many` returns, in order."""


@dataclass(frozen=True)
class Job:
    """One computation: a book, optionally its validated position frame, and options."""

    book: Book
    positions: pd.DataFrame | None = None
    options: ComputeOptions | None = None


def summarize(entity: str, result: NetCapitalResult) -> dict[str, Any]:
    """The headline figures of one result, as one row of `SUMMARY_COLUMNS`."""
    return {
        "entity": entity,
        "as_of": result.as_of,
        "positions": len(result.haircuts.detail),
        "tentative_net_capital": result.tentative_net_capital,
        "total_haircuts": float(result.haircuts.after_tentative),
        "net_capital": result.net_capital,
        "requirement": float(result.requirement.amount),
        "excess": result.excess_net_capital,
    }


def _run(entity: str, job: Job) -> dict[str, Any]:
    """Compute one job and keep its headline figures (a pure, picklable function)."""
    return summarize(entity, compute(job.book, job.options, positions=job.positions))


def _jobs(items: Mapping[str, Job | Book] | Sequence[Job | Book]) -> list[tuple[str, Job]]:
    pairs = list(items.items()) if isinstance(items, Mapping) else list(enumerate(items))
    out = []
    for key, item in pairs:
        job = item if isinstance(item, Job) else Job(book=item)
        out.append((str(key), job))
    return out


def compute_many(
    items: Mapping[str, Job | Book] | Sequence[Job | Book],
    *,
    client: Any | None = None,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Compute every entity or scenario; one row each, in input order.

    ``items`` maps an entity (or scenario) name to a `Job` or a
    `Book`; a sequence is named by position.

    * ``client``: a ``distributed.Client``; jobs are sent with ``client.map``
      (each job is pickled to a worker once) and gathered.
    * ``scheduler``: without a client, ``"threads"``, ``"processes"`` or
      ``"synchronous"`` runs the jobs as ``dask.delayed`` tasks on that local
      scheduler.
    * neither: a plain serial loop (no Dask needed).

    Any error in a job is raised, naming nothing less than the original error.
    """
    jobs = _jobs(items)
    names = [name for name, _ in jobs]
    if len(set(names)) != len(names):
        raise ValueError("entity names must be unique")
    if client is not None:
        futures = client.map(_run, names, [job for _, job in jobs], pure=False)
        rows = client.gather(futures)
    elif scheduler is not None:
        from dask.base import compute as dask_compute  # noqa: PLC0415 (optional dependency)
        from dask.delayed import delayed  # noqa: PLC0415

        tasks = [delayed(_run, pure=True)(name, job) for name, job in jobs]
        rows = list(dask_compute(*tasks, scheduler=scheduler))  # type: ignore[no-untyped-call]
    else:
        rows = [_run(name, job) for name, job in jobs]
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
