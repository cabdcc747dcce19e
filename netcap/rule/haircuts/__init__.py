"""Standardized haircuts of 15c3-1(c)(2)(vi)-(vii) and Appendix B.

`compute_haircuts` sends each row of a position frame to the module of the
paragraph that charges it (`netcap.rule.haircuts.routing` decides which), and
reassembles one detail row per input position.  Undue concentration ((M)) and
the Appendix B margin charge on government futures are added on top, in the
detail's ``add_on_*`` columns.

The detail lists every position once, including those deducted before
tentative net capital (no ready market, (c)(2)(vii); non-security crypto,
(c)(2)(iv)); `HaircutResult` splits the total into the stages of
`netcap.rule.haircuts.tentative`.  It checks its own reconciliation: every input
id appears exactly once and the market value in equals the value charged plus
the value covered or hedged away.

Option positions are charged under Appendix A (15c3-1a) by
`netcap.rule.haircuts.options`; the part of an underlying position paired with
an option leaves its own paragraph (like covered inventory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from netcap.book.model import Instrument
from netcap.money import CENT
from netcap.rule.haircuts.canadian import canadian_haircut
from netcap.rule.haircuts.columns import Links, categorical, id_index, object_array
from netcap.rule.haircuts.concentration import CONCENTRATION_CITATION, concentration_add_on
from netcap.rule.haircuts.concentration_options import make_room
from netcap.rule.haircuts.covered import cover_notes, cover_warnings
from netcap.rule.haircuts.debt import HEDGE_CITATION, DebtHedges, debt_haircut, find_hedges
from netcap.rule.haircuts.detail import (
    DETAIL_COLUMNS,
    DetailPart,
    Labels,
    ParagraphHaircut,
    append_note,
    blank_texts,
    build_detail,
    noted_rows,
)
from netcap.rule.haircuts.funds import fund_haircut
from netcap.rule.haircuts.futures import (
    FuturesCharge,
    FuturesOptions,
    commodity_inventory_haircut,
    futures_margin_charge,
)
from netcap.rule.haircuts.government import GovernmentOptions, government_haircut
from netcap.rule.haircuts.money_market_instruments import money_market_haircut
from netcap.rule.haircuts.municipal import municipal_haircut
from netcap.rule.haircuts.no_ready_market import full_deduction
from netcap.rule.haircuts.options import appendix_a_rows, option_charges
from netcap.rule.haircuts.other_securities import (
    LimitedMarketOptions,
    limited_market_haircut,
    other_securities_haircut,
)
from netcap.rule.haircuts.preferred import preferred_haircut
from netcap.rule.haircuts.routing import ROUTES, route_codes, route_names
from netcap.rule.haircuts.rows import Columns
from netcap.rule.haircuts.tentative import (
    APPENDIX_B,
    PRE_TENTATIVE,
    SECURITIES,
    detail_stage_totals,
    stage,
    stage_totals,
)
from netcap.rule.tables import load_schedule

__all__ = [
    "FuturesOptions",
    "HaircutOptions",
    "HaircutResult",
    "LimitedMarketOptions",
    "ReconciliationError",
    "compute_haircuts",
]


_CITATION_COLUMNS = (("paragraph", "charge"), ("add_on_paragraph", "add_on_charge"))


@dataclass(frozen=True)
class CitationTotals:
    """A charge column summed by its citation column: ``names`` (the citations), and for
    each and then for the rows without one, the rows (``counts``) and their ``sums``."""

    names: list[str]
    counts: np.ndarray
    sums: np.ndarray

    @classmethod
    def from_codes(cls, codes: np.ndarray, names: list[str], charge: np.ndarray) -> CitationTotals:
        """From codes into ``names`` (-1: no citation), a pass over the rows for each figure."""
        size = len(names) + 1
        # numpy's index type once, rather than a conversion inside each bincount
        k = codes.astype(np.intp)
        if len(k) and k.min() < 0:
            k[k < 0] = len(names)
        return cls(
            list(names),
            np.bincount(k, minlength=size),
            np.bincount(k, weights=charge, minlength=size),
        )

    @classmethod
    def of(cls, citation: pd.Series, charge: pd.Series) -> CitationTotals:
        """From a detail's citation column (a categorical, or text to factorize)."""
        if isinstance(citation.dtype, pd.CategoricalDtype):
            codes = citation.cat.codes.to_numpy()
            names = citation.cat.categories.to_numpy(dtype=object).tolist()
        else:
            codes, uniques = pd.factorize(citation.to_numpy(dtype=object))
            names = np.asarray(uniques, dtype=object).tolist()
        return cls.from_codes(codes, names, charge.to_numpy(dtype=float))


class ReconciliationError(AssertionError):
    """The haircut detail does not account for every input position exactly once."""


@dataclass(frozen=True)
class HaircutOptions:
    """Elections and firm facts that change how haircuts are computed, by paragraph."""

    government: GovernmentOptions = field(default_factory=GovernmentOptions)
    limited_market: LimitedMarketOptions = field(default_factory=LimitedMarketOptions)
    futures: FuturesOptions = field(default_factory=FuturesOptions)


@dataclass(frozen=True)
class HaircutResult:
    """Haircut detail (one row per position), netting worksheets, and totals by paragraph.

    ``total`` is every charge in the detail, whatever its stage; the stage
    properties split it (15c3-1(c)(15), see `netcap.rule.haircuts.tentative`).
    ``concentration_base`` is the capital (M) measured against (None when no
    capital was given): the capital passed in less the pre-tentative deductions
    and the Appendix B charges.  ``routes`` gives the paragraph route of each
    position, so a caller that pools positions by paragraph need not route again;
    ``route_codes`` holds them as codes (`routing.ROUTES`), the text made when asked.
    """

    detail: pd.DataFrame
    worksheets: dict[str, pd.DataFrame]
    total: float
    warnings: tuple[str, ...] = ()
    concentration_base: float | None = None
    route_codes: np.ndarray | None = field(default=None, repr=False, compare=False)
    """The route of each position as its code (`netcap.rule.haircuts.routing.ROUTES`)."""

    @cached_property
    def routes(self) -> np.ndarray | None:
        """The route of each position (`netcap.rule.haircuts.routing`), for the pre-trade state."""
        return None if self.route_codes is None else route_names(self.route_codes)

    @cached_property
    def by_stage(self) -> dict[str, float]:
        """Total charge by stage (``pre_tentative``, ``appendix_b``, ``securities``)."""
        d = self.detail
        if not all(isinstance(d[p].dtype, pd.CategoricalDtype) for p, _ in _CITATION_COLUMNS):
            return detail_stage_totals(d)  # citations held as text: grouped as text
        return stage_totals(
            (name, total)
            for t in self._citation_totals.values()
            for name, total in zip([*t.names, ""], t.sums.tolist(), strict=True)
        )

    @cached_property
    def _citation_totals(self) -> dict[str, CitationTotals]:
        """The charge columns of ``detail`` summed by their citation columns: one pass over
        their codes serves `by_stage` and `by_paragraph`."""
        d = self.detail
        return {p: CitationTotals.of(d[p], d[c]) for p, c in _CITATION_COLUMNS}

    @property
    def pre_tentative(self) -> float:
        """Deductions taken before tentative net capital: (c)(2)(vii) and crypto ((c)(2)(iv))."""
        return self.by_stage[PRE_TENTATIVE]

    @property
    def appendix_b(self) -> float:
        """Appendix B (15c3-1b) charges on futures and commodities."""
        return self.by_stage[APPENDIX_B]

    @property
    def securities(self) -> float:
        """Deductions of (c)(2)(vi), (M) included, and Appendix A: the (e)(2)(iii) base."""
        return self.by_stage[SECURITIES]

    @property
    def after_tentative(self) -> float:
        """Charges deducted from tentative net capital: (c)(2)(vi), Appendix A and B."""
        by = self.by_stage
        return by[APPENDIX_B] + by[SECURITIES]

    @property
    def by_paragraph(self) -> pd.DataFrame:
        """Total charge by citation (add-ons under their own citation), largest first."""
        return self._by_paragraph.copy()

    @cached_property
    def _by_paragraph(self) -> pd.DataFrame:
        totals: dict[str, float] = {}
        for p_col, skip_blank in (("paragraph", False), ("add_on_paragraph", True)):
            t = self._citation_totals[p_col]
            present = t.counts[: len(t.names)] > 0
            sums = t.sums[: len(t.names)].tolist()
            for name, has, total in zip(t.names, present, sums, strict=True):
                if has and not (skip_blank and name == ""):
                    totals[name] = totals.get(name, 0.0) + total
        out = pd.DataFrame(
            {
                "paragraph": np.asarray(sorted(totals), dtype=object),
                "charge": np.asarray([totals[k] for k in sorted(totals)], dtype=float),
            }
        )
        return out.sort_values("charge", ascending=False, kind="stable").reset_index(drop=True)


HEDGED_CITATION = "15c3-1(c)(2)(vi)(F)(3)"
"""A government row whose whole value went into an (F)(2) hedge is cited here."""
_NO_MARGIN = "Appendix B (a)(3)(xiv) margin charge not computed: no margin given"
_NUMBERS = ("rate", "exposure", "gross_charge", "charge", "add_on_charge")


@dataclass(frozen=True)
class _AtRows:
    """Values on a few rows of the frame (``rows``, sorted) and ``default`` on every other.

    An (F)(2) election touches a few rows of a book; its figures are kept for those
    rows only and read at the rows a paragraph is given (`at`).
    """

    rows: np.ndarray
    values: np.ndarray
    default: float | str

    @classmethod
    def of(cls, full: np.ndarray, rows: np.ndarray, default: float | str) -> _AtRows:
        return cls(rows, np.asarray(full)[rows], default)

    def at(self, idx: np.ndarray) -> np.ndarray:
        """The value of each of the frame rows ``idx``."""
        out = np.full(len(idx), self.default, dtype=self.values.dtype)
        if len(self.rows) and len(idx):
            pos = np.minimum(np.searchsorted(self.rows, idx), len(self.rows) - 1)
            hit = self.rows[pos] == idx
            out[hit] = self.values[pos[hit]]
        return out

    def total(self) -> float:
        return float(self.values.sum())


@dataclass(frozen=True)
class _Hedges:
    """The (F)(2) hedges (`debt.DebtHedges`) kept on the rows they touch."""

    hedged: _AtRows
    removed: _AtRows
    kind: _AtRows
    rate_months: _AtRows
    sheet: pd.DataFrame

    @classmethod
    def of(cls, hedges: DebtHedges) -> _Hedges:
        if len(hedges.sheet) == 0:  # no election: nothing on any row
            none = np.zeros(0, dtype=np.int64)
            return cls(
                _AtRows(none, np.zeros(0), 0.0),
                _AtRows(none, np.zeros(0), 0.0),
                _AtRows(none, np.zeros(0, dtype=object), ""),
                _AtRows(none, np.zeros(0), np.nan),
                hedges.sheet,
            )
        electing = noted_rows(np.ascontiguousarray(hedges.kind))  # kind is set on them
        hedging = np.flatnonzero(hedges.removed)
        return cls(
            _AtRows.of(hedges.hedged, electing, 0.0),
            _AtRows.of(hedges.removed, hedging, 0.0),
            _AtRows.of(hedges.kind, electing, ""),
            _AtRows.of(hedges.rate_months, electing, np.nan),
            hedges.sheet,
        )


@dataclass(frozen=True)
class _OptionRows:
    """What the option step leaves for the detail: its rows, their detail, the pairs."""

    detail: DetailPart
    rows: np.ndarray
    pairs: pd.DataFrame


@dataclass(frozen=True)
class _Cover:
    """What leaves each row before its paragraph: cover, option pairs and (F)(2) hedges.

    Only ``exposure``, ``covered`` and ``notes`` are kept for every row; the rest is
    kept for the rows it touches or worked out at the rows asked for.
    """

    signed: np.ndarray
    covered: np.ndarray
    notes: np.ndarray
    warnings: tuple[str, ...]
    exposure: np.ndarray
    hedges: _Hedges
    options: _OptionRows | None

    def after_cover(self, idx: np.ndarray) -> np.ndarray:
        """The signed value of the rows ``idx`` less their cover (before any hedge)."""
        signed = self.signed[idx]
        out: np.ndarray = signed - np.sign(signed) * self.covered[idx]
        return out

    def removed(self, idx: np.ndarray) -> np.ndarray:
        """What cover, option pairs and hedges took out of the rows ``idx``."""
        out: np.ndarray = self.covered[idx] + self.hedges.removed.at(idx)
        return out

    def removed_total(self) -> float:
        """What cover, option pairs and hedges took out of every row."""
        return float(self.covered.sum()) + self.hedges.removed.total()


def _route(frame: pd.DataFrame, as_of: date) -> np.ndarray:
    """The paragraph route of every row as its code, thresholds from the tables (`routing`)."""
    mmi_rules = load_schedule("money_market_instruments_eligibility", as_of)
    return route_codes(
        frame,
        max_muni_days_at_issue=load_schedule("municipal_short_term_eligibility", as_of).amount(
            "max_days_at_issue"
        ),
        max_cp_months_at_issue=mmi_rules.amount("max_months_at_issue"),
        bank_government_rates_from_months=mmi_rules.amount("bank_government_rates_from_months"),
        min_market_makers=load_schedule("other_securities", as_of).amount("k_min_market_makers"),
    )


def _cover(frame: pd.DataFrame, keys: np.ndarray, as_of: date) -> _Cover:
    """Covered inventory ((c)(2)(vi)(A)-(F) cover), Appendix A pairs and (F)(2) hedges.

    What each takes out of a row leaves that row's own paragraph; the exposure
    left is what the paragraph charges.  The link columns are read once
    (`Links`) and each step visits the linked rows only.  ``keys`` are the rows'
    routes as codes (`routing.route_codes`); text is made for linked rows only.
    """
    links = Links(frame)
    linked = len(links.rows("deliverable_position")) > 0
    named = len(links.rows("futures_contract")) > 0
    found = cover_notes(
        frame,
        deliverable=load_schedule("futures_deliverable", as_of) if named else None,
        government=load_schedule("government", as_of) if linked else None,
        links=links,
    )
    covered, notes = found.covered, found.notes
    kept = None
    paired = np.zeros(0, dtype=np.int64)  # rows of underlying positions paired with options
    option_rows = appendix_a_rows(frame, keys)
    if len(option_rows):  # Appendix A; paired underlying leaves its own paragraph
        opt = option_charges(
            frame,
            notes,
            load_schedule("other_securities", as_of).rate("j_rate"),
            load_schedule("options", as_of),
            rows=option_rows,
            links=links,
        )
        covered += opt.removed
        paired = np.fromiter(opt.notes, dtype=np.int64, count=len(opt.notes))
        kept = _OptionRows(opt.detail, opt.rows, opt.pairs)
        notes[paired] = object_array(
            [
                f"{had}; {text}" if had else text
                for had, text in zip(notes[paired].tolist(), opt.notes.values(), strict=True)
            ]
        )
    warnings = cover_warnings(
        notes,
        found,
        links.rows("deliverable_position"),
        np.concatenate([links.targets("deliverable_position"), paired]),
    )
    signed = frame["signed_value"].to_numpy(dtype=float)
    sign = np.sign(signed)
    after_cover = sign * covered  # signed - sign * covered, in one new array
    np.subtract(signed, after_cover, out=after_cover)
    hedges = find_hedges(frame, None, after_cover, links=links, keys=keys)
    _note_hedges(notes, links.ids, hedges)
    exposure = sign * hedges.removed  # after_cover - sign * removed, in one new array
    np.subtract(after_cover, exposure, out=exposure)
    return _Cover(
        signed=signed,
        covered=covered,
        notes=notes,
        warnings=warnings,
        exposure=exposure,
        hedges=_Hedges.of(hedges),
        options=kept,
    )


def _note_hedges(notes: np.ndarray, ids: np.ndarray, hedges: DebtHedges) -> None:
    """Note on each (F)(2) hedge the position it hedges (its first row in the sheet)."""
    hedged = np.flatnonzero(hedges.removed > 0)
    if not len(hedged):
        return
    partner_of: dict[object, object] = {}
    for h, p in zip(hedges.sheet["hedge"].tolist(), hedges.sheet["position"].tolist(), strict=True):
        partner_of.setdefault(h, p)
    for i in hedged.tolist():
        partner = partner_of[ids[i]]
        text = f"hedges {partner!r} for {hedges.removed[i]:,.2f} ({HEDGE_CITATION})"
        notes[i] = f"{notes[i]}; {text}" if notes[i] else text


class _Detail:
    """The haircut detail being filled: each paragraph's rows written into frame order
    as it is placed, then let go.

    Numbers and notes go straight into columns of the book's length; the citation
    and bucket columns into codes (`_Coded`), each part's few names coded once.
    No part is kept, so the detail costs its own columns and no more.
    """

    def __init__(self, ids: np.ndarray, cover: _Cover) -> None:
        n = len(ids)
        self.ids = ids
        self.worksheets: dict[str, pd.DataFrame] = {}
        self._seen = np.zeros(n, dtype=bool)
        self._placed = 0
        self._charged = 0.0
        self._numbers = {col: np.zeros(n) for col in _NUMBERS if col != "exposure"}
        # the cover step's arrays become the detail's exposure and note columns: a paragraph
        # reads its own rows of them before its rows are written, and no other rows
        self._numbers["exposure"] = cover.exposure
        self._note = cover.notes
        self._coded = {name: _Coded.blank(n) for name in ("paragraph", "bucket")}
        # a part without add-ons leaves its rows unset: they read "" once every part is in
        self._coded["add_on_paragraph"] = _Coded.blank(n, _UNSET)

    def notes_of(self, rows: np.ndarray) -> np.ndarray:
        """Notes for a paragraph to extend over ``rows``: blank.

        The cover notes of these rows go in front of what the paragraph writes when its
        rows are placed (a paragraph only ever adds to a note), so they are not copied
        out for every row here.
        """
        return blank_texts(len(rows))

    def place(self, part: DetailPart, idx: np.ndarray, *, cover_notes: bool = False) -> None:
        """Write a paragraph's detail in; ``idx`` are the frame rows the paragraph was given.

        ``cover_notes``: the part's notes already begin with the rows' cover notes (the
        option step reads them itself), so they replace them; any other part's notes
        follow a row's cover note ("cover; paragraph").
        """
        rows = idx if part.at is None else idx[part.at]
        if len(rows) != len(part):
            raise ReconciliationError("haircut detail names a position not given to it")
        self._seen[rows] = True
        self._placed += len(rows)
        for col, values in self._numbers.items():
            if col != "add_on_charge":
                values[rows] = np.asarray(getattr(part, col), dtype=float)
            elif part.add_on_charge is not None:  # else 0, as it is; a blank add-on reads 0
                values[rows] = np.nan_to_num(part.add_on_charge, nan=0.0)
        has = noted_rows(part.note)
        if len(has):
            where, text = rows[has], part.note[has]
            if not cover_notes:
                cover = self._note[where]
                had = noted_rows(cover)
                text[had] = cover[had] + ("; " + text[had])
            self._note[where] = text
        self._coded["paragraph"].extend(rows, part.paragraph)
        self._coded["bucket"].extend(rows, part.bucket)
        add_on = self._coded["add_on_paragraph"]
        if part.add_on_paragraph is None:  # "" on every row: left as _UNSET until assembly
            if len(rows):
                add_on.code_of("")
        else:
            add_on.extend(rows, part.add_on_paragraph)
        self._charged += float(part.charge.sum())

    def add(self, result: ParagraphHaircut | list[ParagraphHaircut], idx: np.ndarray) -> None:
        """Keep one paragraph's result (or several over the same rows) and its worksheets."""
        for r in result if isinstance(result, list) else [result]:
            self.place(r.detail, idx)
            self.worksheets.update(r.worksheets)

    def charged(self) -> float:
        """The total charge placed so far."""
        return self._charged

    def assemble(self) -> tuple[dict[str, np.ndarray], dict[str, _Coded]]:
        """Every column in frame order, checking that each row appears exactly once.

        Numbers and notes come back as arrays; the citation and bucket columns as
        codes (`_Coded`), so no million-row text column is built or hashed here.
        """
        # as many rows placed as the book has, and every row among them: each exactly once
        if self._placed != len(self._seen) or not self._seen.all():
            raise ReconciliationError("haircut detail does not list every position exactly once")
        out: dict[str, np.ndarray] = {"id": self.ids, **self._numbers, "note": self._note}
        add_on = self._coded["add_on_paragraph"]
        unset = add_on.codes == _UNSET
        if unset.any():
            add_on.codes[unset] = add_on.code_of("")
        return out, self._coded


def compute_haircuts(
    frame: pd.DataFrame,
    as_of: date,
    options: HaircutOptions | None = None,
    *,
    net_capital_before_haircuts: float | None = None,
) -> HaircutResult:
    """Haircuts for a validated position frame (see `netcap.book.frame.validate_frame`).

    ``net_capital_before_haircuts`` is net capital before every charge this
    function computes: total capital less the balance-sheet deductions, before
    the position deductions of (c)(2)(vii) and non-security crypto and before
    the haircuts.  Tentative net capital ((c)(15)) is that less the
    pre-tentative deductions; the (A)(5) election measures against it.  Undue
    concentration ((M)(1)) measures against it less the Appendix B charges as
    well.  It is needed only by those paragraphs (the (A)(5) election, and (M)
    whenever a position within its scope is present).

    The steps: route every row to its paragraph; take cover, option pairs and
    (F)(2) hedges out of the rows; charge the pre-tentative deductions, then
    each paragraph of (c)(2)(vi), Appendix A and Appendix B, each writing its
    rows into the detail's columns in frame order as it is placed; add the
    Appendix B margin on government futures and the (M) add-on on top.
    """
    opts = options or HaircutOptions()
    keys = _route(frame, as_of)
    cover = _cover(frame, keys, as_of)
    cols = Columns(frame)
    parts = _Detail(cols["id"], cover)
    picker = _Picker(keys)
    _charge_pre_tentative(parts, cols, picker, cover, as_of)
    # deducted before tentative net capital (15c3-1(c)(15)); the (A)(5) test reads it
    pre_tentative = parts.charged()
    tentative = (
        None if net_capital_before_haircuts is None else net_capital_before_haircuts - pre_tentative
    )
    _charge_securities(parts, cols, picker, cover, opts, tentative, as_of)
    fut = _charge_futures(parts, cols, picker, cover, opts, as_of)
    columns, coded = parts.assemble()
    worksheets = parts.worksheets
    # what the rest needs of the cover and the parts; the rest is let go before (M)
    removed, warnings = cover.removed_total(), cover.warnings
    del cover, parts, cols, picker
    if fut is not None:
        coded["add_on_paragraph"] = _futures_add_ons(
            columns, coded["add_on_paragraph"], worksheets, keys, fut
        )
    paragraph, add_on_paragraph = coded["paragraph"], coded["add_on_paragraph"]
    # (M)(1): net capital before (c)(2)(vi) and Appendix A, after every other deduction
    base = None
    if tentative is not None:
        base = tentative - _stage_total(
            APPENDIX_B,
            [(paragraph, columns["charge"]), (add_on_paragraph, columns["add_on_charge"])],
        )
    taken = add_on_paragraph.nonblank()  # rows whose add-on column already holds an amount
    add_on, sheet = concentration_add_on(
        frame,
        keys,
        _effective_rates(columns),
        base,
        as_of,
        load_schedule("concentration", as_of),
        taken=taken,
    )
    hit = add_on > 0
    if hit.any():
        busy = hit & taken
        make_room(columns, add_on_paragraph.text(busy), busy)
        add_on_paragraph = add_on_paragraph.set(hit, CONCENTRATION_CITATION)
        columns["add_on_charge"][hit] = add_on[hit]
        worksheets["concentration"] = sheet
    text = {
        "paragraph": paragraph.categorical(),
        "bucket": coded["bucket"].categorical(),
        "add_on_paragraph": add_on_paragraph.categorical(),
    }
    # the columns were built here for this frame alone: no copy, no consolidation; text
    # columns known to be text are given pandas' text dtype, which it would infer by a scan
    text_known = {"id": _ids_are_text(frame), "note": len(frame) > 0}
    strings = {
        c: pd.Series(columns.pop(c), dtype="str" if text_known[c] else None, copy=False)
        for c in ("id", "note")
    }
    detail = pd.DataFrame({**columns, **strings, **text}, columns=list(DETAIL_COLUMNS), copy=False)
    _reconcile(frame, detail, removed)
    total = float(detail["charge"].sum() + detail["add_on_charge"].sum())
    return HaircutResult(
        detail=detail,
        worksheets=worksheets,
        total=total,
        warnings=warnings,
        concentration_base=base,
        route_codes=keys,
    )


class _Picker:
    """Frame rows by route, from the routes' codes (`routing.route_codes`).

    The rows are sorted by route once (a stable sort of one byte a row), so a
    route's rows are a slice, in frame order, and no pick reads every row again.
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        # four bytes a row: a book holds fewer than 2**31 positions
        self._order = np.argsort(keys, kind="stable").astype(np.int32)
        self._start = np.concatenate(
            [[0], np.cumsum(np.bincount(keys, minlength=len(ROUTES)))]
        ).astype(np.int64)

    def __call__(self, *routes: str) -> np.ndarray:
        """The rows routed to any of ``routes``, in frame order."""
        codes = sorted({ROUTES.index(r) for r in routes})
        runs = [self._order[self._start[c] : self._start[c + 1]] for c in codes]
        # as numpy's own index type, so the paragraph's takes convert nothing
        out: np.ndarray = (runs[0] if len(runs) == 1 else np.sort(np.concatenate(runs))).astype(
            np.intp
        )
        return out

    def is_(self, rows: np.ndarray, route: str) -> np.ndarray:
        """True on those of ``rows`` routed to ``route``."""
        out: np.ndarray = self.keys[rows] == ROUTES.index(route)
        return out

    def text(self, rows: np.ndarray) -> np.ndarray:
        """The route of each of ``rows`` as text (`routing.ROUTES`)."""
        return route_names(self.keys[rows])


def _charge_pre_tentative(
    parts: _Detail, cols: Columns, pick: _Picker, cover: _Cover, as_of: date
) -> None:
    """100% deductions taken before tentative net capital: (c)(2)(vii) and crypto ((c)(2)(iv))."""
    for route, table, key in (
        ("VII", "no_ready_market", "vii"),
        ("CRYPTO", "non_allowable", "crypto_non_security"),
    ):
        idx = pick(route)
        if len(idx):
            parts.add(
                full_deduction(
                    cols.rows(idx),
                    cover.exposure[idx],
                    parts.notes_of(idx),
                    load_schedule(table, as_of),
                    key,
                ),
                idx,
            )


def _charge_securities(
    parts: _Detail,
    cols: Columns,
    pick: _Picker,
    cover: _Cover,
    opts: HaircutOptions,
    tentative: float | None,
    as_of: date,
) -> None:
    """The paragraphs of (c)(2)(vi), Appendix A and Appendix B (a)(3)(ix), route by route."""
    _charge_government(parts, cols, pick, cover, opts, tentative, as_of)
    _charge_debt_classes(parts, cols, pick, cover, as_of)
    _charge_other_securities(parts, cols, pick, cover, opts, as_of)
    opt = cover.options
    if opt is not None:
        parts.place(opt.detail, opt.rows, cover_notes=True)
        if len(opt.pairs):
            parts.worksheets["option_pairs"] = opt.pairs
    idx = pick("COMMOD")  # Appendix B (a)(3)(ix)
    if len(idx):
        parts.add(
            commodity_inventory_haircut(
                cols.rows(idx),
                cover.exposure[idx],
                parts.notes_of(idx),
                load_schedule("futures", as_of),
                cover.covered[idx],
            ),
            idx,
        )


def _charge_government(
    parts: _Detail,
    cols: Columns,
    pick: _Picker,
    cover: _Cover,
    opts: HaircutOptions,
    tentative: float | None,
    as_of: date,
) -> None:
    """(c)(2)(vi)(A) government and agency securities, and (C) Canadian government debt.

    A government row whose whole value went into an (F)(2) hedge is cited to (F)(3).
    """
    government = load_schedule("government", as_of)
    idx = pick("A")
    if len(idx):
        gov = government_haircut(
            cols.rows(idx),
            government,
            cover.removed(idx),
            parts.notes_of(idx),
            opts.government,
            tentative,
        )
        detail = gov.detail
        hedge_only = (cover.hedges.removed.at(idx) > 0) & (detail.exposure == 0)
        if hedge_only.any():
            detail = detail.replace(paragraph=detail.paragraph.put(hedge_only, HEDGED_CITATION))
        parts.place(detail, idx)
        parts.worksheets["government_subcategories"] = gov.subcategories
        parts.worksheets["government_categories"] = gov.categories
    idx = pick("C")
    if len(idx):
        parts.add(
            canadian_haircut(cols.rows(idx), government, cover.removed(idx), parts.notes_of(idx)),
            idx,
        )


def _charge_debt_classes(
    parts: _Detail, cols: Columns, pick: _Picker, cover: _Cover, as_of: date
) -> None:
    """(B) municipal, (D) funds, (E) money market instruments, (F)/(G) debt, (H) preferred."""
    exposure, notes_of = cover.exposure, parts.notes_of
    idx = pick("B1", "B2")
    if len(idx):
        parts.add(
            municipal_haircut(
                cols.rows(idx),
                exposure[idx],
                notes_of(idx),
                pick.is_(idx, "B1"),
                load_schedule("municipal_short_term", as_of),
                load_schedule("municipal", as_of),
            ),
            idx,
        )
    idx = pick("D1", "D2", "D3")
    if len(idx):
        parts.add(
            fund_haircut(
                cols.rows(idx),
                exposure[idx],
                notes_of(idx),
                pick.text(idx),
                load_schedule("funds", as_of),
            ),
            idx,
        )
    idx = pick("E", "E6")
    if len(idx):
        parts.add(
            money_market_haircut(
                cols.rows(idx),
                exposure[idx],
                notes_of(idx),
                pick.is_(idx, "E6"),
                load_schedule("money_market_instruments", as_of),
                load_schedule("government", as_of),
            ),
            idx,
        )
    idx = pick("F", "G_F")
    if len(idx):
        hedges = cover.hedges
        parts.add(
            debt_haircut(
                cols.rows(idx),
                exposure[idx],
                notes_of(idx),
                pick.is_(idx, "G_F"),
                hedges.hedged.at(idx),
                hedges.kind.at(idx),
                hedges.rate_months.at(idx),
                load_schedule("nonconvertible_debt", as_of),
                load_schedule("debt_hedged_by_government", as_of),
                load_schedule("debt_hedged_by_debt", as_of),
                hedges.sheet,
            ),
            idx,
        )
    idx = pick("H")
    if len(idx):
        parts.add(
            preferred_haircut(
                cols.rows(idx), exposure[idx], notes_of(idx), load_schedule("preferred", as_of)
            ),
            idx,
        )


def _charge_other_securities(
    parts: _Detail,
    cols: Columns,
    pick: _Picker,
    cover: _Cover,
    opts: HaircutOptions,
    as_of: date,
) -> None:
    """(J) all other securities (with (J)(2) exemptions) and (K) limited markets."""
    other = load_schedule("other_securities", as_of)
    idx = pick("J", "G_J", "J2")
    if len(idx):
        parts.add(
            other_securities_haircut(
                cols.rows(idx),
                cover.exposure[idx],
                parts.notes_of(idx),
                pick.text(idx),
                other,
            ),
            idx,
        )
    idx = pick("K")
    if len(idx):
        parts.add(
            limited_market_haircut(
                cols.rows(idx),
                cover.exposure[idx],
                parts.notes_of(idx),
                other,
                opts.limited_market,
            ),
            idx,
        )
    elif opts.limited_market.reductions:
        raise ValueError("15c3-1(c)(2)(vi)(L) reductions given but no position is under (K)(ii)")


@dataclass
class _Futures:
    rows: np.ndarray
    charge: FuturesCharge


def _charge_futures(
    parts: _Detail,
    cols: Columns,
    pick: _Picker,
    cover: _Cover,
    opts: HaircutOptions,
    as_of: date,
) -> _Futures | None:
    """Appendix B (a)(3)(xiv): non-government futures (their charge); government ones later.

    The margin charge on a government futures contract is an add-on to its (A)
    charge (`_futures_add_ons`).
    """
    # futures are routed to FUT or, on government securities, to (A)
    maybe = pick("FUT", "A")
    fut_idx = maybe[cols.rows(maybe).equals("instrument", Instrument.FUTURE.value)]
    if not len(fut_idx):
        return None
    own = pick.is_(fut_idx, "FUT")
    fut_charge = futures_margin_charge(
        cols.rows(fut_idx),
        cover.after_cover(fut_idx),
        load_schedule("futures", as_of),
        opts.futures,
        required=own,
    )
    if own.any():
        k = np.flatnonzero(own)
        rows_k = fut_idx[k]
        parts.place(
            build_detail(
                fut_charge.citation[k],
                fut_charge.key[k],
                fut_charge.multiple[k],
                cover.exposure[rows_k],
                fut_charge.gross[k],
                fut_charge.charge[k],
                parts.notes_of(rows_k),
            ),
            rows_k,
        )
    return _Futures(fut_idx, fut_charge)


def _futures_add_ons(
    columns: dict[str, np.ndarray],
    add_on_paragraph: _Coded,
    worksheets: dict[str, pd.DataFrame],
    keys: np.ndarray,
    fut: _Futures,
) -> _Coded:
    """Appendix B (a)(3)(xiv) margin charge on government futures, on top of their (A) charge.

    Returns the add-on citations with the futures' citations set.
    """
    fut_idx, fut_charge = fut.rows, fut.charge
    gov_fut = np.flatnonzero(keys[fut_idx] == ROUTES.index("A"))
    rows_g = fut_idx[gov_fut]
    done = fut_charge.computed[gov_fut]
    add_on_paragraph = add_on_paragraph.assign(rows_g[done], fut_charge.citation[gov_fut][done])
    columns["add_on_charge"][rows_g[done]] = fut_charge.charge[gov_fut][done]
    missing = rows_g[~done]
    note = columns["note"]
    note[missing] = append_note(note[missing], np.ones(len(missing), dtype=bool), _NO_MARGIN)
    if fut_charge.reduction > 0:
        worksheets["futures_equity_reduction"] = pd.DataFrame(
            {
                "gross_charge": [float(fut_charge.gross.sum())],
                "account_equity_applied": [fut_charge.reduction],
                "citation": ["15c3-1b(a)(3)(xiv)"],
            }
        )
    return add_on_paragraph


def _effective_rates(columns: dict[str, np.ndarray]) -> np.ndarray:
    """The rate otherwise applied to each position ((M)(1)'s "percentage deduction").

    Its own rate, blended where a position is charged in two parts (a partly
    hedged (F) position).
    """
    expo = np.abs(columns["exposure"])
    rates = np.divide(columns["gross_charge"], expo, out=columns["rate"].copy(), where=expo > 0)
    return np.asarray(rates, dtype=float)


_UNSET = -2
"""The add-on code of a row whose part had no add-on, until the detail is assembled."""


class _Coded:
    """A text column as codes over a few distinct values (paragraphs, buckets)."""

    def __init__(self, codes: np.ndarray, names: list[str]) -> None:
        self.codes = codes
        self.names = names

    @classmethod
    def blank(cls, n: int, code: int = -1) -> _Coded:
        """``n`` rows holding ``code`` (-1: no text), to be filled by `extend`.

        Two bytes a row: the names are citations and schedule rows, a few dozen.
        """
        return cls(np.full(n, code, dtype=np.int16), [])

    def code_of(self, name: str) -> int:
        """The code of ``name``, numbered after the names so far if it is new."""
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)

    def extend(self, where: np.ndarray, labels: Labels) -> None:
        """Write ``labels`` on the rows ``where``, in place.

        Names are numbered in the order they first appear, part by part (in the order
        the parts are placed) and row by row; a name no row uses is left out.
        """
        local = labels.codes
        if not len(local):
            return
        # counts of code -1 (blank) and of each name, in one pass
        counts = np.bincount(local + 1, minlength=len(labels.names) + 1)[1:]
        used = np.flatnonzero(counts)
        if not len(used):  # no text on any of these rows
            self.codes[where] = -1
            return
        first = [int(np.argmax(local == u)) for u in used.tolist()] if len(used) > 1 else [0]
        table = np.full(len(labels.names) + 1, -1, dtype=np.int16)
        index = {name: k for k, name in enumerate(self.names)}
        for u in used[np.argsort(first, kind="stable")].tolist():
            name = labels.names[u]
            if name not in index:
                index[name] = len(self.names)
                self.names.append(name)
            table[u] = index[name]
        if len(used) == 1 and counts[used[0]] == len(local):
            self.codes[where] = table[used[0]]  # one name on every row
        else:
            self.codes[where] = table[local]

    def _codes_of(self, text: np.ndarray) -> np.ndarray:
        """Codes of ``text`` in this column's names, adding names it has not seen."""
        local, uniques = pd.factorize(text)
        index = {name: i for i, name in enumerate(self.names)}
        table = np.empty(len(uniques) + 1, dtype=np.int64)
        table[-1] = -1
        for j, name in enumerate(uniques.tolist()):
            if name not in index:
                index[name] = len(self.names)
                self.names.append(name)
            table[j] = index[name]
        return table[np.asarray(local)]

    def assign(self, rows: np.ndarray, text: np.ndarray) -> _Coded:
        """A copy with ``text`` on ``rows``."""
        out = _Coded(self.codes.copy(), list(self.names))
        out.codes[rows] = out._codes_of(np.asarray(text, dtype=object))
        return out

    def set(self, mask: np.ndarray, value: str) -> _Coded:
        """A copy with ``value`` on the rows of ``mask``."""
        out = _Coded(self.codes.copy(), list(self.names))
        out.codes[mask] = out.code_of(value)
        return out

    def nonblank(self) -> np.ndarray:
        """Rows holding text other than the empty string."""
        blank = np.array([name == "" for name in self.names] + [True], dtype=bool)
        out: np.ndarray = ~blank[self.codes]
        return out

    def text(self, mask: np.ndarray) -> np.ndarray:
        """The text of the rows of ``mask`` (``""`` where there is none)."""
        names = np.array([*self.names, ""], dtype=object)
        out: np.ndarray = names[self.codes[mask]]
        return out

    def categorical(self) -> pd.Categorical:
        return categorical(self.codes, self.names)


def _stage_total(wanted: str, columns: list[tuple[_Coded, np.ndarray]]) -> float:
    """The charges of one stage (`tentative.stage`): each citation's total, in the order
    `tentative.detail_stage_totals` adds them, read from the rows cited to that stage only."""
    total = 0.0
    for coded, weights in columns:
        in_stage = [stage(name) == wanted for name in coded.names]
        table = np.array([*in_stage, False])  # the last: code -1, no citation
        rows = np.flatnonzero(table[coded.codes])
        sums = np.bincount(coded.codes[rows], weights=weights[rows], minlength=len(coded.names))
        for counted, t in zip(in_stage, sums.tolist(), strict=True):
            if counted:
                total += t
    return total


def _ids_are_text(frame: pd.DataFrame) -> bool:
    """Whether every id is text, known without reading them: validation's id categories,
    whose type pandas works out once and keeps with them (a non-empty book)."""
    index = id_index(frame["id"])
    return index is not None and len(index) > 0 and index.inferred_type == "string"


def _reconcile(frame: pd.DataFrame, detail: pd.DataFrame, removed: float) -> None:
    """Every position once (checked row by row in `_Detail.assemble`) and value in = value out."""
    if len(detail) != len(frame):
        raise ReconciliationError("haircut detail does not list every position exactly once")
    value_in = float(np.abs(frame["signed_value"].to_numpy()).sum())
    value_out = float(np.abs(detail["exposure"].to_numpy()).sum() + removed)
    if abs(value_in - value_out) > CENT * max(1.0, len(frame)):
        raise ReconciliationError(
            f"market value in {value_in:,.2f} differs from value charged plus covered "
            f"or hedged {value_out:,.2f}"
        )
