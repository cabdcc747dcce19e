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
from netcap.rule.haircuts.concentration import CONCENTRATION_CITATION, concentration_add_on
from netcap.rule.haircuts.concentration_options import make_room
from netcap.rule.haircuts.covered import UNCHECKED, covered_values
from netcap.rule.haircuts.debt import HEDGE_CITATION, debt_haircut, find_hedges
from netcap.rule.haircuts.detail import DETAIL_COLUMNS, ParagraphHaircut, build_detail, empty_detail
from netcap.rule.haircuts.funds import fund_haircut
from netcap.rule.haircuts.futures import (
    FuturesOptions,
    commodity_inventory_haircut,
    futures_margin_charge,
)
from netcap.rule.haircuts.government import GovernmentOptions, government_haircut
from netcap.rule.haircuts.money_market_instruments import money_market_haircut
from netcap.rule.haircuts.municipal import municipal_haircut
from netcap.rule.haircuts.no_ready_market import full_deduction
from netcap.rule.haircuts.options import option_charges
from netcap.rule.haircuts.other_securities import (
    LimitedMarketOptions,
    limited_market_haircut,
    other_securities_haircut,
)
from netcap.rule.haircuts.preferred import preferred_haircut
from netcap.rule.haircuts.routing import route_in, route_keys, route_positions
from netcap.rule.haircuts.tentative import (
    APPENDIX_B,
    PRE_TENTATIVE,
    SECURITIES,
    detail_stage_totals,
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
    and the Appendix B charges.
    """

    detail: pd.DataFrame
    worksheets: dict[str, pd.DataFrame]
    total: float
    warnings: tuple[str, ...] = ()
    concentration_base: float | None = None

    @cached_property
    def by_stage(self) -> dict[str, float]:
        """Total charge by stage (``pre_tentative``, ``appendix_b``, ``securities``)."""
        return detail_stage_totals(self.detail)

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
        d = self.detail
        extra = (d["add_on_paragraph"] != "").to_numpy(dtype=bool)
        paragraph = np.concatenate(
            [
                d["paragraph"].to_numpy(dtype=object),
                d["add_on_paragraph"].to_numpy(dtype=object)[extra],
            ]
        )
        charge = np.concatenate(
            [
                d["charge"].to_numpy(dtype=float),
                d["add_on_charge"].to_numpy(dtype=float)[extra],
            ]
        )
        codes, names = pd.factorize(paragraph, sort=True)
        sums = pd.Series(charge).groupby(codes, sort=True).sum().to_numpy()
        out = pd.DataFrame({"paragraph": np.asarray(names, dtype=object), "charge": sums})
        return out.sort_values("charge", ascending=False, kind="stable").reset_index(drop=True)


_PARAGRAPH_COLUMNS = (
    "id",
    "row",
    "instrument",
    "security_id",
    "market_value",
    "signed_value",
    "months_to_maturity",
    "days_to_maturity",
    "maintenance_margin",
    "clearing_margin",
    "initial_margin",
    "cleared_by_firm",
    "called_within_90_days",
    "registered_deliverable",
)
"""Columns the per-paragraph modules read from their rows."""


def _append(notes: list[str], i: int, text: str) -> None:
    notes[i] = f"{notes[i]}; {text}" if notes[i] else text


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
    """
    opts = options or HaircutOptions()
    mmi_rules = load_schedule("money_market_instruments_eligibility", as_of)
    routes = route_positions(
        frame,
        max_muni_days_at_issue=load_schedule("municipal_short_term_eligibility", as_of).amount(
            "max_days_at_issue"
        ),
        max_cp_months_at_issue=mmi_rules.amount("max_months_at_issue"),
        bank_government_rates_from_months=mmi_rules.amount("bank_government_rates_from_months"),
        min_market_makers=load_schedule("other_securities", as_of).amount("k_min_market_makers"),
    )
    linked = bool(frame["deliverable_position"].notna().any())
    named = "futures_contract" in frame.columns and bool(frame["futures_contract"].notna().any())
    covered, notes = covered_values(
        frame,
        deliverable=load_schedule("futures_deliverable", as_of) if named else None,
        government=load_schedule("government", as_of) if linked else None,
    )
    opt = None
    if (routes == "OPT").any():  # Appendix A; paired underlying leaves its own paragraph
        opt = option_charges(
            frame,
            notes,
            load_schedule("other_securities", as_of).rate("j_rate"),
            load_schedule("options", as_of),
        )
        covered = covered + opt.removed
        for r, text in opt.notes.items():
            _append(notes, r, text)
    warnings = tuple(
        part
        for n in notes
        if n
        for part in n.split("; ")
        if "not eligible" in part or UNCHECKED in part
    )
    signed = frame["signed_value"].to_numpy(dtype=float)
    sign = np.sign(signed)
    after_cover = signed - sign * covered
    hedges = find_hedges(frame, routes, after_cover)
    exposure = after_cover - sign * hedges.removed
    removed = covered + hedges.removed
    ids = frame["id"].to_numpy()
    hedged = np.flatnonzero(hedges.removed > 0)
    partner_of: dict[object, object] = {}  # each hedge's first row in the sheet
    if len(hedged):
        for h, p in zip(
            hedges.sheet["hedge"].tolist(), hedges.sheet["position"].tolist(), strict=True
        ):
            partner_of.setdefault(h, p)
    for i in hedged:
        partner = partner_of[ids[i]]
        _append(
            notes, int(i), f"hedges {partner!r} for {hedges.removed[i]:,.2f} ({HEDGE_CITATION})"
        )

    parts: list[pd.DataFrame] = []
    worksheets: dict[str, pd.DataFrame] = {}
    full = frame
    # the paragraph modules read these columns only; slicing a narrow frame per
    # paragraph is much cheaper than slicing every input column
    frame = full[[c for c in _PARAGRAPH_COLUMNS if c in full.columns]]

    note_array = np.array(notes, dtype=object)

    def notes_of(rows: np.ndarray) -> list[str]:
        return list(note_array[rows].tolist())

    positions: list[np.ndarray] = []
    picked = [np.zeros(0, dtype=np.int64)]

    def place(detail: pd.DataFrame, idx: np.ndarray, lookup: pd.Index | None = None) -> None:
        """Keep a paragraph's detail and the frame row of each of its rows."""
        got = detail["id"].to_numpy()
        if len(got) == len(idx) and np.array_equal(got, ids[idx]):
            positions.append(idx)
        else:  # a paragraph that returns its rows in parts, in another order
            table = lookup if lookup is not None else pd.Index(ids[idx])
            where = table.get_indexer(pd.Index(got))
            if (where < 0).any():
                raise ReconciliationError("haircut detail names a position not given to it")
            positions.append(idx[where])
        parts.append(detail)

    def add(result: ParagraphHaircut | list[ParagraphHaircut]) -> None:
        results = result if isinstance(result, list) else [result]
        idx = picked[0]
        lookup = pd.Index(ids[idx]) if len(results) > 1 else None
        for r in results:
            place(r.detail, idx, lookup)
            worksheets.update(r.worksheets)

    route_key = route_keys(routes)

    def pick(*codes: str) -> np.ndarray:
        picked[0] = np.flatnonzero(route_in(routes, codes, route_key))
        return picked[0]

    # 100% deductions taken before tentative net capital: (c)(2)(vii) and crypto ((c)(2)(iv))
    for route, table, key in (
        ("VII", "no_ready_market", "vii"),
        ("CRYPTO", "non_allowable", "crypto_non_security"),
    ):
        idx = pick(route)
        if len(idx):
            add(
                full_deduction(
                    frame.iloc[idx],
                    exposure[idx],
                    notes_of(idx),
                    load_schedule(table, as_of),
                    key,
                )
            )
    # deducted before tentative net capital (15c3-1(c)(15)); the (A)(5) test reads it
    pre_tentative = float(sum(p["charge"].sum() for p in parts))
    tentative = (
        None if net_capital_before_haircuts is None else net_capital_before_haircuts - pre_tentative
    )

    government = load_schedule("government", as_of)
    idx = pick("A")
    if len(idx):
        gov = government_haircut(
            frame.iloc[idx],
            government,
            removed[idx],
            notes_of(idx),
            opts.government,
            tentative,
        )
        detail = gov.detail.copy()
        hedge_only = (hedges.removed[idx] > 0) & (detail["exposure"].to_numpy() == 0)
        detail.loc[hedge_only, "paragraph"] = "15c3-1(c)(2)(vi)(F)(3)"
        place(detail, idx)
        worksheets["government_subcategories"] = gov.subcategories
        worksheets["government_categories"] = gov.categories
    idx = pick("C")
    if len(idx):
        add(canadian_haircut(frame.iloc[idx], government, removed[idx], notes_of(idx)))
    idx = pick("B1", "B2")
    if len(idx):
        add(
            municipal_haircut(
                frame.iloc[idx],
                exposure[idx],
                notes_of(idx),
                routes[idx] == "B1",
                load_schedule("municipal_short_term", as_of),
                load_schedule("municipal", as_of),
            )
        )
    idx = pick("D1", "D2", "D3")
    if len(idx):
        add(
            fund_haircut(
                frame.iloc[idx],
                exposure[idx],
                notes_of(idx),
                routes[idx],
                load_schedule("funds", as_of),
            )
        )
    idx = pick("E", "E6")
    if len(idx):
        add(
            money_market_haircut(
                frame.iloc[idx],
                exposure[idx],
                notes_of(idx),
                routes[idx] == "E6",
                load_schedule("money_market_instruments", as_of),
                government,
            )
        )
    idx = pick("F", "G_F")
    if len(idx):
        add(
            debt_haircut(
                frame.iloc[idx],
                exposure[idx],
                notes_of(idx),
                routes[idx] == "G_F",
                hedges.hedged[idx],
                hedges.kind[idx],
                hedges.rate_months[idx],
                load_schedule("nonconvertible_debt", as_of),
                load_schedule("debt_hedged_by_government", as_of),
                load_schedule("debt_hedged_by_debt", as_of),
                hedges.sheet,
            )
        )
    idx = pick("H")
    if len(idx):
        add(
            preferred_haircut(
                frame.iloc[idx],
                exposure[idx],
                notes_of(idx),
                load_schedule("preferred", as_of),
            )
        )
    other = load_schedule("other_securities", as_of)
    idx = pick("J", "G_J", "J2")
    if len(idx):
        add(
            other_securities_haircut(
                frame.iloc[idx], exposure[idx], notes_of(idx), routes[idx], other
            )
        )
    idx = pick("K")
    if len(idx):
        add(
            limited_market_haircut(
                frame.iloc[idx],
                exposure[idx],
                notes_of(idx),
                other,
                opts.limited_market,
            )
        )
    elif opts.limited_market.reductions:
        raise ValueError("15c3-1(c)(2)(vi)(L) reductions given but no position is under (K)(ii)")
    if opt is not None:
        place(opt.detail, opt.rows)
        if len(opt.pairs):
            worksheets["option_pairs"] = opt.pairs
    futures_table = load_schedule("futures", as_of)
    idx = pick("COMMOD")
    if len(idx):
        add(
            commodity_inventory_haircut(
                frame.iloc[idx], exposure[idx], notes_of(idx), futures_table, covered[idx]
            )
        )

    frame = full
    # Appendix B (a)(3)(xiv): non-government futures (required) and government futures (add-on)
    is_future = frame["instrument"].to_numpy() == Instrument.FUTURE.value
    fut_idx = np.flatnonzero(is_future)
    fut_charge = None
    if len(fut_idx):
        fut_charge = futures_margin_charge(
            frame.iloc[fut_idx],
            after_cover[fut_idx],
            futures_table,
            opts.futures,
            required=routes[fut_idx] == "FUT",
        )
        own = routes[fut_idx] == "FUT"
        if own.any():
            k = np.flatnonzero(own)
            rows_k = fut_idx[k]
            place(
                build_detail(
                    ids[rows_k],
                    fut_charge.citation[k],
                    fut_charge.key[k],
                    fut_charge.multiple[k],
                    exposure[rows_k],
                    fut_charge.gross[k],
                    fut_charge.charge[k],
                    notes_of(rows_k),
                ),
                rows_k,
            )

    detail = pd.concat(parts, ignore_index=True) if parts else empty_detail()
    # back to input order: row j of the concatenation is frame row order[j]
    order = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
    if len(order) != len(frame) or (np.bincount(order, minlength=len(frame)) != 1).any():
        raise ReconciliationError("haircut detail does not list every position exactly once")
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    detail = detail.iloc[inverse]
    detail = detail.reset_index(drop=True)
    detail["add_on_paragraph"] = detail["add_on_paragraph"].fillna("").astype(object)
    detail["add_on_charge"] = detail["add_on_charge"].fillna(0.0).astype(float)
    if len(detail) != len(frame):
        raise ReconciliationError("haircut detail does not list every position exactly once")

    if fut_charge is not None:
        gov_fut = np.flatnonzero(routes[fut_idx] == "A")
        rows_g = fut_idx[gov_fut]
        done = fut_charge.computed[gov_fut]
        detail.loc[rows_g[done], "add_on_paragraph"] = fut_charge.citation[gov_fut][done]
        detail.loc[rows_g[done], "add_on_charge"] = fut_charge.charge[gov_fut][done]
        note_col = detail["note"].to_numpy(dtype=object).copy()
        for i in rows_g[~done]:
            text = "Appendix B (a)(3)(xiv) margin charge not computed: no margin given"
            note_col[i] = f"{note_col[i]}; {text}" if note_col[i] else text
        detail["note"] = note_col
        if fut_charge.reduction > 0:
            worksheets["futures_equity_reduction"] = pd.DataFrame(
                {
                    "gross_charge": [float(fut_charge.gross.sum())],
                    "account_equity_applied": [fut_charge.reduction],
                    "citation": ["15c3-1b(a)(3)(xiv)"],
                }
            )

    # the rate otherwise applied to each position: its own rate, blended where a
    # position is charged in two parts (a partly hedged (F) position)
    expo = np.abs(detail["exposure"].to_numpy(dtype=float))
    effective = np.divide(
        detail["gross_charge"].to_numpy(dtype=float),
        expo,
        out=detail["rate"].to_numpy(dtype=float).copy(),
        where=expo > 0,
    )
    # (M)(1): net capital before (c)(2)(vi) and Appendix A, after every other deduction
    base = None
    if tentative is not None:
        base = tentative - detail_stage_totals(detail)[APPENDIX_B]
    add_on, sheet = concentration_add_on(
        frame,
        routes,
        effective,
        base,
        as_of,
        load_schedule("concentration", as_of),
        taken=(detail["add_on_paragraph"] != "").to_numpy(dtype=bool),
    )
    if (add_on > 0).any():
        hit = add_on > 0
        detail = make_room(detail, hit)
        detail.loc[hit, "add_on_paragraph"] = CONCENTRATION_CITATION
        detail.loc[hit, "add_on_charge"] = add_on[hit]
        worksheets["concentration"] = sheet

    detail = detail[list(DETAIL_COLUMNS)]
    _reconcile(frame, detail, removed)
    total = float(detail["charge"].sum() + detail["add_on_charge"].sum())
    return HaircutResult(
        detail=detail,
        worksheets=worksheets,
        total=total,
        warnings=warnings,
        concentration_base=base,
    )


def _reconcile(frame: pd.DataFrame, detail: pd.DataFrame, removed: np.ndarray) -> None:
    if len(detail) != len(frame) or not np.array_equal(
        detail["id"].to_numpy(), frame["id"].to_numpy()
    ):
        raise ReconciliationError("haircut detail does not list every position exactly once")
    value_in = float(np.abs(frame["signed_value"].to_numpy()).sum())
    value_out = float(np.abs(detail["exposure"].to_numpy()).sum() + removed.sum())
    if abs(value_in - value_out) > CENT * max(1.0, len(frame)):
        raise ReconciliationError(
            f"market value in {value_in:,.2f} differs from value charged plus covered "
            f"or hedged {value_out:,.2f}"
        )
