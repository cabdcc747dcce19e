"""Capital lock-up across legal entities: 15c3-1(c)(2)(i)(G).

Net worth excludes any capital contribution intended to be withdrawn within one
year, and a withdrawal within one year of the contribution is deemed so
intended (unless the examining authority approves it in writing).  Capital put
into a broker-dealer therefore stays there for a year.  When activity moves
between separately registered subsidiaries, each must keep the capital its peak
required, while one consolidated entity nets the shifts.

`simulate_lockup` runs a day-by-day policy for each entity and for the
consolidated entity:

* if the capital held is below the day's requirement, the shortfall is
  contributed that day, as a new lot;
* a lot can be withdrawn from the first day after the anniversary of its
  contribution (a contribution of 2024-03-15 is free on 2025-03-16; one of
  2024-02-29 on 2025-03-01).  netcap counts the year in calendar terms and takes
  the day after the anniversary, so that no withdrawal falls "within one year";
* with ``policy="withdraw"`` (default) every free dollar above the day's
  requirement is withdrawn; with ``policy="retain"`` nothing is ever withdrawn.

The withdraw policy has no foresight: it gives back free capital that a later
spike might need, and the new contribution then locks for another year.  It is
the natural day-by-day treasury rule, not an optimum over the whole path (no
single path is lowest every day).  See docs/whatif.md.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from netcap.money import MAX_AMOUNT
from netcap.rule.tables import load_schedule

__all__ = [
    "CITATION",
    "LockupResult",
    "free_date",
    "lockup_months",
    "read_requirements",
    "simulate_lockup",
]

CITATION = "15c3-1(c)(2)(i)(G)"


def lockup_months(on: date | None = None) -> int:
    """Months a contribution stays in, 15c3-1(c)(2)(i)(G)(2) (``haircut_tables/lockup.csv``)."""
    return int(load_schedule("lockup", on).rate("contribution_lockup_months"))


Policy = Literal["withdraw", "retain"]


def free_date(contributed: date, months: int = 12) -> date:
    """First day a contribution made on ``contributed`` may be withdrawn without approval.

    The day after the anniversary (a contribution of Feb 29 has its anniversary
    on Feb 28 and is free on Mar 1).
    """
    anniversary: date = contributed + relativedelta(months=months)
    return anniversary + timedelta(days=1)


@dataclass(frozen=True)
class LockupResult:
    """Capital each entity holds day by day, and the consolidated entity's."""

    required: pd.DataFrame
    held: pd.DataFrame
    contributions: pd.DataFrame
    withdrawals: pd.DataFrame
    consolidated_required: pd.Series
    consolidated_held: pd.Series
    policy: str

    @property
    def separate_total(self) -> pd.Series:
        """Capital held across all the separate entities, per day."""
        return self.held.sum(axis=1).rename("separate")

    @property
    def excess(self) -> pd.Series:
        """Capital the separate structure holds beyond the consolidated entity, per day."""
        return (self.separate_total - self.consolidated_held).rename("excess")

    def summary(self) -> dict[str, float]:
        """Peaks, average capital held and the ratio of the structures."""
        sep, con = self.separate_total, self.consolidated_held
        return {
            "peak_separate": float(sep.max()),
            "peak_consolidated": float(con.max()),
            "mean_separate": float(sep.mean()),
            "mean_consolidated": float(con.mean()),
            "peak_ratio": float(sep.max() / con.max()) if con.max() > 0 else float("nan"),
            "max_excess": float(self.excess.max()),
        }

    def frame(self) -> pd.DataFrame:
        """Per day: capital held by each entity, their total, the consolidated entity, excess."""
        out = self.held.copy()
        out["separate"] = self.separate_total
        out["consolidated"] = self.consolidated_held
        out["excess"] = self.excess
        return out

    def _repr_html_(self) -> str:
        from netcap.display import to_html  # noqa: PLC0415 (display only)

        return to_html(self)


def _days(index: pd.Index) -> list[date]:
    try:
        days = [pd.Timestamp(d).date() for d in index]
    except (TypeError, ValueError):
        raise ValueError("requirements: the index must be dates") from None
    for i in range(1, len(days)):
        if days[i] <= days[i - 1]:
            raise ValueError(
                f"requirements row {i}: date {days[i]} does not follow {days[i - 1]} "
                "(dates must increase)"
            )
    return days


def _run(days: list[date], req: np.ndarray, policy: Policy, months: int) -> tuple[np.ndarray, ...]:
    """Held, contributed and withdrawn for one entity."""
    n = len(days)
    held, put, took = np.zeros(n), np.zeros(n), np.zeros(n)
    locked: deque[tuple[date, float]] = deque()
    free = 0.0
    for i, day in enumerate(days):
        while locked and locked[0][0] <= day:
            free += locked.popleft()[1]
        total = free + sum(a for _, a in locked)
        if req[i] > total:
            put[i] = req[i] - total
            locked.append((free_date(day, months), put[i]))
            total = req[i]
        elif policy == "withdraw":
            took[i] = min(free, total - req[i])
            free -= took[i]
            total -= took[i]
        held[i] = total
    return held, put, took


def _amounts(requirements: pd.DataFrame) -> np.ndarray:
    """The requirement amounts as floats; true/false and text are NaN (refused by the caller)."""
    from netcap.book.frame import _numbers  # noqa: PLC0415 - the book readers' number rule

    if requirements.shape[1] == 0:
        return np.zeros((len(requirements), 0))
    return np.column_stack(
        [
            _numbers(requirements.iloc[:, j]).to_numpy(dtype=float)
            for j in range(requirements.shape[1])
        ]
    )


def read_requirements(path: Path | str) -> pd.DataFrame:
    """Read a requirements CSV (a date column, then one column per legal entity) strictly.

    The book readers' rules apply: UTF-8 text within the size limits; every column
    headed, no header twice, no row longer than the header; dates exactly
    ``YYYY-MM-DD`` (no US order, partial dates or times); amounts plain numbers from 0
    to `netcap.money.MAX_AMOUNT` (no true/false, no blanks).  Every problem raises
    `ValueError` naming the file, line and column.
    """
    from netcap.book.frame import _NOT_A_DATE, _parse_dates  # noqa: PLC0415
    from netcap.book.sheets import read_table  # noqa: PLC0415

    p = Path(path)
    sheet = read_table(p)
    frame = sheet.frame
    if frame.shape[1] < 2:
        raise ValueError(f"{p.name}: need a date column and at least one entity column")
    if frame.empty:
        raise ValueError(f"{p.name}: no rows")
    first = HEADER_LINE + 1
    dates, bad = _parse_dates(frame.iloc[:, 0])
    for r in np.flatnonzero(bad | dates.isna().to_numpy(dtype=bool)):
        raise ValueError(
            f"{p.name} line {int(r) + first}, column {frame.columns[0]!r}: "
            f"{frame.iat[int(r), 0]!r} is {_NOT_A_DATE}"
        )
    amounts = frame.iloc[:, 1:]
    values = _amounts(amounts)
    wrong = np.argwhere(~np.isfinite(values) | (values < 0) | (values > MAX_AMOUNT))
    if len(wrong):
        line, column = int(wrong[0][0]), int(wrong[0][1])
        raise ValueError(
            f"{p.name} line {line + first}, column {amounts.columns[column]!r}: "
            f"{amounts.iat[line, column]!r} is not an amount from 0 to ${MAX_AMOUNT:,.0f}"
        )
    out = pd.DataFrame(values, columns=list(amounts.columns), index=pd.DatetimeIndex(dates))
    out.index.name = str(frame.columns[0])
    return out


HEADER_LINE = 1
"""Line of a requirements CSV that holds the column headers."""


def simulate_lockup(requirements: pd.DataFrame, *, policy: Policy = "withdraw") -> LockupResult:
    """Capital held per entity (columns) per day (rows, increasing dates) under the lock-up.

    ``requirements`` gives each legal entity's required capital on each day
    (non-negative dollars).  The consolidated entity is required the row sum.
    Days need not be consecutive; the lock-up runs in calendar days.
    """
    if policy not in ("withdraw", "retain"):
        raise ValueError(f"policy {policy!r}: use 'withdraw' or 'retain'")
    if requirements.empty:
        raise ValueError("requirements: no rows")
    days = _days(requirements.index)
    values = _amounts(requirements)
    bad = np.argwhere(~np.isfinite(values) | (values < 0) | (values > MAX_AMOUNT))
    if len(bad):
        r, c = bad[0]
        raise ValueError(
            f"requirements row {r} ({days[r]}), column {requirements.columns[c]!r}: "
            f"{requirements.iat[r, c]!r} is not an amount from 0 to ${MAX_AMOUNT:,.0f}"
        )
    months = lockup_months(days[0])
    cols = {
        name: _run(days, values[:, j], policy, months)
        for j, name in enumerate(requirements.columns)
    }
    consolidated = values.sum(axis=1)
    con_held, _, _ = _run(days, consolidated, policy, months)
    index = requirements.index
    return LockupResult(
        required=requirements.astype(float),
        held=pd.DataFrame({k: v[0] for k, v in cols.items()}, index=index),
        contributions=pd.DataFrame({k: v[1] for k, v in cols.items()}, index=index),
        withdrawals=pd.DataFrame({k: v[2] for k, v in cols.items()}, index=index),
        consolidated_required=pd.Series(consolidated, index=index, name="consolidated"),
        consolidated_held=pd.Series(con_held, index=index, name="consolidated"),
        policy=policy,
    )
