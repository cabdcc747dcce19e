"""Rule parameters as data: the CSV tables in ``haircut_tables/``.

Every table is a CSV file with one row per bucket.  The columns every table
shares are

``table``           which schedule the row belongs to (e.g. ``government``)
``key``             the row's key inside its table (bucket or parameter name)
``lower``/``upper`` the bucket's bounds, lower inclusive, upper exclusive
                    (blank ``upper`` means no upper bound)
``unit``            what the bounds measure: ``months``, ``days``, ``years`` or ``none``
``rate``            the percentage as a decimal fraction (0.045 for 4½%); a ratio
                    limit may exceed 1 (15.0 for 1500%); blank where ``amount`` is set
``amount``          (optional column) a dollar amount, for fixed-dollar parameters
``citation``        the paragraph of 17 CFR 240.15c3-1 (or its appendix) the row states
``effective_from``  the first date the row applies (ISO date)
``effective_to``    the first date it no longer applies (blank: still in force)
``source``          where the figure was checked (rule text, an SEC release, ...)

netcap covers books dated from 2010-01-01.  A row whose figure has not changed
since before then carries ``effective_from = 2010-01-01``: the date netcap
starts applying it, not the date the Commission adopted it.

Tables may add columns of their own (``category`` for the government schedule).
The code holds the method (netting, offsets); the tables hold the numbers, so a
rule change is a new row with a new ``effective_from``, not a code change.

Tables are read once and validated: a malformed table raises
`TableError` naming the file, line and field.  A table is read when it
is first needed; `check_tables` reads and checks every table of a folder
at once (``netcap check-tables``), on every date a row starts or stops applying.

Window tables (``futures_deliverable``) hold eligibility windows rather than
rates: their rows may leave ``rate`` and ``amount`` blank and their windows may
overlap, so they are not checked for tiling.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Schedule", "TableError", "check_tables", "load_schedule", "table_dir"]

_REQUIRED = (
    "table",
    "key",
    "lower",
    "upper",
    "unit",
    "rate",
    "citation",
    "effective_from",
    "effective_to",
    "source",
)
_UNITS = {"months", "days", "years", "none"}
_WINDOW_TABLES = frozenset({"futures_deliverable"})
"""Tables whose rows are eligibility windows, not rates (no rate needed, no tiling)."""


class TableError(ValueError):
    """A haircut table is malformed."""


def table_dir() -> Path:
    """Folder holding the haircut tables.

    ``NETCAP_TABLES`` overrides it; otherwise the copy shipped inside the wheel
    (``netcap/haircut_tables``) or, in a source checkout, ``haircut_tables/`` at
    the repository root.
    """
    override = os.environ.get("NETCAP_TABLES")
    if override:
        return Path(override)
    packaged = Path(str(resources.files("netcap"))) / "haircut_tables"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "haircut_tables"


@dataclass(frozen=True)
class Schedule:
    """The rows of one table in force on one date, ordered by ``lower``."""

    name: str
    rows: pd.DataFrame

    def bucket_index(self, measure: np.ndarray) -> np.ndarray:
        """Row position of the bucket holding each measure (-1 where none does)."""
        lower = self.rows["lower"].to_numpy(dtype=float)
        upper = self.rows["upper"].to_numpy(dtype=float)
        idx = np.searchsorted(lower, measure, side="right") - 1
        ok = (idx >= 0) & ~np.isnan(measure)
        safe = np.where(ok, idx, 0)
        ok &= measure < upper[safe]
        return np.where(ok, idx, -1)

    def column(self, name: str) -> np.ndarray:
        """One column of the rows, as a numpy array."""
        return self.rows[name].to_numpy()

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Row position of each key that names exactly one row (looked up once per table)."""
        seen: dict[str, int] = {}
        twice: set[str] = set()
        for i, key in enumerate(self.rows["key"].tolist()):
            if key in seen:
                twice.add(key)
            seen[key] = i
        return {k: i for k, i in seen.items() if k not in twice}

    def _position(self, key: str) -> int:
        where = self._positions.get(key)
        if where is None:
            raise KeyError(f"table {self.name!r} has no single row {key!r}")
        return where

    def _cell(self, key: str, column: str) -> object:
        return self.rows[column].iat[self._position(key)]

    def row(self, key: str) -> pd.Series:
        """The row with this ``key``."""
        return self.rows.iloc[self._position(key)]

    def rate(self, key: str) -> float:
        """The ``rate`` of the row with this ``key``."""
        return float(self._cell(key, "rate"))  # type: ignore[arg-type]

    def amount(self, key: str) -> float:
        """The dollar ``amount`` of the row with this ``key``."""
        return float(self._cell(key, "amount"))  # type: ignore[arg-type]

    def citation(self, key: str) -> str:
        """The ``citation`` of the row with this ``key``."""
        return str(self._cell(key, "citation"))


def _parse_float(text: str, where: str, field: str, *, blank: float | None = None) -> float:
    text = text.strip()
    if text == "" and blank is not None:
        return blank
    try:
        value = float(text)
    except ValueError:
        raise TableError(f"{where}: field {field!r}: {text!r} is not a number") from None
    if np.isnan(value):
        raise TableError(f"{where}: field {field!r} is NaN")
    return value


def _parse_date(text: str, where: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise TableError(f"{where}: field {field!r}: {text!r} is not an ISO date") from None


@cache
def _read(path: Path) -> pd.DataFrame:
    records: list[dict[str, object]] = []
    window = path.stem in _WINDOW_TABLES
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise TableError(f"{path.name}: missing columns {missing}")
        for line, raw in enumerate(reader, start=2):
            where = f"{path.name} line {line}"
            rec: dict[str, object] = dict(raw)
            if not raw["key"].strip() or not raw["table"].strip():
                raise TableError(f"{where}: 'table' and 'key' must not be blank")
            if raw["unit"] not in _UNITS:
                raise TableError(f"{where}: field 'unit': {raw['unit']!r} not in {sorted(_UNITS)}")
            rec["lower"] = _parse_float(raw["lower"], where, "lower", blank=0.0)
            rec["upper"] = _parse_float(raw["upper"], where, "upper", blank=np.inf)
            if rec["upper"] <= rec["lower"]:  # type: ignore[operator]
                raise TableError(f"{where}: 'upper' must exceed 'lower'")
            rate = _parse_float(raw["rate"], where, "rate", blank=np.nan)
            amount = _parse_float(raw.get("amount") or "", where, "amount", blank=np.nan)
            if np.isnan(rate) and np.isnan(amount) and not window:
                raise TableError(f"{where}: give 'rate' or 'amount'")
            if rate < 0 or (not np.isfinite(rate) and not np.isnan(rate)):
                raise TableError(f"{where}: field 'rate': {rate} must be finite and >= 0")
            if raw["unit"] != "none" and not np.isnan(rate) and not 0.0 <= rate <= 1.0:
                raise TableError(f"{where}: field 'rate': haircut {rate} outside [0, 1]")
            if amount < 0:
                raise TableError(f"{where}: field 'amount': {amount} is negative")
            rec["rate"] = rate
            rec["amount"] = amount
            for required in ("citation", "source"):
                if not raw[required].strip():
                    raise TableError(f"{where}: field {required!r} is blank")
            rec["effective_from"] = _parse_date(raw["effective_from"], where, "effective_from")
            rec["effective_to"] = (
                _parse_date(raw["effective_to"], where, "effective_to")
                if raw["effective_to"].strip()
                else date.max
            )
            records.append(rec)
    return pd.DataFrame.from_records(records)


@cache
def load_schedule(name: str, on: date | None = None, directory: Path | None = None) -> Schedule:
    """Rows of table ``name`` in force on date ``on`` (default: today's rules).

    Buckets measured in a unit must tile their range without gaps or overlaps
    within each ``category`` (when the table has one); this is checked here.
    """
    folder = directory or table_dir()
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise TableError(f"no haircut table {name!r} in {folder}")
    frame = _read(path)
    frame = frame[frame["table"] == name]
    when = on or date.today()
    live = frame[(frame["effective_from"] <= when) & (frame["effective_to"] > when)]
    if live.empty:
        raise TableError(f"table {name!r} has no rows in force on {when.isoformat()}")
    live = live.sort_values(["lower"], kind="stable").reset_index(drop=True)
    if name not in _WINDOW_TABLES:
        _check_tiling(name, live)
    return Schedule(name=name, rows=live)


def _check_tiling(name: str, rows: pd.DataFrame) -> None:
    measured = rows[rows["unit"] != "none"]
    if measured.empty:
        return
    if measured["key"].duplicated().any():
        raise TableError(f"table {name!r}: duplicate keys in force on one date")
    ordered = measured.sort_values("lower")
    upper = ordered["upper"].to_numpy(dtype=float)
    lower = ordered["lower"].to_numpy(dtype=float)
    if not np.array_equal(upper[:-1], lower[1:]):
        raise TableError(f"table {name!r}: buckets leave a gap or overlap")


def check_tables(directory: Path | None = None) -> list[str]:
    """Read and check every table in ``directory`` (default `table_dir`) at once.

    Each ``*.csv`` file is parsed (columns, numbers, dates, citations), and the
    rows in force are checked for tiling on every date a row of the file starts
    or stops applying (while any row is in force).  Rows whose ``table`` is not
    the file's name are reported too (the loader would never read them).
    Returns one message per problem found, naming the file; an empty list means
    every table is sound.
    """
    folder = directory or table_dir()
    if not folder.is_dir():
        return [f"{folder}: not a folder of haircut tables"]
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        return [f"{folder}: no haircut table (*.csv) found"]
    problems: list[str] = []
    for path in paths:
        try:
            frame = _read(path)
        except TableError as exc:
            problems.append(str(exc))
            continue
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.append(f"{path.name}: cannot read: {exc}")
            continue
        if frame.empty:
            problems.append(f"{path.name}: no rows")
            continue
        stray = sorted(set(frame["table"]) - {path.stem})
        if stray:
            problems.append(
                f"{path.name}: rows of table {stray} are never read (file is {path.stem!r})"
            )
        ends = [d for d in frame["effective_to"] if d != date.max]
        seen: set[str] = set()
        starts, stops = frame["effective_from"], frame["effective_to"]
        for when in sorted(set(starts) | set(ends)):
            if not ((starts <= when) & (stops > when)).any():
                continue  # every row has ended: the rule no longer applies, not an error
            try:
                load_schedule(path.stem, when, folder)
            except TableError as exc:
                message = str(exc)
                if message not in seen:
                    seen.add(message)
                    problems.append(f"{path.name}: on {when.isoformat()}: {message}")
    return problems
