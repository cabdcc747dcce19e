"""Column helpers shared by the haircut paragraphs: codes instead of text, rows of ids.

The haircut core works on numpy arrays over the rows of a validated position
frame.  Text columns (class, instrument, side, route, paragraph, ...) are
compared and grouped as integer codes, each distinct value hashed once; a link
from one position to another (``deliverable_position``, ``offsets``,
``hedge_with``) is resolved by hashing the few link targets and probing the
ids, never by building a table of every id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["IdRows", "TextCodes", "categorical", "id_array", "rows_of", "text_codes"]


class TextCodes:
    """A text column as integer codes over its distinct values (``-1``: missing)."""

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        self.codes = np.asarray(codes, dtype=np.int64)
        self.uniques = np.asarray(uniques, dtype=object)

    def code(self, value: object) -> int:
        """The code of ``value`` (``-2``, which no row has, where no row holds it)."""
        hit = np.flatnonzero(self.uniques == value)
        return int(hit[0]) if len(hit) else -2

    def isin(self, values: tuple[str, ...] | list[str]) -> np.ndarray:
        """True on the rows whose value is one of ``values``."""
        table = np.zeros(len(self.uniques) + 1, dtype=bool)  # index -1 (missing) stays False
        table[: len(self.uniques)] = np.isin(self.uniques, list(values))
        return table[self.codes]

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


def id_array(col: pd.Series) -> np.ndarray:
    """The ids of a position column as an object array (read-only where it is the categories).

    Validation reads ``id`` as a categorical whose code is its row: its categories
    are then the ids in row order and no million-element take is needed.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()
        categories = col.cat.categories
        if len(categories) == len(codes) and bool((codes == np.arange(len(codes))).all()):
            return np.asarray(categories.to_numpy(dtype=object))
    return np.asarray(col.to_numpy(dtype=object))


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
