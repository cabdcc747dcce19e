"""The position frame: one row per position, the engine's single input shape.

Books built from pydantic `Position` objects and books read
from CSV or Excel both end up here, validated the same way.  Validation is
vectorized and reports *every* bad row at once as `BookError`, each
problem naming its row and field.  Nothing is dropped or guessed.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from netcap.book.maturity import complete_months_array
from netcap.book.model import (
    DATE_MAX,
    DATE_MIN,
    MATURITY_CLASSES,
    FundAssets,
    Instrument,
    Position,
    SecurityClass,
    Side,
)
from netcap.calendar.settlement import PositionDates, position_dates
from netcap.money import MAX_AMOUNT
from netcap.text import plural

__all__ = [
    "CLASS_DTYPE",
    "COLUMNS",
    "FLAG_COLUMNS",
    "INSTRUMENT_DTYPE",
    "LINK_TEXT_COLUMNS",
    "NUMBER_COLUMNS",
    "OPTION_COLUMNS",
    "SIDE_DTYPE",
    "BookError",
    "RowError",
    "align_option_columns",
    "option_column",
    "positions_frame",
    "validate_frame",
]

OPTION_COLUMNS: tuple[str, ...] = (
    "option_type",
    "strike",
    "underlying_price",
    "units",
    "listed",
    "expiry",
    "underlying",
    "offsets",
)
"""Columns of an option position (Appendix A, 15c3-1a); see `_validate_options`.

A validated frame carries them only when at least one row is an option: at a
million rows they would otherwise cost about 90 MB of blanks.  Read them with
`option_column`, which gives the blank default when a column is absent.
"""

_OPTION_BLANKS: dict[str, object] = {
    "option_type": None,
    "strike": np.nan,
    "underlying_price": np.nan,
    "units": np.nan,
    "listed": True,
    "expiry": pd.NaT,
    "underlying": None,
    "offsets": None,
}
"""What each option column holds on a row that is not an option (after validation)."""

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
    "futures_contract",
    "quantity",
    "in_default",
    "minimal_credit_risk",
    "issue_date",
    "interest_at_maturity_or_discount",
    "municipal_note",
    "fund_assets",
    "principal_amount",
    "hedge_with",
    "ready_market",
    "limited_market",
    "market_makers",
    "called_within_90_days",
    "converts_into_short_within_90_days",
    "registered_deliverable",
    "underwritten_on",
    "trade_date",
    "settlement_date",
    "maintenance_margin",
    "clearing_margin",
    "initial_margin",
    "cleared_by_firm",
    *OPTION_COLUMNS,
)
"""Input columns of a position frame, in order.

Only ``id``, ``security_class``, ``side`` and ``market_value`` are required; the
others may be missing or blank and take the defaults of `Position`.
"""

_BOOL_DEFAULTS: dict[str, bool | None] = {
    "in_default": False,
    "minimal_credit_risk": None,
    "interest_at_maturity_or_discount": None,
    "municipal_note": False,
    "ready_market": True,
    "limited_market": False,
    "called_within_90_days": False,
    "converts_into_short_within_90_days": False,
    "registered_deliverable": True,
    "cleared_by_firm": True,
    "listed": True,
}
"""Yes/no columns and the value a blank cell takes (None: unknown, kept as None)."""
FLAG_COLUMNS: frozenset[str] = frozenset(_BOOL_DEFAULTS)
"""Position columns that hold yes/no (a reader may parse them as booleans up front)."""
_MONEY_COLUMNS = (
    "quantity",
    "principal_amount",
    "maintenance_margin",
    "clearing_margin",
    "initial_margin",
)
NUMBER_COLUMNS: frozenset[str] = frozenset(
    {
        "market_value",
        "years_to_maturity",
        "market_makers",
        "strike",
        "underlying_price",
        "units",
        *_MONEY_COLUMNS,
    }
)
"""Position columns that hold numbers (a reader may parse them as numbers up front)."""
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}

_CLASSES = {c.value for c in SecurityClass}
_INSTRUMENTS = {i.value for i in Instrument}
_SIDES = {s.value for s in Side}
_FUND_ASSETS = {f.value for f in FundAssets}
_TOO_LARGE = f"larger than ${MAX_AMOUNT:,.0f}, the most netcap accepts in one field"

_NEEDS_MATURITY = {c.value for c in MATURITY_CLASSES}
MAX_ID_LENGTH = 200
"""Longest position id, as `netcap.book.model.Position` allows (every format the same)."""


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
        super().__init__(f"{plural(len(self.errors), 'problem')} in the book:\n{shown}{more}")


def positions_frame(
    positions: Iterable[Position], as_of: date, *, source: str = "positions"
) -> pd.DataFrame:
    """Build the validated position frame from pydantic positions.

    ``source`` names where the positions came from in error messages (a file, a list).
    """
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
            "futures_contract": p.futures_contract,
            "quantity": p.quantity,
            "in_default": p.in_default,
            "minimal_credit_risk": p.minimal_credit_risk,
            "issue_date": p.issue_date,
            "interest_at_maturity_or_discount": p.interest_at_maturity_or_discount,
            "municipal_note": p.municipal_note,
            "fund_assets": None if p.fund_assets is None else p.fund_assets.value,
            "principal_amount": p.principal_amount,
            "hedge_with": p.hedge_with,
            "ready_market": p.ready_market,
            "limited_market": p.limited_market,
            "market_makers": p.market_makers,
            "called_within_90_days": p.called_within_90_days,
            "converts_into_short_within_90_days": p.converts_into_short_within_90_days,
            "registered_deliverable": p.registered_deliverable,
            "underwritten_on": p.underwritten_on,
            "trade_date": p.trade_date,
            "settlement_date": p.settlement_date,
            "maintenance_margin": p.maintenance_margin,
            "clearing_margin": p.clearing_margin,
            "initial_margin": p.initial_margin,
            "cleared_by_firm": p.cleared_by_firm,
            "option_type": None if p.option_type is None else p.option_type.value,
            "strike": p.strike,
            "underlying_price": p.underlying_price,
            "units": p.units,
            "listed": p.listed,
            "expiry": p.expiry,
            "underlying": p.underlying,
            "offsets": p.offsets,
        }
        for p in positions
    ]
    raw = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return validate_frame(raw, as_of, source=source)


def _per_value(col: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes of each cell (-1 where missing) and the distinct values, for per-value work.

    Text operations then run once per distinct value instead of once per row;
    a column of a few classes or yes/no flags has only a handful.  A categorical column
    gives its own codes and categories (a category no row uses is looked at for nothing).
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        categories = np.asarray(col.cat.categories, dtype=object)
        return np.asarray(col.cat.codes), pd.Series(categories, dtype=object)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return np.asarray(codes), pd.Series(uniques)


def _blank(col: pd.Series) -> pd.Series:
    """True where a cell is missing or blank text."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return col.isna()  # no text in the column: blank means missing
    codes, uniques = _per_value(col)
    text = uniques.astype("string").str.strip()
    blank_value = (uniques.isna() | (text == "")).fillna(True).to_numpy(dtype=bool)
    out = np.ones(len(col), dtype=bool)
    known = codes >= 0
    out[known] = blank_value[codes[known]]
    return pd.Series(out, index=col.index, copy=False)


_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_NOT_A_DATE = (
    "not a date (use YYYY-MM-DD; partial dates, times and bare numbers are refused; dates "
    f"run from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}: for a perpetual security "
    "give years_to_maturity)"
)


_DATE_MIN = pd.Timestamp(DATE_MIN)
_DATE_MAX = pd.Timestamp(DATE_MAX)


def _in_range(value: object) -> bool:
    """A date value within `netcap.book.model.DATE_MIN` .. `DATE_MAX` (others are refused)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return DATE_MIN <= value <= DATE_MAX
    return True  # numpy datetime64 is within the nanosecond range by construction


def _parse_dates(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Date cells as timestamps (NaT where blank) and a mask of cells that are not a date.

    A date is text of exactly the form ``YYYY-MM-DD`` or a date / datetime-at-midnight
    value (a date cell of a workbook).  ``2031-05``, ``2031``, ``20310515``, a time of
    day and a bare number are refused rather than completed.  Work is done once per
    distinct value, so a column of a million rows with few dates stays fast.
    """
    if pd.api.types.is_datetime64_any_dtype(col):
        stamps = pd.Series(pd.to_datetime(col), index=col.index)
        outside = (stamps < _DATE_MIN) | (stamps > _DATE_MAX)
        timed = (stamps.notna() & ((stamps != stamps.dt.normalize()) | outside)).to_numpy(
            dtype=bool
        )
        return stamps.mask(pd.Series(timed, index=col.index)), timed
    dates = _dates_by_value(col)
    out = _take(dates.values, dates.codes, np.datetime64("NaT"))
    return pd.Series(out, index=col.index, copy=False), _take(dates.bad, dates.codes, False)


class _Dates(NamedTuple):
    """A date column by distinct value (`_dates_by_value`)."""

    codes: np.ndarray
    """Per row: the code of its value, -1 where the cell is missing."""
    values: np.ndarray
    """Per distinct value: the date (datetime64[ns]), NaT where blank or not a date."""
    bad: np.ndarray
    """Per distinct value: not a date (and not blank)."""


def _dates_by_value(col: pd.Series) -> _Dates:
    """The dates of a column of text or date values (`_parse_dates`), once per distinct
    value: what is worked out from a date (months, days to maturity) can be too."""
    codes, uniques = _per_value(col)
    n = len(uniques)
    is_text = np.fromiter((isinstance(v, str) for v in uniques), dtype=bool, count=n)
    is_when = np.fromiter(
        (isinstance(v, (date, datetime, np.datetime64)) for v in uniques), dtype=bool, count=n
    )
    parsed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    blank_value = np.zeros(n, dtype=bool)
    if is_text.any():
        text = uniques[is_text].astype("string").str.strip()
        blank_value[is_text] = (text == "").to_numpy(dtype=bool)
        exact = text.str.fullmatch(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
        # ISO text orders as the dates do: outside the range is refused before parsing
        exact &= ((text >= DATE_MIN.isoformat()) & (text <= DATE_MAX.isoformat())).to_numpy(
            dtype=bool, na_value=False
        )
        days = pd.to_datetime(text.where(exact), errors="coerce", format="%Y-%m-%d")
        parsed[is_text] = days.to_numpy()
    if is_when.any():
        in_range = pd.Series([v if _in_range(v) else None for v in uniques[is_when]], dtype=object)
        stamps = pd.Series(pd.to_datetime(in_range, errors="coerce"), dtype="datetime64[ns]")
        midnight = (stamps == stamps.dt.normalize()).to_numpy(dtype=bool)
        parsed[is_when] = stamps.where(midnight).to_numpy()
    outside = (parsed < _DATE_MIN) | (parsed > _DATE_MAX)
    parsed = parsed.mask(outside)
    bad_value = parsed.isna().to_numpy(dtype=bool) & ~blank_value
    return _Dates(codes, parsed.to_numpy(dtype="datetime64[ns]"), bad_value)


def _parse_bool(col: pd.Series, default: bool | None) -> tuple[pd.Series, np.ndarray]:
    """Yes/no cells (``default`` where blank) and a mask of unreadable cells.

    A column with a default is a numpy bool column; one whose blank means unknown
    (``default`` None) keeps Python bools and None in an object column.
    """
    codes, uniques = _per_value(col)
    text = uniques.astype("string").str.strip().str.lower()
    # per distinct value, then per row in one take: 0 blank, 1 true, 2 false, 3 unreadable
    blank = (uniques.isna() | (text == "")).fillna(True).to_numpy(dtype=bool)
    is_true = text.isin(_TRUE).to_numpy(dtype=bool)
    is_false = text.isin(_FALSE).to_numpy(dtype=bool)
    state = np.where(blank, 0, np.where(is_true, 1, np.where(is_false, 2, 3))).astype(np.int8)
    row_state = _take(state, codes, 0)
    bad = row_state == 3
    if default is not None:  # two states: a bool column, a byte a row instead of eight
        flag = np.array([default, True, False, default], dtype=bool)[row_state]
        return pd.Series(flag, index=col.index, dtype=bool, copy=False), bad
    out = np.array([None, True, False, None], dtype=object)[row_state]
    return pd.Series(out, index=col.index, dtype=object, copy=False), bad


_NO_BOOLS = frozenset(
    {"string", "floating", "integer", "mixed-integer-float", "decimal", "empty", "date", "datetime"}
)
"""Kinds of column (pandas.api.types.infer_dtype) that cannot hold a true/false value."""


def _numbers(col: pd.Series) -> pd.Series:
    """A number column as floats, NaN where a cell is not a number.

    A true/false value (a TRUE cell of a workbook, a JSON ``true``) is not a number: it is
    NaN here, so the caller reports it like any other unreadable cell, instead of
    ``pd.to_numeric`` reading it as 1 or 0 (a FALSE market value would be a $0 position).
    The cell-by-cell look runs only on a column that may hold one.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):  # once per distinct value
        categories = pd.Series(np.asarray(col.cat.categories, dtype=object))
        per_value = _numbers(categories).to_numpy(dtype=float)
        codes = np.asarray(col.cat.codes)
        return pd.Series(_take(per_value, codes, np.nan), index=col.index, copy=False)
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) not in _NO_BOOLS:
        flags = np.fromiter(
            (isinstance(v, bool | np.bool_) for v in col.to_numpy()), dtype=bool, count=len(col)
        )
        if flags.any():
            col = col.mask(pd.Series(flags, index=col.index), "true/false")
    elif col.dtype == bool:
        return pd.Series(np.nan, index=col.index, dtype=float)
    elif col.dtype.kind == "f":  # already numbers (a CSV book's number columns): no copy
        return col
    return pd.to_numeric(col, errors="coerce")


def _take(per_value: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """``per_value[codes]`` with ``missing`` where a code is -1 (a missing cell)."""
    out: np.ndarray = np.append(per_value, np.array([missing], dtype=per_value.dtype))[codes]
    return out


@dataclass(frozen=True)
class _Text:
    """A text column by distinct value: each row's code into the distinct cleaned values.

    ``values`` holds each distinct value once, as ``astype("string").str.strip()`` (and
    ``.str.lower()``) makes it (possibly ""); ``codes`` is -1 where the cell is missing.
    Checks run once per distinct value and reach the rows through ``codes``.
    """

    codes: np.ndarray
    values: np.ndarray
    source: pd.Categorical | None = None
    """The column itself, when it was a categorical of clean text (codes and values its own)."""

    @classmethod
    def of(cls, col: pd.Series, *, lower: bool = False) -> _Text:
        if isinstance(col.dtype, pd.CategoricalDtype):
            clean = _clean_categorical(col, lower=lower)
            if clean is not None:
                return clean
        codes, uniques = _per_value(col)
        text = uniques.astype("string").str.strip()
        if lower:
            text = text.str.lower()
        cleaned = pd.Series(text.astype(object).where(text.notna(), None), dtype=object)
        remap, merged = pd.factorize(cleaned, use_na_sentinel=True)  # " a" and "a" are one
        return cls(_take(np.asarray(remap), codes, -1), np.asarray(merged, dtype=object))

    def rows(self, per_value: np.ndarray, missing: object = False) -> np.ndarray:
        """A per-distinct-value array taken to the rows."""
        return _take(per_value, self.codes, missing)

    def present(self) -> np.ndarray:
        """Rows with text (not missing, not blank)."""
        return self.rows(_not_blank(self.values))

    def member(self, allowed: Collection[str]) -> np.ndarray:
        """Rows whose cleaned text is one of ``allowed``."""
        return self.rows(np.array([v in allowed for v in self.values], dtype=bool))

    def text(self, r: int) -> str | None:
        """The cleaned text of row ``r`` (None where missing)."""
        code = int(self.codes[r])
        return None if code < 0 else str(self.values[code])

    def objects(self) -> pd.Series:
        """Per row: the cleaned text, None where missing or blank (an object column)."""
        values = self.values.copy()
        values[~_not_blank(values)] = None
        return pd.Series(self.rows(values, None), dtype=object, copy=False)

    def categorical(self, dtype: pd.CategoricalDtype | None = None) -> pd.Categorical:
        """The cleaned text as a categorical (missing and blank cells missing).

        With ``dtype`` its categories are that dtype's (every value must be one).
        """
        keep = _not_blank(self.values)
        if self.source is not None and dtype is None and keep.all():
            return self.source  # its categories index (and hash table) is reused
        renumber = np.where(keep, np.cumsum(keep) - 1, -1)
        codes = _take(renumber, self.codes, -1)
        cat = pd.Categorical.from_codes(codes, categories=pd.Index(self.values[keep], dtype=object))
        return cat if dtype is None else cat.set_categories(dtype.categories)


def _clean_categorical(col: pd.Series, *, lower: bool) -> _Text | None:
    """A categorical column of text already stripped (and lower-case if ``lower``) as
    `_Text` without hashing it again; None if some category needs cleaning.

    A CSV book's text columns come so from `netcap.book.sheets`: each category was
    stripped once when read.
    """
    categories = col.cat.categories
    values = np.asarray(categories, dtype=object)
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    # C loops over the values: str.strip returns a value it leaves alone as is (not a copy)
    if not all(map(operator.is_, map(str.strip, values), values)) or not all(values):
        return None  # a value with spaces around it, or an empty one
    if lower:
        joined = "\n".join(values)  # one C pass over all the text finds upper case
        if joined.lower() != joined and any(v.lower() != v for v in values):
            return None
    source: pd.Categorical = col.array
    return _Text(np.asarray(col.cat.codes), values, source=source)


def _not_blank(values: np.ndarray) -> np.ndarray:
    """Per distinct value: True where the text is not ""."""
    return np.asarray(values != "", dtype=bool) if len(values) else np.zeros(0, dtype=bool)


class _Ids:
    """The book's position ids, for the checks of fields that name another position."""

    def __init__(self, ids: _Text) -> None:
        self.ids = ids
        self._index: pd.Index | None = None

    def known(self, link: _Text) -> np.ndarray:
        """Per distinct value of ``link``: whether it is the id of a position of the book."""
        if self._index is None:  # built once, only when some row names another position
            source = self.ids.source
            self._index = (
                source.categories if source is not None else pd.Index(self.ids.values, dtype=object)
            )
        return np.asarray(self._index.get_indexer(pd.Index(link.values, dtype=object)) >= 0)

    def linked(self, link: _Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows naming a position, rows naming their own position, rows naming none."""
        present = link.present()
        rows = np.flatnonzero(present)
        own = np.zeros(len(present), dtype=bool)
        id_codes = self.ids.codes[rows]
        id_text = np.where(id_codes >= 0, self.ids.values[np.maximum(id_codes, 0)], None)
        own[rows] = link.values[link.codes[rows]] == id_text
        unknown = present & ~link.rows(self.known(link)) if rows.size else present
        return present, own, unknown


class _Errors(list[RowError]):
    """The errors of one frame: each names its row (0-based + ``row_offset``) and field."""

    def __init__(self, source: str, row_offset: int) -> None:
        super().__init__()
        self.source = source
        self.row_offset = row_offset

    def flag(self, mask: np.ndarray, field: str, message: str) -> None:
        """One error with ``message`` for each row of ``mask``."""
        for r in np.flatnonzero(mask):
            self.append(RowError(int(r) + self.row_offset, field, message, self.source))

    def each(self, mask: np.ndarray, field: str, message: Callable[[int], str]) -> None:
        """One error for each row of ``mask``, its message made from the row."""
        for r in np.flatnonzero(mask):
            self.append(RowError(int(r) + self.row_offset, field, message(int(r)), self.source))


CLASS_DTYPE = pd.CategoricalDtype([c.value for c in SecurityClass])
"""The ``security_class`` column of a validated frame: a categorical of every class."""
INSTRUMENT_DTYPE = pd.CategoricalDtype([i.value for i in Instrument])
"""The ``instrument`` column of a validated frame."""
SIDE_DTYPE = pd.CategoricalDtype([s.value for s in Side])
"""The ``side`` column of a validated frame."""
_CATEGORY_DTYPES = {
    "security_class": CLASS_DTYPE,
    "instrument": INSTRUMENT_DTYPE,
    "side": SIDE_DTYPE,
}


def validate_frame(
    raw: pd.DataFrame, as_of: date, *, source: str = "positions", row_offset: int = 0
) -> pd.DataFrame:
    """Validate a raw position frame and add the derived columns the engine uses.

    ``row_offset`` is added to the 0-based row position in error messages (a CSV
    reader passes 2 so that errors name spreadsheet line numbers).  Every problem
    of every row is collected and raised at once as `BookError`; each check runs
    column by column, over the distinct values of a text column (see the steps
    below, in the order their errors are listed within a row).

    Derived columns: ``signed_value`` (negative for shorts), ``issue`` (``security_id``
    as a categorical, NaN where blank: the codes undue concentration groups by; like
    ``signed_value`` it is worked out here, so a caller that changes ``security_id`` or
    ``side`` afterwards validates again or drops ``issue``, which (M) then reads from
    ``security_id``),
    ``months_to_maturity`` (complete calendar months, see `netcap.book.maturity`),
    ``days_to_maturity`` (calendar days; NaN unless ``maturity`` is a date) and
    ``row`` (the row label used in error messages, so later stages can name it).
    ``id``, ``security_class``, ``instrument`` and ``side`` come out as categoricals
    (`CLASS_DTYPE`, `INSTRUMENT_DTYPE`, `SIDE_DTYPE`; an id's code is its row), so
    later stages can work on their codes without hashing text again.  The ``id``
    categories are an object index whose hash table is already built (checking that the
    ids are distinct built it): ``frame["id"].cat.categories.get_indexer(wanted)`` costs
    only the ids looked up.  The text columns `LINK_TEXT_COLUMNS` (links to other
    positions, contract codes, fund assets, the underlying) are categoricals too, a code
    a row instead of a pointer: read them with ``pd.isna``/``pd.notna`` (a missing cell
    is NaN in ``to_numpy(dtype=object)``, not None).
    """
    frame = _with_every_column(raw, source)
    errors = _Errors(source, row_offset)
    ids = _check_ids(frame, errors)
    _check_kinds(frame, errors)
    vals = _check_market_value(frame, errors)
    maturity, years, months, days = _check_maturity(frame, as_of, errors)
    link = _check_futures_fields(frame, ids, errors)
    _check_flags(frame, errors)
    _check_amounts(frame, errors)
    _check_fund_assets(frame, errors)
    _check_issue_dates(frame, maturity, errors)
    _check_hedges(frame, ids, errors)
    errors.extend(_validate_options(frame, ids, as_of, source, row_offset))
    errors.extend(_facts_that_cannot_apply(frame, maturity, years, source, row_offset))
    dates = _check_trade_dates(frame, errors)
    if errors:
        errors.sort(key=lambda e: (isinstance(e.row, str), e.row if isinstance(e.row, int) else 0))
        raise BookError(errors)
    frame["row"] = np.arange(len(frame)) + row_offset
    frame["days_to_maturity"] = days
    frame["id"] = _ids_by_row(ids.ids.categorical())
    frame["deliverable_position"] = link.categorical()
    frame["issue"] = _issue_codes(frame["security_id"])
    for col in _PLAIN_TEXT:
        frame[col] = _object_text(frame[col])
    frame["maturity"] = maturity
    frame["years_to_maturity"] = years
    frame["months_to_maturity"] = months
    for col, dtype in _CATEGORY_DTYPES.items():
        frame[col] = frame[col].astype(dtype)
    sign = np.where(
        np.asarray(frame["side"].cat.codes) == SIDE_DTYPE.categories.get_loc("long"), 1.0, -1.0
    )
    frame["signed_value"] = sign * vals
    return _date_and_option_columns(frame, dates)


LINK_TEXT_COLUMNS: tuple[str, ...] = (
    "deliverable_position",
    "futures_contract",
    "fund_assets",
    "hedge_with",
    "underlying",
    "offsets",
)
"""Text columns a validated frame holds as categoricals (mostly blank at scale: a byte or
two a row instead of an eight-byte pointer).  Missing cells are missing (NaN), not None."""


def _ids_by_row(ids: pd.Categorical) -> pd.Categorical:
    """The (valid: present, distinct) ids with each code its row and no unused category.

    A categorical id column passes through as it is when that holds already (a book just
    read); one taken from some rows of a validated frame (still carrying every id of the
    whole frame as a category) is rebuilt from its rows.
    """
    codes = np.asarray(ids.codes)
    if len(ids.categories) == len(codes) and np.array_equal(codes, np.arange(len(codes))):
        return ids
    values = np.asarray(ids.categories, dtype=object)[codes]
    rows: Any = np.arange(len(values), dtype=np.int32)
    return pd.Categorical.from_codes(rows, categories=pd.Index(values, dtype=object))


_PLAIN_TEXT = ("issuer", "security_id")
"""Text columns validation takes as given: a validated frame holds them as text or None
(an object column), whatever the reader made of them."""


def _issue_codes(col: pd.Series) -> pd.Series:
    """``security_id`` as a categorical (missing: NaN), the derived column ``issue``.

    Undue concentration (15c3-1(c)(2)(vi)(M)) groups positions by issue: with the
    codes made here, once, it never hashes a million identifiers.  A reader's
    categorical keeps its codes; other columns are factorized in order of appearance.
    Categories that are all text are held as pandas' text type, which says so.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, values = col.cat.codes.to_numpy(), col.cat.categories
    else:
        codes, values = pd.factorize(col)
    uniques = np.asarray(values, dtype=object)
    # categories known to be text say so by their type: (M) need not look at each again
    text = pd.api.types.infer_dtype(uniques, skipna=False) in ("string", "empty")
    categories = pd.Index(uniques, dtype="str" if text else object)
    return pd.Series(
        pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories)),
        index=col.index,
        copy=False,
    )


def _object_text(col: pd.Series) -> pd.Series:
    """A categorical column as an object column of its text, None where missing.

    Later stages fill a missing issue with the position's id (``fillna``), which a
    categorical refuses; other columns are returned as they are.
    """
    if not isinstance(col.dtype, pd.CategoricalDtype):
        return col
    values = np.asarray(col.cat.categories, dtype=object)
    codes = np.asarray(col.cat.codes)
    return pd.Series(_take(values, codes, None), index=col.index, dtype=object, copy=False)


def _with_every_column(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """A copy of ``raw`` with every column of `COLUMNS` (blank where absent).

    Raises `BookError` if a required column (id, security_class, side, market_value)
    is missing: no row can be checked without them.
    """
    # pandas copies on write: the columns replaced below never touch ``raw``
    frame = raw.reset_index(drop=True)
    errors: list[RowError] = []
    for col in COLUMNS:
        if col not in frame.columns:
            if col in ("id", "security_class", "side", "market_value"):
                errors.append(RowError("header", col, "required column is missing", source))
            frame[col] = None
    if errors:
        raise BookError(errors)
    return frame


def _check_ids(frame: pd.DataFrame, errors: _Errors) -> _Ids:
    """Every position has an id: not blank, at most `MAX_ID_LENGTH` characters, and
    used once in the book (a repeat names the row of its first use)."""
    ids = _Text.of(frame["id"])
    present = ids.present()
    errors.flag(~present, "id", "blank id")
    lengths = np.fromiter(map(len, ids.values), dtype=np.int64, count=len(ids.values))
    errors.flag(ids.rows(lengths > MAX_ID_LENGTH), "id", f"longer than {MAX_ID_LENGTH} characters")
    codes = np.where(present, ids.codes, -1)
    # a count per distinct id (no hashing): only a book with a repeat looks for which rows
    repeated = np.bincount(codes[present], minlength=len(ids.values)) > 1
    if repeated.any():
        dup = present & pd.Series(codes).duplicated(keep="first").to_numpy(dtype=bool)
        first = np.full(len(ids.values), len(codes))
        np.minimum.at(first, codes[present], np.flatnonzero(present))
        errors.each(
            dup,
            "id",
            lambda r: (
                f"duplicate id {ids.text(r)!r} "
                f"(first at row {int(first[codes[r]]) + errors.row_offset})"
            ),
        )
    return _Ids(ids)


def _check_kinds(frame: pd.DataFrame, errors: _Errors) -> None:
    """``security_class``, ``instrument`` and ``side`` are each one of their values
    (`netcap.book.model.SecurityClass`, `Instrument`, `Side`; case and spaces aside); a
    blank instrument is a cash position.  The columns are replaced by their cleaned
    text, as categoricals."""
    for col, allowed in (
        ("security_class", _CLASSES),
        ("instrument", _INSTRUMENTS),
        ("side", _SIDES),
    ):
        text = _Text.of(frame[col], lower=True)
        if col == "instrument" and (text.codes < 0).any():  # a blank instrument is cash
            found = np.flatnonzero(text.values == "cash")
            values = text.values if found.size else np.append(text.values, "cash")
            cash = int(found[0]) if found.size else len(values) - 1
            text = _Text(np.where(text.codes < 0, cash, text.codes), values)
        bad = ~text.member(allowed)
        errors.each(bad, col, partial(_not_one_of, frame[col], sorted(allowed)))
        cat = pd.Categorical.from_codes(text.codes, categories=pd.Index(text.values, dtype=object))
        frame[col] = cat


def _not_one_of(cells: pd.Series, allowed: list[str], r: int) -> str:
    return f"{cells.iloc[r]!r} is not one of {allowed}"


def _not_yes_no(cells: pd.Series, r: int) -> str:
    return f"{cells.iloc[r]!r} is not yes/no (true/false, 1/0)"


def _check_number(
    frame: pd.DataFrame, col: str, errors: _Errors, *, infinite: str, cap: bool
) -> np.ndarray:
    """A number column as floats, flagging cells that are not numbers, infinite or
    (with ``cap``) above `netcap.money.MAX_AMOUNT`; the column is replaced by floats."""
    num = _numbers(frame[col]).astype(float)
    errors.flag((num.isna() & ~_blank(frame[col])).to_numpy(dtype=bool), col, "not a number")
    v = num.to_numpy()
    if infinite:
        errors.flag(np.isinf(v), col, infinite)
    if cap:
        errors.flag(np.isfinite(v) & (v > MAX_AMOUNT), col, _TOO_LARGE)
    frame[col] = num
    return v


def _check_market_value(frame: pd.DataFrame, errors: _Errors) -> np.ndarray:
    """``market_value`` is a number, given, finite, at most `MAX_AMOUNT` and not negative
    (the side carries the sign)."""
    raw_mv = frame["market_value"]
    mv = _numbers(raw_mv).astype(float)
    blank = _blank(raw_mv).to_numpy(dtype=bool)
    errors.flag(mv.isna().to_numpy(dtype=bool) & ~blank, "market_value", "not a number")
    errors.flag(blank, "market_value", "missing")
    vals = mv.to_numpy()
    errors.flag(np.isinf(vals), "market_value", "infinite")
    errors.flag(np.isfinite(vals) & (vals > MAX_AMOUNT), "market_value", _TOO_LARGE)
    errors.flag(
        vals < 0, "market_value", "negative (give the absolute value; 'side' carries the sign)"
    )
    frame["market_value"] = mv
    return vals


def _days_to(as_of: date, maturity: pd.Series) -> np.ndarray:
    """Calendar days from ``as_of`` to each date (NaN where NaT), as floats."""
    return np.asarray((maturity - pd.Timestamp(as_of)).dt.days.astype(float).to_numpy())


def _maturity_dates(
    col: pd.Series, as_of: date
) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """The maturity dates (`_parse_dates`), the cells that are not dates, and from the
    dates the complete months (`netcap.book.maturity.complete_months_array`) and the
    calendar days to maturity: once per distinct date where the column is text."""
    if pd.api.types.is_datetime64_any_dtype(col):
        maturity, bad = _parse_dates(col)
        months = complete_months_array(as_of, maturity.to_numpy(dtype="datetime64[D]"))
        return maturity, bad, months, _days_to(as_of, maturity)
    dates = _dates_by_value(col)
    nat = np.datetime64("NaT")
    maturity = pd.Series(_take(dates.values, dates.codes, nat), index=col.index, copy=False)
    months = complete_months_array(as_of, dates.values.astype("datetime64[D]"))
    days = _days_to(as_of, pd.Series(dates.values))
    return (
        maturity,
        _take(dates.bad, dates.codes, False),
        _take(months, dates.codes, np.nan),
        _take(days, dates.codes, np.nan),
    )


def _check_maturity(
    frame: pd.DataFrame, as_of: date, errors: _Errors
) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray]:
    """``maturity`` is a date after ``as_of`` or ``years_to_maturity`` a number >= 0, not
    both; one is required for a class whose haircut turns on maturity
    (`netcap.book.model.MATURITY_CLASSES`).  Returns the dates, the years, the complete
    months to maturity (`netcap.book.maturity.complete_months_array`) and the calendar
    days to the maturity date (NaN where none)."""
    maturity, bad_date, date_months, days = _maturity_dates(frame["maturity"], as_of)
    errors.flag(bad_date, "maturity", _NOT_A_DATE)
    raw_years = frame["years_to_maturity"]
    years = _numbers(raw_years).astype(float)
    bad_years = years.isna() & ~_blank(raw_years)
    errors.flag(bad_years.to_numpy(dtype=bool), "years_to_maturity", "not a number")
    yv = years.to_numpy()
    errors.flag(~np.isfinite(yv) & ~np.isnan(yv), "years_to_maturity", "infinite")
    errors.flag(yv < 0, "years_to_maturity", "negative")
    both = maturity.notna() & years.notna()
    errors.flag(
        both.to_numpy(dtype=bool), "maturity", "give maturity or years_to_maturity, not both"
    )
    with np.errstate(over="ignore"):
        months = np.where(np.isnan(date_months), yv * 12.0, date_months)
    errors.flag(np.isinf(months) & np.isfinite(yv), "years_to_maturity", "too large")
    errors.flag(months < 0, "maturity", f"matured before the as-of date {as_of.isoformat()}")
    needs = frame["security_class"].isin(_NEEDS_MATURITY).to_numpy(dtype=bool)
    errors.flag(needs & np.isnan(months), "maturity", "required for this security class")
    return maturity, years, months, days


def _check_futures_fields(frame: pd.DataFrame, ids: _Ids, errors: _Errors) -> _Text:
    """Only a futures contract names a ``deliverable_position`` (which must be a position
    of the book) or a ``futures_contract`` code (upper-cased)."""
    not_future = (frame["instrument"] != Instrument.FUTURE.value).to_numpy(dtype=bool)
    link = _Text.of(frame["deliverable_position"])
    present, _, unknown = ids.linked(link)
    errors.flag(
        present & not_future,
        "deliverable_position",
        "only a futures contract names a deliverable position",
    )
    errors.each(
        unknown,
        "deliverable_position",
        lambda r: f"{link.text(r)!r} names no position in the book",
    )
    contract = _Text.of(frame["futures_contract"])
    contract = _Text(contract.codes, np.array([v.upper() for v in contract.values], dtype=object))
    errors.flag(
        contract.present() & not_future,
        "futures_contract",
        "only a futures contract names a contract code",
    )
    frame["futures_contract"] = contract.categorical()
    return link


def _check_flags(frame: pd.DataFrame, errors: _Errors) -> None:
    """Each yes/no column (`_BOOL_DEFAULTS`) holds true/false, yes/no or 1/0 (any case),
    or is blank and takes its default."""
    for col, default in _BOOL_DEFAULTS.items():
        parsed, bad = _parse_bool(frame[col], default)
        errors.each(bad, col, partial(_not_yes_no, frame[col]))
        frame[col] = parsed


def _check_amounts(frame: pd.DataFrame, errors: _Errors) -> None:
    """Quantity, principal and margin columns (`_MONEY_COLUMNS`) are numbers >= 0 within
    `MAX_AMOUNT`; ``market_makers`` is a whole number >= 0."""
    for col in _MONEY_COLUMNS:
        v = _check_number(frame, col, errors, infinite="infinite", cap=True)
        errors.flag(v < 0, col, "negative")
    makers = _numbers(frame["market_makers"]).astype(float)
    mk = makers.to_numpy()
    bad_makers = (makers.isna() & ~_blank(frame["market_makers"])).to_numpy(dtype=bool) | (
        np.isfinite(mk) & ((mk < 0) | (mk != np.floor(mk)))
    )
    errors.flag(bad_makers | np.isinf(mk), "market_makers", "not a whole number >= 0")
    frame["market_makers"] = makers


def _check_fund_assets(frame: pd.DataFrame, errors: _Errors) -> None:
    """``fund_assets`` is blank or one of `netcap.book.model.FundAssets` (case aside)."""
    assets = _Text.of(frame["fund_assets"], lower=True)
    bad = assets.present() & ~assets.member(_FUND_ASSETS)
    errors.each(
        bad,
        "fund_assets",
        lambda r: f"{frame['fund_assets'].iloc[r]!r} is not one of {sorted(_FUND_ASSETS)}",
    )
    frame["fund_assets"] = assets.categorical()


def _check_issue_dates(frame: pd.DataFrame, maturity: pd.Series, errors: _Errors) -> None:
    """``issue_date`` and ``underwritten_on`` are dates; an issue date is not after the
    maturity date."""
    for col in ("issue_date", "underwritten_on"):
        parsed_dates, bad_dates = _parse_dates(frame[col])
        errors.flag(bad_dates, col, _NOT_A_DATE)
        frame[col] = parsed_dates
    errors.flag(
        (frame["issue_date"] > maturity).fillna(False).to_numpy(dtype=bool),
        "issue_date",
        "after the maturity date",
    )


def _check_hedges(frame: pd.DataFrame, ids: _Ids, errors: _Errors) -> None:
    """``hedge_with`` names another position of the book (not the position itself)."""
    hedge = _Text.of(frame["hedge_with"])
    _, own, unknown = ids.linked(hedge)
    errors.flag(own, "hedge_with", "names the position itself")
    errors.each(unknown, "hedge_with", lambda r: f"{hedge.text(r)!r} names no position in the book")
    frame["hedge_with"] = hedge.categorical()


def _check_trade_dates(frame: pd.DataFrame, errors: _Errors) -> PositionDates:
    """``trade_date`` and ``settlement_date`` are dates; the settlement date is completed
    and checked by `netcap.calendar.settlement.position_dates` (15c6-1)."""
    cash = (frame["instrument"] == Instrument.CASH.value).to_numpy(dtype=bool)
    trade_dates, bad_trade = _parse_dates(frame["trade_date"])
    settlement_dates, bad_settlement = _parse_dates(frame["settlement_date"])
    errors.flag(bad_trade, "trade_date", _NOT_A_DATE)
    errors.flag(bad_settlement, "settlement_date", _NOT_A_DATE)
    if not _gives_dates(frame):
        # no row gives a date: nothing to complete or check, and the frame leaves the date
        # columns out (`_date_and_option_columns`), so none are built
        return PositionDates(columns={}, errors=[])
    dates = position_dates(
        trade_dates,
        settlement_dates,
        frame["security_class"],
        cash,
        unreadable_settlement=bad_settlement,
    )
    errors.extend(RowError(r + errors.row_offset, f, m, errors.source) for r, f, m in dates.errors)
    return dates


def _gives_dates(frame: pd.DataFrame) -> bool:
    """Some row has a trade or a settlement date cell (read or not)."""
    return bool(frame["trade_date"].notna().any() or frame["settlement_date"].notna().any())


def _date_and_option_columns(frame: pd.DataFrame, dates: PositionDates) -> pd.DataFrame:
    """The trade and settlement date columns, kept only when a row gives a date, and the
    option columns, kept only when a row is an option: blanks cost memory at scale."""
    if _gives_dates(frame):
        for (
            col,
            column,
        ) in dates.columns.items():  # trade and settlement dates, netcap.calendar.settlement
            frame[col] = pd.to_datetime(column) if column.dtype.kind == "M" else column
    else:
        frame = frame.drop(columns=list(DATE_COLUMNS))
    if not (frame["instrument"] == Instrument.OPTION.value).any():
        # validated blanks only (a non-option row may not carry them): drop them
        frame = frame.drop(columns=list(OPTION_COLUMNS))
    return frame


_SC = SecurityClass
_NO_MATURITY = frozenset(
    {_SC.EQUITY, _SC.REDEEMABLE_FUND, _SC.MONEY_MARKET_FUND, _SC.CRYPTO_NON_SECURITY}
)
"""Classes whose haircut never reads a maturity: (c)(2)(vi)(D) funds, (J) equity, crypto."""
_NO_DEFAULT = frozenset(
    {
        _SC.GOVERNMENT,
        _SC.AGENCY,
        _SC.CANADIAN_GOVERNMENT,
        _SC.EQUITY,
        _SC.REDEEMABLE_FUND,
        _SC.MONEY_MARKET_FUND,
        _SC.CRYPTO_NON_SECURITY,
        _SC.COMMODITY,
    }
)
"""Classes whose haircut does not turn on a default: only municipal, money market, debt and
preferred positions are moved to (J) by one ((c)(2)(vi)(B), (E), (F), (G), (H))."""
_FUND_CLASSES = frozenset({_SC.REDEEMABLE_FUND, _SC.MONEY_MARKET_FUND})


def _facts_that_cannot_apply(
    frame: pd.DataFrame,
    maturity: pd.Series,
    years: pd.Series,
    source: str,
    row_offset: int,
) -> list[RowError]:
    """A fact given for a position whose haircut never reads it is refused, not ignored.

    ``in_default`` on a Treasury, a ``maturity`` on a stock or ``fund_assets`` on a bond
    would otherwise be dropped without a word; the user most likely meant another class.
    """
    cls = frame["security_class"]
    codes, uniques = _per_value(cls)  # the class tests run once per distinct class
    errors: list[RowError] = []

    def of(classes: frozenset[SecurityClass]) -> np.ndarray:
        wanted = [i for i, u in enumerate(uniques) if u in {c.value for c in classes}]
        return np.isin(codes, wanted)

    def refuse(mask: np.ndarray, field: str, why: str) -> None:
        for r in np.flatnonzero(mask):
            errors.append(
                RowError(
                    int(r) + row_offset,
                    field,
                    f"does not apply to a {cls.iloc[r]} position ({why}); leave it blank "
                    "or correct the security_class",
                    source,
                )
            )

    no_maturity = of(_NO_MATURITY)
    refuse(
        no_maturity & maturity.notna().to_numpy(dtype=bool),
        "maturity",
        "its haircut does not depend on a maturity",
    )
    refuse(
        no_maturity & years.notna().to_numpy(dtype=bool),
        "years_to_maturity",
        "its haircut does not depend on a maturity",
    )
    refuse(
        of(_NO_DEFAULT) & frame["in_default"].to_numpy(dtype=bool),
        "in_default",
        "a default moves only municipal, money market, debt and preferred positions to (J)",
    )
    refuse(
        ~of(_FUND_CLASSES) & frame["fund_assets"].notna().to_numpy(dtype=bool),
        "fund_assets",
        "only redeemable_fund and money_market_fund positions hold fund assets",
    )
    return errors


DATE_COLUMNS: tuple[str, ...] = ("trade_date", "settlement_date")
"""Trade and settlement date columns: a validated frame keeps them (with the settlement
date's source, citation and note from `netcap.calendar.settlement.position_dates`) only when at
least one row gives a date."""


def option_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Option column ``name`` of a validated frame, or its blank default if the frame has none.

    A validated frame leaves out the `OPTION_COLUMNS` when no row is an option.
    """
    if name not in _OPTION_BLANKS:
        raise KeyError(f"{name!r} is not one of the option columns {list(OPTION_COLUMNS)}")
    if name in frame.columns:
        return frame[name]
    blank = _OPTION_BLANKS[name]
    if name == "expiry":
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]", name=name)
    if isinstance(blank, float):
        return pd.Series(blank, index=frame.index, dtype=float, name=name)
    return pd.Series([blank] * len(frame), index=frame.index, dtype=object, name=name)


def align_option_columns(*frames: pd.DataFrame) -> list[pd.DataFrame]:
    """The frames, each given every option column if any of them has one.

    For joining validated frames (a book and a trade) where only one holds options.
    """
    if not any(c in f.columns for f in frames for c in OPTION_COLUMNS):
        return list(frames)
    out = []
    for f in frames:
        missing = [c for c in OPTION_COLUMNS if c not in f.columns]
        out.append(f.assign(**{c: option_column(f, c) for c in missing}) if missing else f)
    return out


def _validate_options(
    frame: pd.DataFrame,
    ids: _Ids,
    as_of: date,
    source: str,
    row_offset: int,
) -> list[RowError]:
    """Check and convert the option columns in place (``listed`` is parsed with the flags).

    Every option needs ``option_type``, ``strike``, ``underlying_price``, ``units``,
    ``expiry`` and ``underlying``; other instruments may not carry them.  ``offsets``
    must name another position of the book (Appendix A, 15c3-1a).
    """
    errors = _Errors(source, row_offset)
    is_option = (frame["instrument"] == Instrument.OPTION.value).fillna(False).to_numpy(bool)
    kind = _Text.of(frame["option_type"], lower=True)
    has_kind = kind.present()
    errors.flag(
        has_kind & ~kind.member({"call", "put"}), "option_type", "not one of ['call', 'put']"
    )
    frame["option_type"] = kind.objects()
    present = {"option_type": has_kind}
    for col in ("strike", "underlying_price", "units"):
        blank = _blank(frame[col]).to_numpy(dtype=bool)
        num = _numbers(frame[col]).astype(float)
        v = num.to_numpy()
        errors.flag(np.isnan(v) & ~blank, col, "not a number")
        errors.flag(np.isinf(v) | (np.isfinite(v) & (v > MAX_AMOUNT)), col, _TOO_LARGE)
        errors.flag(
            v < 0 if col != "units" else v <= 0, col, "negative" if col != "units" else "not > 0"
        )
        frame[col] = num
        present[col] = ~blank
    expiry, bad_expiry = _parse_dates(frame["expiry"])
    blank_expiry = _blank(frame["expiry"]).to_numpy(dtype=bool)
    errors.flag(bad_expiry, "expiry", _NOT_A_DATE)
    errors.flag(
        (expiry < pd.Timestamp(as_of)).fillna(False).to_numpy(dtype=bool),
        "expiry",
        f"expired before the as-of date {as_of.isoformat()}",
    )
    frame["expiry"] = expiry
    present["expiry"] = ~blank_expiry
    underlying = _Text.of(frame["underlying"])
    offsets = _Text.of(frame["offsets"])
    present["underlying"] = underlying.present()
    present["offsets"] = offsets.present()
    frame["underlying"] = underlying.categorical()
    frame["offsets"] = offsets.categorical()
    for col, has in present.items():
        if col != "offsets":
            errors.flag(is_option & ~has, col, "required for an option position (15c3-1a)")
        errors.flag(~is_option & has, col, "only an option position carries this field")
    _, own, unknown = ids.linked(offsets)
    errors.flag(own, "offsets", "names the position itself")
    errors.each(unknown, "offsets", lambda r: f"{offsets.text(r)!r} names no position in the book")
    return errors
