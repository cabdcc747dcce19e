"""Scale-out: compute_many on a Dask cluster equals the serial computation."""

from __future__ import annotations

import pandas as pd
import pytest

import netcap
from benchmarks.synthetic import synthetic_book
from netcap.scale import SUMMARY_COLUMNS, Job, compute_many


def _jobs() -> dict[str, Job]:
    jobs = {}
    for seed in range(4):
        sb = synthetic_book(300, seed=seed)
        jobs[f"entity-{seed}"] = Job(book=sb.book, positions=sb.frame)
    return jobs


def test_serial_matches_compute() -> None:
    jobs = _jobs()
    out = compute_many(jobs)
    assert list(out.columns) == list(SUMMARY_COLUMNS)
    assert list(out["entity"]) == list(jobs)
    for (_, row), job in zip(out.iterrows(), jobs.values(), strict=True):
        r = netcap.compute(job.book, positions=job.positions)
        assert row["net_capital"] == r.net_capital
        # the haircuts deducted from tentative net capital ((c)(2)(vi), Appendix A and B);
        # crypto and (vii) positions are deducted above tentative net capital (c)(15)
        assert row["total_haircuts"] == r.haircuts.after_tentative
        assert row["net_capital"] == pytest.approx(
            row["tentative_net_capital"] - r.haircuts.after_tentative
        )


def test_local_cluster_equals_serial() -> None:
    distributed = pytest.importorskip("distributed")
    jobs = _jobs()
    serial = compute_many(jobs)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        parallel = compute_many(jobs, client=client)
    pd.testing.assert_frame_equal(parallel, serial)


def test_process_cluster_equals_serial() -> None:
    """Jobs and results cross a process boundary (pickled), unlike the threaded cluster."""
    distributed = pytest.importorskip("distributed")
    jobs = dict(list(_jobs().items())[:2])
    serial = compute_many(jobs)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        parallel = compute_many(jobs, client=client)
    pd.testing.assert_frame_equal(parallel, serial)


def test_delayed_scheduler_equals_serial() -> None:
    pytest.importorskip("dask")
    jobs = _jobs()
    pd.testing.assert_frame_equal(compute_many(jobs, scheduler="threads"), compute_many(jobs))


def test_plain_books_are_named_by_position() -> None:
    sb = synthetic_book(50)
    book = sb.book.model_copy(update={"positions": ()})
    out = compute_many([book, book])
    assert list(out["entity"]) == ["0", "1"]
    assert (out["positions"] == 0).all()
