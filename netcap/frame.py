"""The position frame: one row per position, the engine's single input shape.

Books built from pydantic :class:`~netcap.model.Position` objects and books read
from CSV or Excel both end up here, validated the same way.  Validation is
vectorized and reports *every* bad row at once as :class:`BookError`, each
problem naming its row and field.  Nothing is dropped or guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from netcap.maturity import complete_months_array
from netcap.model import Instrument, Position, SecurityClass, Side

__all__ = [
    "COLUMNS",
    "BookError",
    "RowError",
    "positions_frame",
    "validate_frame",
]

COLUMNS: tuple[str, ...] = (
    "id",
    "security_class",
    "instrument",
    "side",
    "market_value",
    "maturity",
    "years_to_maturity",
    "issuer",
    "security_id",
    "deliverable_position",
)
"""Input columns of a position frame, in order."""

_CLASSES = {c.value for c in SecurityClass}
_INSTRUMENTS = {i.value for i in Instrument}
_SIDES = {s.value for s in Side}
_NEEDS_MATURITY = {SecurityClass.GOVERNMENT.value, SecurityClass.AGENCY.value}


@dataclass(frozen=True)
class RowError:
    """One problem with one input row."""

    row: int | str
    field: str
    message: str
    source: str = "positions"

    def __str__(self) -> str:
        return f"{self.source} row {self.row}: field {self.field!r}: {self.message}"


class BookError(ValueError):
    """A book failed validation; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        shown = "\n".join(f"  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"{len(self.errors)} problem(s) in the book:\n{shown}{more}")


def positions_frame(positions: Iterable[Position], as_of: date) -> pd.DataFrame:
    """Build the validated position frame from pydantic positions."""
    records = [
        {
            "id": p.id,
            "security_class": p.security_class.value,
            "instrument": p.instrument.value,
            "side": p.side.value,
            "market_value": p.value,
            "maturity": p.maturity,
            "years_to_maturity": p.years_to_maturity,
            "issuer": p.issuer,
            "security_id": p.security_id,
            "deliverable_position": p.deliverable_position,
        }
        for p in positions
    ]
    raw = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return validate_frame(raw, as_of)


def _row_labels(frame: pd.DataFrame, mask: np.ndarray, row_offset: int) -> list[int]:
    return [int(i) + row_offset for i in np.flatnonzero(mask)]


def validate_frame(
    raw: pd.DataFrame, as_of: date, *, source: str = "positions", row_offset: int = 0
) -> pd.DataFrame:
    """Validate a raw position frame and add the derived columns the engine uses.

    ``row_offset`` is added to the 0-based row position in error messages (a CSV
    reader passes 2 so that errors name spreadsheet line numbers).

    Derived columns: ``signed_value`` (negative for shorts) and
    ``months_to_maturity`` (complete calendar months, see :mod:`netcap.maturity`).
    """
    errors: list[RowError] = []
    frame = raw.reset_index(drop=True).copy()
    for col in COLUMNS:
        if col not in frame.columns:
            if col in ("id", "security_class", "side", "market_value"):
                errors.append(RowError("header", col, "required column is missing", source))
            frame[col] = None
    if errors:
        raise BookError(errors)

    def flag(mask: np.ndarray, field: str, message: str) -> None:
        for r in _row_labels(frame, mask, row_offset):
            errors.append(RowError(r, field, message, source))

    ids = frame["id"].astype("string").str.strip()
    flag((ids.isna() | (ids == "")).to_numpy(dtype=bool), "id", "blank id")
    dup = ids.duplicated(keep="first") & ids.notna() & (ids != "")
    for r in np.flatnonzero(dup.to_numpy()):
        first = int(np.flatnonzero((ids == ids.iloc[r]).to_numpy())[0]) + row_offset
        errors.append(
            RowError(
                int(r) + row_offset,
                "id",
                f"duplicate id {ids.iloc[r]!r} (first at row {first})",
                source,
            )
        )

    for col, allowed in (
        ("security_class", _CLASSES),
        ("instrument", _INSTRUMENTS),
        ("side", _SIDES),
    ):
        values = frame[col].astype("string").str.strip().str.lower()
        if col == "instrument":
            values = values.fillna("cash")
        bad = ~values.isin(allowed).fillna(False).to_numpy(dtype=bool)
        for r in np.flatnonzero(bad):
            errors.append(
                RowError(
                    int(r) + row_offset,
                    col,
                    f"{frame[col].iloc[r]!r} is not one of {sorted(allowed)}",
                    source,
                )
            )
        frame[col] = values

    mv = pd.to_numeric(frame["market_value"], errors="coerce").astype(float)
    raw_mv = frame["market_value"]
    not_number = mv.isna() & raw_mv.notna() & (raw_mv.astype("string").str.strip() != "")
    flag(not_number.to_numpy(dtype=bool), "market_value", "not a number")
    flag(
        (raw_mv.isna() | (raw_mv.astype("string").str.strip() == "")).to_numpy(dtype=bool),
        "market_value",
        "missing",
    )
    vals = mv.to_numpy()
    flag(np.isinf(vals), "market_value", "infinite")
    flag(vals < 0, "market_value", "negative (give the absolute value; 'side' carries the sign)")
    frame["market_value"] = mv

    maturity = pd.to_datetime(frame["maturity"], errors="coerce", format="ISO8601")
    bad_date = (
        maturity.isna()
        & frame["maturity"].notna()
        & (frame["maturity"].astype("string").str.strip() != "")
    )
    flag(bad_date.to_numpy(dtype=bool), "maturity", "not a date (use YYYY-MM-DD)")
    years = pd.to_numeric(frame["years_to_maturity"], errors="coerce").astype(float)
    raw_years = frame["years_to_maturity"]
    bad_years = years.isna() & raw_years.notna() & (raw_years.astype("string").str.strip() != "")
    flag(bad_years.to_numpy(dtype=bool), "years_to_maturity", "not a number")
    yv = years.to_numpy()
    flag(~np.isfinite(yv) & ~np.isnan(yv), "years_to_maturity", "infinite")
    flag(yv < 0, "years_to_maturity", "negative")
    both = maturity.notna() & years.notna()
    flag(both.to_numpy(dtype=bool), "maturity", "give maturity or years_to_maturity, not both")

    months = complete_months_array(as_of, maturity.to_numpy(dtype="datetime64[D]"))
    months = np.where(np.isnan(months), yv * 12.0, months)
    flag(months < 0, "maturity", f"matured before the as-of date {as_of.isoformat()}")
    needs = frame["security_class"].isin(_NEEDS_MATURITY).to_numpy(dtype=bool)
    flag(needs & np.isnan(months), "maturity", "required for this security class")

    link = frame["deliverable_position"].astype("string").str.strip()
    link = link.mask(link == "")
    has_link = link.notna().to_numpy(dtype=bool)
    flag(
        has_link & (frame["instrument"] != Instrument.FUTURE.value).to_numpy(dtype=bool),
        "deliverable_position",
        "only a futures contract names a deliverable position",
    )
    known = set(ids.dropna())
    unknown = has_link & ~link.isin(known).fillna(False).to_numpy(dtype=bool)
    for r in np.flatnonzero(unknown):
        errors.append(
            RowError(
                int(r) + row_offset,
                "deliverable_position",
                f"{link.iloc[r]!r} names no position in the book",
                source,
            )
        )

    if errors:
        errors.sort(key=lambda e: (isinstance(e.row, str), e.row if isinstance(e.row, int) else 0))
        raise BookError(errors)

    frame["id"] = ids.astype(str)
    frame["deliverable_position"] = link.astype(object).where(link.notna(), None)
    frame["maturity"] = maturity
    frame["years_to_maturity"] = years
    frame["months_to_maturity"] = months
    sign = np.where(frame["side"].to_numpy() == Side.LONG.value, 1.0, -1.0)
    frame["signed_value"] = sign * vals
    return frame
