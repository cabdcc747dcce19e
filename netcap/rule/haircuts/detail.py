"""The haircut detail: one row per input position, whatever paragraph charged it.

Columns
-------
``id``            the position id
``paragraph``     the citation of the charge (e.g. ``15c3-1(c)(2)(vi)(A)(1)``)
``bucket``        the schedule row applied (``4b``: government 15-20 years)
``rate``          the schedule's percentage for that bucket
``exposure``      signed market value subject to the paragraph (after cover)
``gross_charge``  ``rate * |exposure|``: the charge before any netting or offset
``charge``        the position's share of the paragraph's charge after netting
``note``          what happened (covered, netted, exempt, ...)
``add_on_paragraph`` the citation of a charge added on top of ``charge`` (undue
                  concentration, (M); the Appendix B margin charge on a
                  government futures contract), or ``""``
``add_on_charge`` that added charge (0 where none)

For an Appendix B futures row ``rate`` is the multiple of margin and
``gross_charge`` that multiple of the margin on the uncovered part, not
``rate * |exposure|``.

Where a paragraph nets positions (the government categories, the 25% offset of
(J)) the netted charge is allocated back to positions in proportion to their
gross charge, so ``charge`` sums to the paragraph total exactly.  The allocation
is a presentation device; the rule's figure is the paragraph total.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from netcap.rule.haircuts.columns import blank_texts

__all__ = [
    "DETAIL_COLUMNS",
    "DetailPart",
    "Labels",
    "ParagraphHaircut",
    "allocate",
    "append_note",
    "blank_texts",
    "build_detail",
    "noted_rows",
]

DETAIL_COLUMNS: tuple[str, ...] = (
    "id",
    "paragraph",
    "bucket",
    "rate",
    "exposure",
    "gross_charge",
    "charge",
    "note",
    "add_on_paragraph",
    "add_on_charge",
)


@dataclass(frozen=True)
class Labels:
    """A text column as codes into a few names (citations, bucket keys): ``-1`` is blank.

    A paragraph names each row's citation by the schedule row it used, so its
    text is ``names[codes]`` without a string per row; names may repeat (two
    buckets citing one paragraph).
    """

    codes: np.ndarray
    names: np.ndarray

    @classmethod
    def of(cls, value: Labels | str | np.ndarray | list[str], n: int) -> Labels:
        """Labels of ``n`` rows from one text for every row, a text per row, or labels."""
        if isinstance(value, Labels):
            return value
        if isinstance(value, str):
            return cls(np.zeros(n, dtype=np.int64), np.array([value], dtype=object))
        codes, names = pd.factorize(np.asarray(value, dtype=object), use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.int64), np.asarray(names, dtype=object))

    def __len__(self) -> int:
        return len(self.codes)

    def text(self) -> np.ndarray:
        """The text of every row (``""`` where blank)."""
        table = np.concatenate([self.names, np.array([""], dtype=object)])
        out: np.ndarray = table[self.codes]
        return out

    def put(self, mask: np.ndarray, value: str) -> Labels:
        """A copy with ``value`` on the rows of ``mask``."""
        codes = self.codes.copy()
        codes[mask] = len(self.names)
        return Labels(codes, np.concatenate([self.names, np.array([value], dtype=object)]))


@dataclass(frozen=True)
class DetailPart:
    """One paragraph's detail rows as arrays (see the module docstring for each column).

    ``at`` gives, for each detail row, its position among the rows the paragraph
    was given (``None``: the same rows in the same order); the haircut core
    turns it into frame rows and assembles one detail for the whole book.
    """

    paragraph: Labels
    bucket: Labels
    rate: np.ndarray
    exposure: np.ndarray
    gross_charge: np.ndarray
    charge: np.ndarray
    note: np.ndarray
    at: np.ndarray | None = None
    add_on_paragraph: Labels | None = None
    add_on_charge: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.exposure)

    def replace(self, **changes: object) -> DetailPart:
        """A copy with some columns replaced."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ParagraphHaircut:
    """One paragraph's result: a detail row per position and its worksheets."""

    detail: DetailPart
    worksheets: dict[str, pd.DataFrame] = field(default_factory=dict)


def build_detail(
    paragraph: Labels | np.ndarray | str,
    bucket: Labels | np.ndarray | str,
    rate: np.ndarray | float,
    exposure: np.ndarray,
    gross_charge: np.ndarray,
    charge: np.ndarray,
    note: np.ndarray | list[str] | str = "",
    *,
    at: np.ndarray | None = None,
) -> DetailPart:
    """A paragraph's detail rows (scalars are broadcast to every row).

    Text given per row is coded here; a paragraph that picks its citation and
    bucket from a schedule row passes `Labels` (the row's index into the
    schedule's column) and no text is built per row.
    """
    n = len(exposure)
    notes = np.asarray(note, dtype=object)
    return DetailPart(
        paragraph=Labels.of(paragraph, n),
        bucket=Labels.of(bucket, n),
        rate=np.broadcast_to(np.asarray(rate, dtype=float), (n,)).copy(),
        exposure=np.asarray(exposure, dtype=float),
        gross_charge=np.asarray(gross_charge, dtype=float),
        charge=np.asarray(charge, dtype=float),
        note=np.full(n, note, dtype=object) if notes.ndim == 0 else notes,
        at=at,
    )


def allocate(total: np.ndarray, group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Split each group's ``total`` over its rows in proportion to ``weight``.

    ``total`` is indexed by group number; ``group`` gives each row's group.  A
    group whose weights are all zero gets an equal split (its total is then
    zero in every use here, so nothing is invented).
    """
    groups = len(total)
    weight = np.asarray(weight, dtype=float)
    wsum = np.bincount(group, weights=weight, minlength=groups).astype(float, copy=False)[group]
    weighted = wsum > 0
    share: np.ndarray = np.divide(weight, wsum, out=wsum, where=weighted)  # wsum not read again
    if not weighted.all():  # an equal split where a group's weights are all zero
        count = np.bincount(group, minlength=groups).astype(float)
        even = np.flatnonzero(~weighted)
        share[even] = 1.0 / np.maximum(count[group[even]], 1.0)
    share *= total[group]  # total x share, the same product
    return share


_BLANK_REF = np.uintp(id(""))


def noted_rows(notes: np.ndarray) -> np.ndarray:
    """Rows of an object array of notes that hold text (anything but ``""``).

    A blank note is the one empty-string object Python shares, so the array's
    references are compared with it first (a scan of integers, not a visit of
    every object) and only the other rows are compared as text.
    """
    if notes.dtype != object or notes.ndim != 1 or not notes.flags.c_contiguous:
        return np.flatnonzero(np.asarray(notes, dtype=object) != "")
    refs = np.frombuffer(notes.data.cast("B"), dtype=np.uintp)
    maybe = np.flatnonzero(refs != _BLANK_REF)
    out: np.ndarray = maybe[notes[maybe] != ""]
    return out


def append_note(notes: list[str] | np.ndarray, mask: np.ndarray, text: str) -> np.ndarray:
    """``notes`` with ``text`` added (after ``"; "`` where a note exists) on the rows of ``mask``.

    Vectorized over rows; returns a new object array.
    """
    out = np.array(notes, dtype=object)
    at = np.flatnonzero(mask)
    if not len(at):
        return out
    current = out[at]
    had = noted_rows(current)  # found by reference, no text compared
    out[at] = text
    if len(had):
        out[at[had]] = current[had] + ("; " + text)
    return out
