"""Covered futures: inventory deliverable against an open futures contract.

17 CFR 240.15c3-1b(a)(3)(ix)(A) (Appendix B) takes no charge on inventory that
is deliverable on a contract market and covered by an open futures contract.
Inventory is a long position; the contract that covers it is a short futures
position.  A futures row names the cash row deliverable against it in
``deliverable_position``; the covered amount is the lesser of the two market
values (several futures may cover one cash position, first come first served).

A link in the other direction (long futures against a short cash position) is
not "inventory covered by a futures contract": the link is reported as not
eligible and both positions stay in the ordinary haircut computation.

(ix)(A) covers only inventory *deliverable* against the contract.  When the
futures row names its exchange contract (``futures_contract``: TU, FV, TY, UB
...), the cash row's remaining term is checked against the contract's
deliverable grade in ``haircut_tables/futures_deliverable.csv``; a cash row
outside it is not cover, and a warning names both rows.  The exchanges measure
remaining term from the first day of the delivery month; netcap measures it
from the as-of date, that is it treats the as-of date as the first day of the
delivery month (the nearby contract).  The original-term cap of a grade is
checked only when the cash row gives both ``issue_date`` and ``maturity``.

When no contract is named the user's link is accepted as given, but if the two
rows' maturities fall in different categories of 15c3-1(c)(2)(vi)(A) a warning
says that deliverability was not checked.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.book.model import Instrument, Side
from netcap.rule.haircuts.columns import (
    Links,
    blank_texts,
    in_at,
    object_array,
    same_at,
    values_at,
)
from netcap.rule.haircuts.note_text import money_texts, plain_texts
from netcap.rule.tables import Schedule, TableError

__all__ = [
    "COVERED_CITATION",
    "UNCHECKED",
    "CoverNotes",
    "DeliverableGrade",
    "cover_notes",
    "cover_warnings",
    "covered_values",
    "grades",
]

COVERED_CITATION = "15c3-1b(a)(3)(ix)(A)"
UNCHECKED = "deliverability unchecked"
"""Marker of the warning for a link accepted without a contract code."""


class DeliverableGrade:
    """One contract's deliverable grade: a window of remaining term, in months."""

    def __init__(
        self, code: str, lower: float, upper: float, upper_inclusive: bool, original_max: float
    ) -> None:
        self.code = code
        self.lower = lower
        self.upper = upper
        self.upper_inclusive = upper_inclusive
        self.original_max = original_max

    def holds(self, months: float) -> bool:
        """True when a remaining term of ``months`` is inside the window."""
        if not months >= self.lower:  # also False for NaN
            return False
        return months <= self.upper if self.upper_inclusive else months < self.upper

    def describe(self) -> str:
        """The window in words, e.g. ``21-25 months remaining``."""
        top = "" if np.isinf(self.upper) else f"{self.upper:g}"
        shut = "]" if self.upper_inclusive else ")"
        text = f"[{self.lower:g}, {top or 'inf'}{shut} months remaining"
        if np.isfinite(self.original_max):
            text += f", original term at most {self.original_max:g} months"
        return text


def grades(schedule: Schedule) -> dict[str, DeliverableGrade]:
    """Deliverable grades by contract code and alias (``futures_deliverable`` rows in force)."""
    out: dict[str, DeliverableGrade] = {}
    for rec in schedule.rows.to_dict("records"):
        code = str(rec["key"]).strip().upper()
        flag = str(rec.get("upper_inclusive", "")).strip().lower()
        if flag not in ("true", "false"):
            raise TableError(
                f"futures_deliverable row {code!r}: field 'upper_inclusive': {flag!r} is not "
                "true or false"
            )
        cap = str(rec.get("original_term_max", "") or "").strip()
        try:
            original_max = float(cap) if cap else np.inf
        except ValueError:
            raise TableError(
                f"futures_deliverable row {code!r}: field 'original_term_max': {cap!r} is not "
                "a number of months"
            ) from None
        grade = DeliverableGrade(
            code, float(rec["lower"]), float(rec["upper"]), flag == "true", original_max
        )
        for name in [code, *str(rec.get("aliases", "") or "").upper().split()]:
            out[name] = grade
    return out


def _original_months(issued: object, matures: object) -> float:
    """Complete months from issue to maturity (NaN unless both dates are known)."""
    if issued is None or matures is None:
        return float("nan")
    a, b = pd.Timestamp(str(issued)), pd.Timestamp(str(matures))
    if pd.isna(a) or pd.isna(b):
        return float("nan")
    return float((b.year - a.year) * 12 + (b.month - a.month) - (1 if b.day < a.day else 0))


def _check_contracts(
    frame: pd.DataFrame, rows: np.ndarray, table: dict[str, DeliverableGrade]
) -> dict[int, DeliverableGrade]:
    """Grade of the ``futures_contract`` of each of ``rows`` (the rows naming one);
    unknown codes are errors."""
    codes = _at(frame["futures_contract"], rows)  # read at the rows naming one only
    labels = frame["row"].to_numpy() if "row" in frame.columns else np.arange(len(frame))
    out: dict[int, DeliverableGrade] = {}
    errors = []
    for i, code in zip(rows.tolist(), codes.tolist(), strict=True):
        grade = table.get(str(code).strip().upper())
        if grade is None:
            errors.append(
                RowError(
                    int(labels[i]),
                    "futures_contract",
                    f"{code!r} is not a contract of the deliverable-grade table "
                    f"(known on this date: {', '.join(sorted(table))})",
                )
            )
        else:
            out[i] = grade
    if errors:
        raise BookError(errors)
    return out


def _at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column.to_numpy(dtype=object)[rows]`` without converting the other rows."""
    return values_at(column, rows, object)


class CoverNotes(NamedTuple):
    """What `cover_notes` finds: the covered amounts, the notes and the warnings in them."""

    covered: np.ndarray
    """Covered amount of each row (absolute dollars)."""
    notes: np.ndarray
    """A note per row (an object array; ``""`` where none)."""
    warnings: list[str] | None
    """The warning parts of the futures rows' notes, in row order; None where they
    can only be found by reading the notes (see `cover_warnings`)."""
    clean: tuple[np.ndarray, np.ndarray] | None = None
    """Rows whose notes were written holding no warning's phrase, and those notes (an
    object array holding the very objects put in ``notes``, so that a note not
    replaced since is known by being the same object); None when not known."""


def covered_values(
    frame: pd.DataFrame,
    deliverable: Schedule | None = None,
    government: Schedule | None = None,
    *,
    links: Links | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Covered amount of each row (absolute dollars), and a note per row (an object array).

    The note is empty for rows without a link, names the covering futures or the
    covered inventory where cover applies, and says why where a link is not
    eligible.  ``deliverable`` (the ``futures_deliverable`` table) is needed when
    a row names a ``futures_contract``; ``government`` (the (c)(2)(vi)(A) table)
    lets an unchecked link between rows of different categories be flagged.
    ``links`` are the frame's links already read (`Links`); only the linked rows
    are visited.
    """
    found = cover_notes(frame, deliverable, government, links=links)
    return found.covered, found.notes


def cover_notes(
    frame: pd.DataFrame,
    deliverable: Schedule | None = None,
    government: Schedule | None = None,
    *,
    links: Links | None = None,
) -> CoverNotes:
    """`covered_values`, with the warnings its notes hold (for `cover_warnings`)."""
    n = len(frame)
    covered = np.zeros(n)
    notes = blank_texts(n)
    if links is None:
        links = Links(frame, ("deliverable_position",))
    futs = links.rows("deliverable_position")
    if len(futs) == 0:
        return CoverNotes(covered, notes, [])
    ids = links.ids
    cash = links.targets("deliverable_position")
    values = frame["market_value"].to_numpy(dtype=float)
    # only the linked rows are read, a categorical by its codes
    not_cash = ~in_at(frame["instrument"], cash, (Instrument.CASH.value,))
    other_class = ~not_cash & ~same_at(frame["security_class"], futs, cash)
    wrong_side = (
        ~not_cash
        & ~other_class
        & ~(
            in_at(frame["side"], futs, (Side.SHORT.value,))
            & in_at(frame["side"], cash, (Side.LONG.value,))
        )
    )
    ok = ~(not_cash | other_class | wrong_side)
    months = frame["months_to_maturity"].to_numpy(dtype=float)
    contract: dict[int, DeliverableGrade] = {}
    named = links.rows("futures_contract")
    if len(named):
        if deliverable is None:
            raise ValueError("a row names a futures_contract: pass the futures_deliverable table")
        contract = _check_contracts(frame, named, grades(deliverable))
    undeliverable = np.zeros(len(futs), dtype=bool)
    why_not: dict[int, str] = {}
    graded = np.isin(futs, np.fromiter(contract, dtype=np.int64, count=len(contract)))
    for q in np.flatnonzero(ok & graded).tolist():
        f, c = int(futs[q]), int(cash[q])
        grade = contract[f]
        if not grade.holds(months[c]):
            why_not[q] = (
                f"{ids[c]!r} ({months[c] / 12:.4g} years to maturity) is not deliverable "
                f"into {grade.code} ({grade.describe()})"
            )
        elif "issue_date" in frame.columns and "maturity" in frame.columns:
            original = _original_months(frame["issue_date"].iat[c], frame["maturity"].iat[c])
            if original > grade.original_max:
                why_not[q] = (
                    f"{ids[c]!r} (original term {original:g} months) is not deliverable "
                    f"into {grade.code} ({grade.describe()})"
                )
        undeliverable[q] = q in why_not
    ok &= ~undeliverable
    refused: list[str] = []  # the ineligible links' warnings, and the row of each
    refused_rows: list[int] = []
    refused_at = np.flatnonzero(~ok)
    # the classes' text, for the refused links only
    class_f = dict(
        zip(refused_at.tolist(), _at(frame["security_class"], futs[refused_at]), strict=True)
    )
    class_c = dict(
        zip(refused_at.tolist(), _at(frame["security_class"], cash[refused_at]), strict=True)
    )
    for q in refused_at.tolist():
        f, c = int(futs[q]), int(cash[q])
        if not_cash[q]:
            why = "the deliverable position is not a cash position"
        elif other_class[q]:
            why = f"deliverable class {class_c[q]!r} differs from the contract's {class_f[q]!r}"
        elif undeliverable[q]:
            why = why_not[q]
        else:
            why = "cover applies to long inventory against a short futures contract"
        notes[f] = f"link to {ids[c]!r} not eligible for {COVERED_CITATION}: {why}"
        if undeliverable[q]:
            notes[f] = f"{ids[f]!r}: {notes[f]}"
        parts = _phrase_parts([notes[f]])
        refused += parts
        refused_rows += [f] * len(parts)
    # first come first served: the contracts covering one cash row take its value
    # in row order; each takes the lesser of its value and what is left
    f_ok, c_ok = futs[ok], cash[ok]
    order = np.argsort(c_ok, kind="stable")
    f_ok, c_ok = f_ok[order], c_ok[order]
    fv = values[f_ok]
    amount = np.minimum(values[c_ok], fv)
    start = np.r_[True, c_ok[1:] != c_ok[:-1]] if len(c_ok) else np.zeros(0, dtype=bool)
    # a cash row covered by several contracts: walk them in order (rare, exact)
    for k in np.flatnonzero(~start):
        if start[k - 1]:
            left = values[c_ok[k - 1]] - amount[k - 1]
        amount[k] = min(left, fv[k])
        left -= amount[k]
    covered[f_ok] += amount  # each futures row names one position
    if start.all():  # each cash row covered once
        covered[c_ok] += amount
    else:
        np.add.at(covered, c_ok, amount)
    # the links flagged as unchecked, by their place in the sorted pairs
    dated = in_at(frame["security_class"], f_ok, ("government", "agency"))
    flagged = _unchecked(dated, f_ok, c_ok, graded[ok][order], months, government)
    pairs = _Pairs(f_ok, c_ok, amount, start, flagged)
    if np.isin(c_ok, futs, kind="table").any():  # a covered row names a position itself
        _note_in_order(notes, ids, pairs)
        return CoverNotes(covered, notes, None)
    unchecked, covered_by = _note_pairs(notes, ids, pairs)
    if unchecked is None:
        return CoverNotes(covered, notes, None)
    # the warnings in row order (a row's parts stay in their order)
    rows = np.concatenate([np.array(refused_rows, dtype=np.int64), f_ok[flagged.where]])
    in_rows = np.argsort(rows, kind="stable")
    warnings = object_array(refused + unchecked)[in_rows].tolist()
    clean = None if covered_by is None else (c_ok, covered_by)
    return CoverNotes(covered, notes, warnings, clean)


def cover_warnings(
    notes: np.ndarray, found: CoverNotes, links: np.ndarray, others: np.ndarray
) -> tuple[str, ...]:
    """The parts of the rows' notes a user must see, in row order: ineligible links and
    unchecked deliverability (each part of a note holding "not eligible" or `UNCHECKED`).

    ``found`` is what `cover_notes` wrote; ``links`` the rows naming a deliverable
    position, the only rows whose notes it writes a warning into; ``others`` every
    other row noted since (the rows they name, the options' underlying rows; -1
    counts from the end).  The notes are read one by one only where ``found``
    does not know its warnings or one of the other rows' notes holds a warning's
    phrase at all (one scan of their joined text).
    """
    n = len(notes)
    noted = np.zeros(n, dtype=bool)
    noted[np.where(others < 0, others + n, others)] = True
    if found.warnings is not None and not noted[links].any():
        if found.clean is not None:  # notes written clean and not replaced since
            rows, texts = found.clean
            noted[rows[_same_objects(notes, rows, texts)]] = False
        joined = "\n".join(notes[np.flatnonzero(noted)].tolist())
        if UNCHECKED not in joined and "not eligible" not in joined:
            return tuple(found.warnings)
    noted[links] = True
    return tuple(_phrase_parts(notes[np.flatnonzero(noted)].tolist()))


def _same_objects(notes: np.ndarray, rows: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """True where ``notes[rows]`` is the very object in ``texts`` (compared by reference;
    ``texts`` holds its objects, so an equal reference is the same text)."""
    if not (
        isinstance(notes, np.ndarray)
        and notes.dtype == object
        and notes.ndim == 1
        and notes.flags.c_contiguous
    ):
        return np.zeros(len(rows), dtype=bool)
    now = np.frombuffer(notes.data.cast("B"), dtype=np.uintp)[rows]
    held = np.frombuffer(np.ascontiguousarray(texts, dtype=object).data.cast("B"), dtype=np.uintp)
    return np.asarray(now == held)


def _phrase_parts(texts: list[str]) -> list[str]:
    """The parts (split at ``"; "``) of ``texts`` that hold "not eligible" or `UNCHECKED`."""
    flagged = [t for t in texts if UNCHECKED in t or "not eligible" in t]
    return [
        part
        for text in flagged
        for part in text.split("; ")
        if UNCHECKED in part or "not eligible" in part
    ]


_UNCHECKED_WHY = (
    " with no futures_contract given: "
    + UNCHECKED
    + ", and the legs' maturities fall in different categories of 15c3-1(c)(2)(vi)(A) ("
)
_UNCHECKED_NOTE = "{} covers {}" + _UNCHECKED_WHY + "{} and {})"
"""The warning on a link without a contract code between rows of different (A) categories."""


class _Unchecked(NamedTuple):
    """The links flagged as unchecked: their places among the pairs, the categories of
    their legs, the end of each one's warning (`_UNCHECKED_WHY` and the two categories)
    and the distinct categories named."""

    where: np.ndarray
    cat_f: list[str]
    cat_c: list[str]
    tails: list[str]
    named: list[str]


class _Pairs(NamedTuple):
    """The eligible links: covering and covered rows grouped by covered row (covering
    rows in row order within a group), the amount of each, where each group starts,
    and the links flagged as unchecked."""

    f_ok: np.ndarray
    c_ok: np.ndarray
    amount: np.ndarray
    start: np.ndarray
    flagged: _Unchecked


def _note_pairs(
    notes: np.ndarray, ids: np.ndarray, p: _Pairs
) -> tuple[list[str] | None, np.ndarray | None]:
    """Notes of the covering and the covered rows, when no covered row is a covering one.

    A row covered several times lists its contracts in row order.  Returns the
    warning of each unchecked link (in the order of ``p.flagged``), None when an
    id or category named holds ``"; "`` or a warning's phrase (the notes must
    then be read); and, when those warnings are known and each covered row has
    one note, the covered rows' notes as put in ``notes`` (they hold no
    warning's phrase).
    """
    # every part of these notes is fixed text, an amount, a quoted id or a category
    avoid = ("; ", UNCHECKED, "not eligible")
    named_f, named_c = plain_texts(ids[p.f_ok], avoid), plain_texts(ids[p.c_ok], avoid)
    amounts = money_texts(p.amount)
    categories = plain_texts(np.array(p.flagged.named, dtype=object), avoid)
    clean = None
    if named_f is None or named_c is None or amounts is None or categories is None:
        covers, covered_by, _ = _pair_texts_one_by_one(ids[p.f_ok], ids[p.c_ok], p)
        warned = None
    else:
        covers, covered_by, warned = _pair_texts(named_f, named_c, amounts, p)
        clean = covered_by
    notes[p.f_ok] = covers
    if p.start.all():
        notes[p.c_ok] = covered_by
    else:
        clean = None
        for k, c in enumerate(p.c_ok.tolist()):
            notes[c] = covered_by[k] if p.start[k] else f"{notes[c]}; {covered_by[k]}"
    return warned, clean


def _pair_texts(
    named_f: list[str], named_c: list[str], amounts: list[str], p: _Pairs
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The covering rows' notes, the covered rows' notes and the unchecked links' warnings,
    for plain ids (`plain_texts`: quoted by adding single quotes) and amounts written.

    ``covers 'C' for 1,000.00`` (and ``; `` and the warning where unchecked) and
    ``covered by 'F' for 1,000.00``: the characters `_pair_texts_one_by_one` writes.
    """
    covers = [f"covers '{c}' for {a}" for c, a in zip(named_c, amounts, strict=True)]
    where = p.flagged.where.tolist()
    warnings = [
        f"'{named_f[k]}' covers '{named_c[k]}'{tail}"
        for k, tail in zip(where, p.flagged.tails, strict=True)
    ]
    for k, text in zip(where, warnings, strict=True):
        covers[k] = f"{covers[k]}; {text}"
    covered_by = [f"covered by '{f}' for {a}" for f, a in zip(named_f, amounts, strict=True)]
    return object_array(covers), object_array(covered_by), warnings


def _pair_texts_one_by_one(
    f_ids: np.ndarray, c_ids: np.ndarray, p: _Pairs
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """`_pair_texts` formatted pair by pair."""
    amounts = list(map("{:,.2f}".format, p.amount.tolist()))
    named_f = list(map(repr, f_ids.tolist()))
    named_c = list(map(repr, c_ids.tolist()))
    covers = [f"covers {c} for {a}" for c, a in zip(named_c, amounts, strict=True)]
    warnings = []
    flagged = p.flagged
    for k, cat_f, cat_c in zip(flagged.where.tolist(), flagged.cat_f, flagged.cat_c, strict=True):
        text = _UNCHECKED_NOTE.format(named_f[k], named_c[k], cat_f, cat_c)
        covers[k] += "; " + text
        warnings.append(text)
    covered_by = [f"covered by {f} for {a}" for f, a in zip(named_f, amounts, strict=True)]
    return object_array(covers), object_array(covered_by), warnings


def _note_in_order(notes: np.ndarray, ids: np.ndarray, p: _Pairs) -> None:
    """Notes of the covering and the covered rows, pair by pair in covering row order."""
    flagged = p.flagged
    unchecked = {
        int(p.f_ok[k]): _UNCHECKED_NOTE.format(
            repr(ids[p.f_ok[k]]), repr(ids[p.c_ok[k]]), cat_f, cat_c
        )
        for k, cat_f, cat_c in zip(
            flagged.where.tolist(), flagged.cat_f, flagged.cat_c, strict=True
        )
    }
    for f, c, a in sorted(zip(p.f_ok.tolist(), p.c_ok.tolist(), p.amount.tolist(), strict=True)):
        notes[f] = f"covers {ids[c]!r} for {a:,.2f}"
        if f in unchecked:
            notes[f] += f"; {unchecked[f]}"
        prior = notes[c] + "; " if notes[c] else ""
        notes[c] = f"{prior}covered by {ids[f]!r} for {a:,.2f}"


def _unchecked(
    dated: np.ndarray,
    futs: np.ndarray,
    cash: np.ndarray,
    has_contract: np.ndarray,
    months: np.ndarray,
    government: Schedule | None,
) -> _Unchecked:
    """Links without a contract code whose legs sit in different (A) categories.

    ``dated`` tells the links whose futures row is of class government or
    agency.  Returns the places of those links among the given ones, the
    categories of their two legs and the end of each one's warning (written
    once for each pair of categories met).
    """
    none = _Unchecked(np.zeros(0, dtype=np.int64), [], [], [], [])
    if government is None or len(futs) == 0 or "category" not in government.rows.columns:
        return none
    category = government.column("category")
    keep = np.flatnonzero(~has_contract & dated)
    # one bucket lookup for both legs of every link
    where = government.bucket_index(months[np.concatenate([futs[keep], cash[keep]])])
    where_f, where_c = where[: len(keep)], where[len(keep) :]
    known = (where_f >= 0) & (where_c >= 0)
    # each bucket's category as a code over the distinct category texts
    codes, uniques = pd.factorize(object_array(np.asarray(category).astype(str).tolist()))
    names = object_array([str(name) for name in uniques])
    code_f = codes[np.maximum(where_f, 0)]
    code_c = codes[np.maximum(where_c, 0)]
    differ = np.flatnonzero(known & (code_f != code_c))
    code_f, code_c = code_f[differ], code_c[differ]
    at, pair = pd.factorize(code_f * len(names) + code_c)
    ends = object_array(
        [f"{_UNCHECKED_WHY}{names[q // len(names)]} and {names[q % len(names)]})" for q in pair]
    )
    named = np.bincount(np.concatenate([code_f, code_c]), minlength=len(names)) > 0
    return _Unchecked(
        keep[differ],
        names[code_f].tolist(),
        names[code_c].tolist(),
        ends[at].tolist(),
        names[named].tolist(),
    )
