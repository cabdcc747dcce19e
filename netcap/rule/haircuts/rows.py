"""The rows a paragraph charges, as numpy arrays taken from the position frame.

`compute_haircuts` hands each paragraph of 15c3-1(c)(2)(vi), Appendix A and
Appendix B the rows routed to it.  Rather than a sub-frame (which copies every
column of every row given), a paragraph gets `Rows`: the frame rows it owns and
a shared `Columns`, from which a column is read as a numpy array the first time
any paragraph asks for it, and taken at the paragraph's rows only when the
paragraph reads it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netcap.rule.haircuts.columns import id_array

__all__ = ["Columns", "Rows"]


class Columns:
    """The columns of a validated position frame as numpy arrays, each read once."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._arrays: dict[str, np.ndarray] = {}
        self._coded: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, name: str) -> bool:
        return name in self.frame.columns

    def __getitem__(self, name: str) -> np.ndarray:
        """Column ``name`` over every row: numbers and flags as they are, text as objects."""
        out = self._arrays.get(name)
        if out is None:
            coded = self.coded(name)
            if coded is not None:
                codes, names = coded
                out = names[codes]
            else:
                col = self.frame[name]
                if name == "id":
                    out = id_array(col)
                elif col.dtype == object or isinstance(col.dtype, pd.StringDtype):
                    out = np.asarray(col.to_numpy(dtype=object))
                else:
                    out = np.asarray(col.to_numpy())
            self._arrays[name] = out
        return out

    def coded(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A categorical column (other than ``id``) as its codes and its names, ``None`` otherwise.

        The names carry ``None`` at the end for code -1 (a blank), so ``names[codes]``
        is the column's text.
        """
        if name in self._coded:
            return self._coded[name]
        col = self.frame[name]
        out = None
        if name != "id" and isinstance(col.dtype, pd.CategoricalDtype):
            names = np.concatenate(
                [col.cat.categories.to_numpy(dtype=object), np.array([None], dtype=object)]
            )
            out = (np.asarray(col.cat.codes.to_numpy()), names)
        self._coded[name] = out
        return out

    def rows(self, index: np.ndarray | None = None) -> Rows:
        """The rows ``index`` (every row when None)."""
        return Rows(self, np.arange(len(self)) if index is None else np.asarray(index))


class Rows:
    """Some rows of a position frame; ``rows[name]`` is that column at these rows."""

    def __init__(self, columns: Columns, index: np.ndarray) -> None:
        self.columns = columns
        self.index = index
        self._taken: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        out = self._taken.get(name)
        if out is None:
            coded = self.columns.coded(name)
            if coded is not None:  # text decoded at these rows only
                codes, names = coded
                out = names[codes[self.index]]
            else:
                out = self.columns[name][self.index]
            self._taken[name] = out
        return out

    def equals(self, name: str, value: str) -> np.ndarray:
        """True on the rows whose ``name`` is ``value``: a categorical's codes are compared
        with that value's code, so no text is decoded."""
        coded = self.columns.coded(name)
        if coded is None:
            out: np.ndarray = self[name] == value
            return out
        codes, names = coded
        hit = np.flatnonzero(names[:-1] == value)
        if not len(hit):
            return np.zeros(len(self.index), dtype=bool)
        return np.asarray(np.take(codes, self.index) == hit[0])

    def label(self, i: int) -> int | str:
        """The label of row ``i`` of these for error messages (its input row, else its position)."""
        return int(self["row"][i]) if "row" in self else i
