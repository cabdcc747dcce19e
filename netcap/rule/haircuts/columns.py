"""Column helpers shared by the haircut paragraphs: codes instead of text, rows of ids.

The haircut core works on numpy arrays over the rows of a validated position
frame.  Text columns (class, instrument, side, route, paragraph, ...) are
compared and grouped as integer codes, each distinct value hashed once; a link
from one position to another (``deliverable_position``, ``offsets``,
``hedge_with``) is resolved by hashing the few link targets and probing the
ids, never by building a table of every id; or, where validation left the ids as
a categorical in row order, by the categories' own table (`id_index`).
`Links` reads each link column once per computation: which rows name a
position, and the row of the position each names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "LINK_COLUMNS",
    "IdRows",
    "Links",
    "TextCodes",
    "blank_texts",
    "categorical",
    "dates_at",
    "id_array",
    "id_index",
    "in_at",
    "object_array",
    "present_rows",
    "rows_of",
    "same_at",
    "text_codes",
    "values_at",
]

LINK_COLUMNS = ("deliverable_position", "offsets", "hedge_with")
"""The columns in which a position names another position of the book by its id."""


class TextCodes:
    """A text column as integer codes over its distinct values (``-1``: missing).

    Signed integer codes are kept as given (a categorical's own, a byte a row for a
    few values); others are read as 64-bit integers.
    """

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        codes = np.asarray(codes)
        self.codes: np.ndarray = codes if codes.dtype.kind == "i" else codes.astype(np.int64)
        self.uniques = np.asarray(uniques, dtype=object)

    def code(self, value: object) -> int:
        """The code of ``value`` (``-2``, which no row has, where no row holds it)."""
        hit = np.flatnonzero(self.uniques == value)
        return int(hit[0]) if len(hit) else -2

    def isin(self, values: tuple[str, ...] | list[str]) -> np.ndarray:
        """True on the rows whose value is one of ``values``."""
        table = np.zeros(len(self.uniques) + 1, dtype=bool)  # index -1 (missing) stays False
        table[: len(self.uniques)] = np.isin(self.uniques, list(values))
        out: np.ndarray = table[self.codes]
        return out

    def values(self) -> np.ndarray:
        """The column back as an object array (``None`` where missing)."""
        table = np.concatenate([self.uniques, np.array([None], dtype=object)])
        return np.asarray(table[self.codes])


def text_codes(col: pd.Series | np.ndarray) -> TextCodes:
    """Codes of a text column: a categorical's own codes, else one factorization."""
    if isinstance(col, pd.Series) and isinstance(col.dtype, pd.CategoricalDtype):
        return TextCodes(col.cat.codes.to_numpy(), col.cat.categories.to_numpy(dtype=object))
    codes, uniques = pd.factorize(np.asarray(col, dtype=object))
    return TextCodes(codes, np.asarray(uniques, dtype=object))


class IdRows:
    """Rows of the ids a book links to (``deliverable_position``, ``offsets``, ``hedge_with``).

    The distinct linked ids are hashed and every id probed once; each link
    column then looks its targets up among those few.
    """

    def __init__(self, ids: np.ndarray, wanted: np.ndarray) -> None:
        self.targets = pd.Index(pd.unique(np.asarray(wanted, dtype=object)))
        hit = self.targets.get_indexer(np.asarray(ids, dtype=object))
        found = np.flatnonzero(hit >= 0)
        self.row_of_target = np.full(len(self.targets) + 1, -1, dtype=np.int64)
        self.row_of_target[hit[found]] = found

    def __call__(self, wanted: np.ndarray) -> np.ndarray:
        """Row of each of ``wanted`` (-1 where no row has it or it was not linked)."""
        if len(wanted) == 0:
            return np.zeros(0, dtype=np.int64)
        where = self.targets.get_indexer(np.asarray(wanted, dtype=object))
        return np.asarray(self.row_of_target[where])


def id_index(col: pd.Series) -> pd.Index | None:
    """The ids as an index whose position is the row, where the column already is one.

    Validation reads ``id`` as a categorical whose code is its row: its
    categories are then the ids in row order, hashed once by validation, so
    looking an id up there gives its row.  None for any other column.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.array.codes
        categories = col.cat.categories
        # (the codes' integer type holds every row number when there is a category a row)
        if len(categories) == len(codes) and bool(
            (codes == np.arange(len(codes), dtype=codes.dtype)).all()
        ):
            return categories
    return None


def id_array(col: pd.Series) -> np.ndarray:
    """The ids of a position column as an object array (read-only where it is the categories).

    Validation reads ``id`` as a categorical whose code is its row: its categories
    are then the ids in row order and no million-element take is needed.
    """
    index = id_index(col)
    if index is not None:
        return np.asarray(index.to_numpy(dtype=object))
    return np.asarray(col.to_numpy(dtype=object))


_NONE_REF = np.uintp(id(None))


def present_rows(col: pd.Series) -> np.ndarray:
    """Rows of a column that hold a value (not None, NaN or NaT): ``pd.notna``'s rows.

    A validated link column is mostly ``None``, and ``None`` is one object: the
    array's references are compared with it first (a scan of integers, not a
    visit of a million objects), and only the other cells are tested by
    ``pd.notna``.  A categorical's rows are those whose code is not ``-1``.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        return np.flatnonzero(np.asarray(col.array.codes) >= 0)
    values = col.to_numpy(dtype=object)
    if values.ndim != 1 or not values.flags.c_contiguous:
        return np.flatnonzero(pd.notna(values))
    refs = np.frombuffer(values.data.cast("B"), dtype=np.uintp)
    maybe = np.flatnonzero(refs != _NONE_REF)
    return maybe[pd.notna(values[maybe])]


def values_at(col: pd.Series, rows: np.ndarray, dtype: type | str = object) -> np.ndarray:
    """``col.to_numpy(dtype=dtype)[rows]`` without converting the other rows.

    A categorical's values are taken from its categories by code (missing: NaN,
    as pandas gives them); a numpy column is indexed directly.
    """
    if isinstance(col.dtype, pd.CategoricalDtype) and dtype is object:
        values = col.array
        codes = values.codes[rows]
        categories = values.categories.to_numpy(dtype=object)
        missing = codes < 0
        if not len(categories):
            return np.full(len(codes), np.nan, dtype=object)
        out = categories[np.where(missing, 0, codes)]
        if missing.any():
            out[missing] = np.nan
        return np.asarray(out)
    if isinstance(col.dtype, np.dtype):
        return np.asarray(col.to_numpy()[rows], dtype=dtype)
    return np.asarray(col.iloc[rows].to_numpy(dtype=dtype))


def in_at(col: pd.Series, rows: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
    """``np.isin(values_at(col, rows), values)``, each distinct value compared once.

    A categorical is read by its codes; a column of objects by the references at
    ``rows`` (integers), so only its few distinct objects are compared.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        table = np.zeros(len(col.array.categories) + 1, dtype=bool)  # code -1: missing
        table[:-1] = np.isin(col.array.categories.to_numpy(dtype=object), values)
        hit: np.ndarray = table[col.array.codes[rows]]
        return hit
    held = col.to_numpy() if col.dtype == object else None
    if held is None or held.ndim != 1 or not held.flags.c_contiguous:
        return np.isin(values_at(col, rows), values)
    by_object, _ = pd.factorize(np.frombuffer(held.data.cast("B"), dtype=np.uintp)[rows])
    # where each object first appears: its number exceeds every number before it
    before = np.maximum.accumulate(np.concatenate([[-1], by_object[:-1]]))
    first = rows[np.flatnonzero(by_object > before)]
    out: np.ndarray = np.isin(held[first], values)[by_object]
    return out


def same_at(col: pd.Series, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """``values_at(col, rows_a) == values_at(col, rows_b)`` (a missing value equals nothing);
    a categorical compared by its codes."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.array.codes
        a = codes[rows_a]
        return np.asarray((a == codes[rows_b]) & (a >= 0))
    return np.asarray(values_at(col, rows_a) == values_at(col, rows_b))


def dates_at(col: pd.Series, rows: np.ndarray) -> np.ndarray:
    """A date column at ``rows`` as datetime64 (NaT where blank), the other rows not read."""
    if col.dtype.kind == "M":
        return np.asarray(np.take(col.to_numpy(), rows))
    return np.asarray(pd.to_datetime(col.iloc[rows]).to_numpy())


def object_array(items: list[str]) -> np.ndarray:
    """A list of strings as a 1-d object array holding those strings themselves."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def blank_texts(n: int) -> np.ndarray:
    """An object array of ``n`` empty strings (one shared ``""``, not ``n`` new ones)."""
    out = np.empty(n, dtype=object)
    out.fill("")
    return out


class Links:
    """The links of a frame, each link column read once: which rows name a position,
    and the row of the position each names (-1 where no row has that id).

    The ids are looked up in the categories of a validated ``id`` column where they
    are in row order (`id_index`: only the named ids are hashed); otherwise the
    distinct named ids are hashed and every id probed once (`IdRows`).
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        columns: tuple[str, ...] = LINK_COLUMNS,
        also: tuple[str, ...] = ("futures_contract",),
    ) -> None:
        index = id_index(frame["id"])
        self.ids = (
            np.asarray(index.to_numpy(dtype=object))
            if index is not None
            else np.asarray(frame["id"].to_numpy(dtype=object))
        )
        self._rows: dict[str, np.ndarray] = {}
        self._names: dict[str, np.ndarray] = {}
        self._targets: dict[str, np.ndarray] = {}
        for col in columns:
            if col in frame.columns:
                rows = present_rows(frame[col])
                self._rows[col] = rows
                self._names[col] = values_at(frame[col], rows)
        for col in also:  # rows with a value, no link to follow
            if col in frame.columns:
                self._rows[col] = present_rows(frame[col])
        named = [v for v in self._names.values() if len(v)]
        if index is not None:
            for col, names in self._names.items():
                found = np.zeros(0, dtype=np.int64)
                if len(names):
                    found = np.asarray(index.get_indexer(pd.Index(names, dtype=object)))
                self._targets[col] = found.astype(np.int64, copy=False)
        else:
            resolve = IdRows(self.ids, np.concatenate(named)) if named else None
            for col, names in self._names.items():
                self._targets[col] = rows_of(self.ids, names, resolve)

    def rows(self, col: str) -> np.ndarray:
        """Rows whose ``col`` names a position, or holds a value for a column of ``also``
        (none where the frame lacks the column)."""
        return self._rows.get(col, np.zeros(0, dtype=np.int64))

    def names(self, col: str) -> np.ndarray:
        """The ids named, row by row of `rows`."""
        return self._names.get(col, np.zeros(0, dtype=object))

    def targets(self, col: str) -> np.ndarray:
        """The row of each position named, row by row of `rows` (-1: no row has that id)."""
        return self._targets.get(col, np.zeros(0, dtype=np.int64))


def rows_of(ids: np.ndarray, wanted: np.ndarray, resolve: IdRows | None = None) -> np.ndarray:
    """Row (position in ``ids``) of each of ``wanted`` (-1 where no row has that id).

    ``ids`` are unique.  ``resolve`` answers from ids already probed (see
    `IdRows`); otherwise the distinct wanted ids are hashed and every id probed,
    which is cheaper than hashing every id when few are wanted.
    """
    if len(wanted) == 0:
        return np.zeros(0, dtype=np.int64)
    return (resolve or IdRows(ids, wanted))(wanted)


def categorical(codes: np.ndarray, categories: np.ndarray | list[str]) -> pd.Categorical:
    """Text from codes, as a pandas Categorical (built once, at the end of a computation)."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))
