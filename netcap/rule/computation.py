"""Net capital, line by line, in the order of the FOCUS report: orchestration only.

    total ownership equity                                 (c)(2)
  - ownership equity not allowable                         (c)(2)(i)(G)
  + allowable subordinated liabilities                     (c)(2)(ii); 15c3-1d
  + / - other allowable credits and deductions             (c)(2)(i)(A), (C)-(F)
  = total capital and allowable subordinated liabilities
  - non-allowable assets and other deductions              (c)(2)(iii)-(v), (xi), (xiii), ...
  - non-security crypto assets held as positions           (c)(2)(iv)
  - securities with no ready market                        (c)(2)(vii)
  = net capital before haircuts (tentative net capital)    (c)(15)
  - haircuts, one line per paragraph                       (c)(2)(vi), Appendix A, Appendix B
  = net capital                                            (c)(2)

  Tentative net capital is net capital before the haircuts of (c)(2)(vi) and the
  charges of Appendix B only (15c3-1(c)(15)); the position deductions of (vii)
  and crypto sit above it (netcap.rule.haircuts.tentative says which is which).

  then the requirement ((a)(1), (a)(2), (a)(4), (a)(8)), excess net capital,
  net capital less the withdrawal/early-warning level ((e)(2); Rule 17a-11),
  aggregate indebtedness ((c)(1)), the AI ratio and the debt-equity ratio ((d)).

Each stage is a pure function in its own module (net_worth, indebtedness,
market_maker, requirements, early_warning, haircuts); this one calls them in
order and lays the figures out as lines, each with its citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from netcap.book.currency import (
    CONVERSIONS_ATTR,
    NO_CHARGE_WARNING,
    book_in_dollars,
    conversion_note,
    conversions_frame,
)
from netcap.book.firm import AIAdditionKind, Book, FirmProfile, FirmType, LiabilityKind
from netcap.book.frame import positions_frame
from netcap.book.model import Position
from netcap.money import round_dollars, round_percent
from netcap.rule.commitments import commitment_deductions
from netcap.rule.early_warning import EarlyWarningInputs, early_warning_flags
from netcap.rule.fails import (
    FailsOptions,
    aged_fails,
    differences_frame,
    fails_frame,
    securities_differences,
)
from netcap.rule.haircuts import HaircutOptions, HaircutResult, compute_haircuts
from netcap.rule.haircuts.tentative import PRE_TENTATIVE, stage
from netcap.rule.indebtedness import AI_CITATION, ai_additions_frame, liabilities_frame
from netcap.rule.lines import Line, lines_frame
from netcap.rule.market_maker import A4Requirement, A6Report, a4_requirement, a6_report
from netcap.rule.net_worth import net_worth_lines
from netcap.rule.receivables import aged_receivables
from netcap.rule.repos import REPO_CITATION, REVERSE_CITATION, RepoDeficits, repo_deficits
from netcap.rule.requirements import Requirement, minimum_requirement
from netcap.rule.secured_demand_notes import SDNResult, secured_demand_notes
from netcap.rule.tables import Schedule, load_schedule

__all__ = ["ComputeOptions", "MarketMakerResult", "NetCapitalResult", "compute"]


@dataclass(frozen=True)
class ComputeOptions:
    """Elections and inputs outside the book.

    ``aggregate_debit_items``, when given, overrides the book's figure (the
    Exhibit A total of Rule 15c3-3, needed under the alternative standard).
    """

    haircuts: HaircutOptions = field(default_factory=HaircutOptions)
    aggregate_debit_items: float | None = None


@dataclass(frozen=True)
class MarketMakerResult:
    """Market making: the (a)(4) requirement and the (a)(6) accounts."""

    a4: A4Requirement | None
    a6: tuple[A6Report, ...]


_ADDITION_LABELS = {
    AIAdditionKind.SECURITIES_BORROWED_UNPAID.value: (
        "Add: market value of securities borrowed for which no equivalent value is paid or credited"
    ),
    AIAdditionKind.DRAFTS_FOR_IMMEDIATE_CREDIT.value: "Add: drafts for immediate credit",
    AIAdditionKind.OTHER_UNRECORDED.value: "Add: other unrecorded amounts",
}

_HAIRCUT_GROUP_TITLES = {
    "15c3-1(c)(2)(iv)": "non-security crypto assets (not readily convertible into cash)",
    "15c3-1(c)(2)(vi)(A)": "government and agency securities",
    "15c3-1(c)(2)(vi)(B)": "municipal securities",
    "15c3-1(c)(2)(vi)(C)": "Canadian debt obligations",
    "15c3-1(c)(2)(vi)(D)": "redeemable investment company shares",
    "15c3-1(c)(2)(vi)(E)": "commercial paper, bankers' acceptances and certificates of deposit",
    "15c3-1(c)(2)(vi)(F)": "nonconvertible debt securities",
    "15c3-1(c)(2)(vi)(G)": "convertible debt securities",
    "15c3-1(c)(2)(vi)(H)": "cumulative nonconvertible preferred stock",
    "15c3-1(c)(2)(vi)(J)": "all other securities",
    "15c3-1(c)(2)(vi)(K)": "securities with a limited market",
    "15c3-1(c)(2)(vi)(M)": "undue concentration",
    "15c3-1(c)(2)(vii)": "securities with no ready market",
    "15c3-1(c)(2)(viii)": "open contractual commitments",
    "15c3-1a": "options (Appendix A)",
    "15c3-1b": "commodity futures (Appendix B)",
}

_GROUP_PATTERN = re.compile(
    r"^(15c3-1\(c\)\(2\)\(vi\)\([A-P]\)|15c3-1\(c\)\(2\)\([ivx]+\)|15c3-1[ab])"
)


def haircut_group(paragraph: str) -> str:
    """The paragraph a haircut sub-bucket reports under on the computation.

    FOCUS Part II shows one haircut line per class of security; a sub-bucket such as
    ``15c3-1(c)(2)(vi)(B)(2)(ix)`` rolls up to ``15c3-1(c)(2)(vi)(B)``, Appendix B buckets to
    ``15c3-1b``.  The sub-bucket amounts stay in ``HaircutResult.by_paragraph``.
    """
    match = _GROUP_PATTERN.match(paragraph)
    return match.group(1) if match else paragraph


def _haircut_label(group: str) -> str:
    title = _HAIRCUT_GROUP_TITLES.get(group)
    return f"Haircut: {title}" if title else f"Haircut: {group}"


def _deduction_label(group: str) -> str:
    title = _HAIRCUT_GROUP_TITLES.get(group)
    return f"Deduct: {title}" if title else f"Deduct: {group}"


POSITION_DEDUCTION_PREFIX = "position_deduction:"
"""Line key prefix of the position deductions taken before tentative net capital."""


def _group_order(group: str) -> tuple[int, str]:
    if group.startswith("15c3-1(c)(2)(vi)("):
        return (1, group)
    if group == "15c3-1(c)(2)(iv)":
        return (0, group)
    return (2, group)


@dataclass(frozen=True)
class NetCapitalResult:
    """The computation: cited lines, haircuts, requirement, AI detail, flags."""

    as_of: date
    firm: FirmProfile
    lines: pd.DataFrame
    haircuts: HaircutResult
    requirement: Requirement
    liabilities: pd.DataFrame
    ai_additions: pd.DataFrame
    nonallowable: pd.DataFrame
    positions: pd.DataFrame
    early_warning: pd.DataFrame
    market_maker: MarketMakerResult
    warnings: tuple[str, ...] = ()
    aged_items: pd.DataFrame = field(default_factory=pd.DataFrame)
    commitments: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per-commitment detail of 15c3-1(c)(2)(viii) (`netcap.rule.commitments`)."""
    repo_deficits: RepoDeficits | None = None
    secured_demand_notes: SDNResult | None = None
    currency_conversions: pd.DataFrame | None = None
    """Amounts converted to US dollars (`netcap.book.currency`), one row per amount, or None."""

    def line(self, key: str) -> float:
        """Amount of the line with this key."""
        hit = self.lines.loc[self.lines["line"] == key, "amount"]
        if len(hit) != 1:
            raise KeyError(key)
        return float(hit.iloc[0])

    def has_line(self, key: str) -> bool:
        """Whether the computation has a line with this key."""
        return bool((self.lines["line"] == key).any())

    @property
    def net_capital(self) -> float:
        """Net capital, (c)(2)."""
        return self.line("net_capital")

    @property
    def tentative_net_capital(self) -> float:
        """Net capital before haircuts, (c)(15)."""
        return self.line("tentative_net_capital")

    @property
    def excess_net_capital(self) -> float:
        """Net capital less the requirement of 15c3-1(a)."""
        return self.line("excess_net_capital")

    @property
    def aggregate_indebtedness(self) -> float:
        """Aggregate indebtedness, (c)(1)."""
        return self.line("aggregate_indebtedness")

    @property
    def flags(self) -> list[str]:
        """Keys of the early-warning and withdrawal tests that are crossed."""
        return [str(k) for k in self.early_warning.loc[self.early_warning["triggered"], "key"]]

    def to_dict(self, *, detail: bool = True) -> dict[str, Any]:
        """JSON-ready form: dollars rounded to the dollar, percentages to 0.01.

        ``detail=False`` leaves out ``haircuts.detail`` (one record per position: at a
        million positions the larger part of the time and memory), for a caller that
        shows only the summary.
        """
        return _to_dict(self, detail=detail)

    def _repr_html_(self) -> str:
        from netcap.display import to_html  # noqa: PLC0415 (display only)

        return to_html(self)


def _join_frames(given: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """A validated frame plus the positions of ineligible market-maker accounts."""
    if extra.empty:
        return given
    clash = set(given["id"]) & set(extra["id"])
    if clash:
        raise ValueError(f"position ids used twice: {sorted(clash)[:5]}")
    return pd.concat([given, extra[given.columns]], ignore_index=True)


def _haircut_frame(
    book: Book,
    reports: tuple[A6Report, ...],
    warnings: list[str],
    positions: pd.DataFrame | None,
) -> pd.DataFrame:
    """The validated frame of every position (c)(2)(vi)-(vii) reaches.

    A validated ``positions`` frame is used as given when no ineligible
    market-maker account adds positions to it ((a)(6)).
    """
    extra = _positions_for_haircuts(book, reports, warnings)
    if positions is not None and not extra:
        return positions
    frame = positions_frame(extra, book.as_of)
    return frame if positions is None else _join_frames(positions, frame)


def _positions_for_haircuts(
    book: Book, reports: tuple[A6Report, ...], warnings: list[str]
) -> tuple[Position, ...]:
    positions = list(book.positions)
    for account, report in zip(book.market_maker_accounts, reports, strict=True):
        if account.role != "own":
            continue
        if report.eligible:
            if report.deficiency > 0:
                warnings.append(
                    f"market-maker account {account.id}: liquidating equity "
                    f"{report.liquidating_equity:,.2f} is below the "
                    f"{report.required_equity:,.2f} required by 15c3-1(a)(6)(iii)(A)"
                )
        else:
            failed = report.conditions.loc[~report.conditions["met"], "condition"].tolist()
            warnings.append(
                f"market-maker account {account.id}: not eligible for 15c3-1(a)(6) "
                f"({'; '.join(failed)}); its positions are haircut under (c)(2)(vi)"
            )
            positions.extend(account.positions)
    return tuple(positions)


def _with_position_deductions(lines: list[Line], deductions: list[Line], tnc: float) -> list[Line]:
    """The balance-sheet lines with the pre-tentative position deductions added.

    They go after the other deductions, inside the total of deductions, and the
    tentative net capital line takes ``tnc`` (15c3-1(c)(15)).
    """
    keys = [ln.key for ln in lines]
    total_at = keys.index("total_deductions")
    tnc_at = keys.index("tentative_net_capital")
    total = lines[total_at]
    out = [
        *lines[:total_at],
        *deductions,
        replace(total, amount=total.amount + sum(d.amount for d in deductions)),
        *lines[total_at + 1 : tnc_at],
        replace(lines[tnc_at], amount=tnc),
        *lines[tnc_at + 1 :],
    ]
    return out


def _aged_items(book: Book) -> tuple[list[tuple[str, str, float, str]], pd.DataFrame]:
    """Deductions for aged fails, securities differences and dated receivables, with detail."""
    options = FailsOptions(
        municipal_brokers_broker=book.firm.firm_type is FirmType.MUNICIPAL_BROKERS_BROKER,
        alternative_standard=book.firm.alternative_standard,
    )
    results = []
    if book.fails:
        results.append(("fails", aged_fails(fails_frame(book.fails), book.as_of, options)))
    if book.securities_differences:
        frame = differences_frame(book.securities_differences)
        results.append(("differences", securities_differences(frame, book.as_of)))
    deductions: list[tuple[str, str, float, str]] = []
    details = []
    for source, result in results:
        for i, (label, amount, citation) in enumerate(result.other_deductions()):
            deductions.append((f"aged_{source}:{i}", label, amount, citation))
        details.append(result.detail.assign(source=source))
    if book.receivables:  # (c)(2)(iv)(B), (C): one line per kind
        dated = aged_receivables(book.receivables, book.as_of)
        deductions.extend(dated.deductions())
        details.append(dated.detail.assign(source="receivables"))
    detail = pd.concat(details, ignore_index=True) if details else pd.DataFrame()
    return deductions, detail


def _haircut_groups(by_paragraph: pd.DataFrame) -> pd.DataFrame:
    """The haircut total of each group of paragraphs (one line of the computation each)."""
    return (
        by_paragraph.assign(group=[haircut_group(str(p)) for p in by_paragraph["paragraph"]])
        .groupby("group", sort=False)
        .agg(charge=("charge", "sum"))
    )


def _haircut_lines(
    lines: list[Line],
    repo_lines: list[Line],
    charges: dict[Any, float],
    before: list[str],
    after: list[str],
    tnc: float,
) -> list[Line]:
    """The position deductions before tentative net capital (15c3-1(c)(15)), then a line
    per group of haircuts after it ((c)(2)(vi), Appendix A and B)."""
    out = _with_position_deductions(
        lines,
        repo_lines
        + [
            Line(
                f"{POSITION_DEDUCTION_PREFIX}{g}",
                _deduction_label(str(g)),
                -float(charges[g]),
                str(g),
            )
            for g in before
        ],
        tnc,
    )
    for group in after:
        out.append(
            Line(
                f"haircut:{group}",
                _haircut_label(group),
                -float(charges[group]),
                group,
            )
        )
    return out


def _commitment_lines(
    book: Book,
    frame: pd.DataFrame,
    haircuts: HaircutResult,
    nc: float,
    lines: list[Line],
) -> tuple[float, pd.DataFrame]:
    """(c)(2)(viii) open contractual commitments: the adjustment, then the (B) add-back.

    Appends their lines; returns net capital after them and the commitments detail.
    """
    commitments = pd.DataFrame()
    if book.commitments:  # (c)(2)(viii): adjust the (vi) charges, then the (B) add-back
        committed = commitment_deductions(book.commitments, frame, haircuts.detail, book.as_of)
        commitments = committed.detail
        lines.append(
            Line(
                "commitments:adjustment",
                "Open contractual commitments: (viii)(A) 30% and (viii)(C) unrealized profit "
                "or loss, over the (c)(2)(vi) charges above",
                -committed.adjustment,
                "15c3-1(c)(2)(viii)",
            )
        )
        nc -= committed.adjustment
        add_back = committed.add_back(nc)
        if add_back > 0:
            lines.append(
                Line(
                    "commitments:add_back",
                    "Open contractual commitments: add-back of net capital over $250,000",
                    add_back,
                    "15c3-1(c)(2)(viii)(B)",
                )
            )
            nc += add_back
    return nc, commitments


def _requirement_lines(
    lines: list[Line],
    book: Book,
    req: Requirement,
    adi: float | None,
    ai: float,
    nc: float,
    params: Schedule,
) -> None:
    """The requirement section: 15c3-1(a) candidates, the requirement, excess and (e)(2) levels."""
    shown = req.candidates["kind"].isin(["ratio", "additional"])  # (a)(9) is added on top
    for _, cand in req.candidates[shown].iterrows():
        lines.append(
            Line(
                f"requirement:{cand['key']}",
                f"Minimum net capital required: {cand['basis']}",
                float(cand["amount"]),
                str(cand["citation"]),
                role="memo",
                section="requirement",
            )
        )
    dollar = req.candidates[req.candidates["kind"] == "dollar"]
    lines.append(
        Line(
            "minimum_dollar_requirement",
            "Minimum dollar net capital requirement (greatest of: "
            + "; ".join(str(b) for b in dollar["basis"])
            + ")",
            req.minimum_dollar,
            req.minimum_dollar_citation,
            role="memo",
            section="requirement",
        )
    )
    lines.append(
        Line(
            "net_capital_requirement",
            f"Net capital requirement (greatest of the above: {req.basis})",
            req.amount,
            f"15c3-1(a); {req.citation}",
            role="memo",
            section="requirement",
        )
    )
    lines.append(
        Line(
            "excess_net_capital",
            "Excess net capital",
            nc - req.amount,
            "15c3-1(a)",
            role="memo",
            section="requirement",
        )
    )
    wd_min = params.rate("withdrawal_minimum_pct") * req.minimum_dollar
    if book.firm.alternative_standard:
        assert adi is not None
        pct = params.rate("withdrawal_debit_pct")
        lines.append(
            Line(
                "net_capital_less_warning_level",
                f"Net capital less the greater of {pct:.0%} of aggregate debit items or "
                f"{params.rate('withdrawal_minimum_pct'):.0%} of the minimum dollar requirement",
                nc - max(pct * adi, wd_min),
                "15c3-1(e)(2)(i), (e)(2)(vi); 17a-11(c)(2)",
                role="memo",
                section="requirement",
            )
        )
    else:
        ratio = params.rate("withdrawal_ai_ratio")
        lines.append(
            Line(
                "net_capital_less_warning_level",
                f"Net capital less the greater of {100 / ratio:.0f}% of aggregate indebtedness or "
                f"{params.rate('withdrawal_minimum_pct'):.0%} of the minimum dollar requirement",
                nc - max(ai / ratio, wd_min),
                "15c3-1(e)(2)(i), (e)(2)(v)",
                role="memo",
                section="requirement",
            )
        )


def _indebtedness_lines(
    lines: list[Line],
    book: Book,
    liabilities: pd.DataFrame,
    additions: pd.DataFrame,
    ai_recorded: float,
    ai: float,
    nc: float,
) -> tuple[float, float]:
    """Aggregate indebtedness (15c3-1(c)(1)) and the (d) debt-equity lines.

    Returns the subordinated debt and the debt-equity total (15c3-1(d)).
    """
    lines.append(
        Line(
            "ai_recorded",
            "Total aggregate indebtedness liabilities from the statement of financial condition",
            ai_recorded,
            AI_CITATION,
            section="indebtedness",
        )
    )
    if len(additions):
        for kind, amount in additions.groupby("kind", sort=False)["amount"].sum().items():
            lines.append(
                Line(
                    f"ai_addition:{kind}",
                    _ADDITION_LABELS[str(kind)],
                    float(amount),
                    AI_CITATION,
                    section="indebtedness",
                )
            )
    lines.append(
        Line(
            "aggregate_indebtedness",
            "Total aggregate indebtedness",
            ai,
            AI_CITATION,
            role="subtotal",
            section="indebtedness",
        )
    )
    lines.append(
        Line(
            "ai_ratio_pct",
            "Percentage of aggregate indebtedness to net capital",
            ai / nc * 100.0 if nc > 0 else float("nan"),
            "15c3-1(a)(1)(i)",
            unit="%",
            role="memo",
            section="indebtedness",
        )
    )
    kinds = liabilities["kind"].to_numpy(dtype=object)
    sub_mask = kinds == LiabilityKind.SUBORDINATED.value
    equity_subs = {li.id for li in book.liabilities if li.qualifies_as_equity}
    debt_mask = sub_mask & ~liabilities["id"].isin(equity_subs).to_numpy(dtype=bool)
    amounts = liabilities["amount"].to_numpy(dtype=float)
    sub_debt = float(amounts[debt_mask].sum())
    de_total = float(amounts[sub_mask].sum()) + book.balance_sheet.net_worth
    lines.append(
        Line(
            "debt_equity_pct",
            "Percentage of debt to debt-equity total",
            sub_debt / de_total * 100.0 if de_total > 0 else float("nan"),
            "15c3-1(d)",
            unit="%",
            role="memo",
            section="indebtedness",
        )
    )
    return sub_debt, de_total


def _in_dollars(book: Book, positions: pd.DataFrame | None) -> tuple[Book, pd.DataFrame]:
    """``book`` with amounts in other currencies converted at its rates, and the record
    of every conversion (those of positions converted when the book was read ride in
    the frame's attrs, as plain records so frames carrying them still concatenate)."""
    book, conversions = book_in_dollars(book)
    loaded = () if positions is None else positions.attrs.get(CONVERSIONS_ATTR, ())
    if loaded:
        parts = [f for f in (conversions_frame(list(loaded)), conversions) if len(f)]
        conversions = pd.concat(parts, ignore_index=True)
    return book, conversions


def _haircut_memo_lines(haircuts: HaircutResult) -> list[Line]:
    """Memo lines: the base of the 25% withdrawal limit ((e)(2)(iii)) and, when (M) was
    measured, its base ((c)(2)(vi)(M)(1))."""
    memo = [
        Line(
            "withdrawal_haircut_base",
            "Deductions of (c)(2)(vi) and Appendix A (base of the 25% withdrawal limit)",
            -haircuts.securities,
            "15c3-1(e)(2)(iii)",
            role="memo",
        )
    ]
    if haircuts.concentration_base is not None:
        memo.append(
            Line(
                "concentration_base",
                "Net capital before (c)(2)(vi) and Appendix A (base of undue concentration)",
                haircuts.concentration_base,
                "15c3-1(c)(2)(vi)(M)(1)",
                role="memo",
            )
        )
    return memo


def compute(
    book: Book,
    options: ComputeOptions | None = None,
    *,
    positions: pd.DataFrame | None = None,
) -> NetCapitalResult:
    """Compute net capital, the requirement and the early-warning tests for ``book``.

    ``positions`` is an already validated position frame (from
    `netcap.book.loading.load_book` or `netcap.book.frame.validate_frame`) to use in
    place of ``book.positions``, which must then be empty.
    """
    opts = options or ComputeOptions()
    on = book.as_of
    warnings: list[str] = []
    if positions is not None and book.positions:
        raise ValueError("give positions in the book or as a frame, not both")
    book, conversions = _in_dollars(book, positions)

    liabilities = liabilities_frame(book.liabilities, on)
    additions = ai_additions_frame(book.ai_additions)

    reports = tuple(a6_report(a, on) for a in book.market_maker_accounts)
    carried = [
        (r.account_id, r.deficiency) for r in reports if r.role == "carried" and r.deficiency > 0
    ]
    secured = {li.id: li.secured_by_asset for li in book.liabilities if li.secured_by_asset}
    aged, aged_detail = _aged_items(book)
    sdn, repo_first = _agreement_deductions(book, aged)
    nw = net_worth_lines(
        book.balance_sheet,
        liabilities,
        secured,
        on,
        carried_deficiencies=carried,
        computed_deductions=aged,
    )
    capital = nw.tentative_net_capital  # before any position deduction

    frame = _haircut_frame(book, reports, warnings, positions)
    haircuts = compute_haircuts(frame, on, opts.haircuts, net_capital_before_haircuts=capital)
    warnings.extend(haircuts.warnings)
    by_paragraph = haircuts.by_paragraph  # a property that groups every detail row
    grouped = _haircut_groups(by_paragraph)
    groups = sorted(grouped.index, key=_group_order)
    before = [g for g in groups if stage(str(g)) == PRE_TENTATIVE]
    after = [g for g in groups if stage(str(g)) != PRE_TENTATIVE]
    pre_tentative = float(sum(float(grouped.loc[g, "charge"]) for g in before))
    repos, repo_lines = _repurchase_deduction(book, repo_first, capital - pre_tentative)
    if repos is not None and repos.repo > 0:  # (M)(1) and (A)(5) measure after it
        capital -= repos.repo
        haircuts = compute_haircuts(frame, on, opts.haircuts, net_capital_before_haircuts=capital)
        by_paragraph = haircuts.by_paragraph
        grouped = _haircut_groups(by_paragraph)
    tnc = capital - pre_tentative
    charges = grouped["charge"].to_dict()
    lines = _haircut_lines(list(nw.lines), repo_lines, charges, before, after, tnc)
    after_tentative = haircuts.total - pre_tentative
    lines.append(
        Line(
            "total_haircuts",
            "Total haircuts on securities positions",
            -after_tentative,
            "15c3-1(c)(2)(vi); 15c3-1a; 15c3-1b",
            role="memo",
        )
    )
    nc = tnc - after_tentative
    nc, commitments = _commitment_lines(book, frame, haircuts, nc, lines)
    lines.append(Line("net_capital", "Net capital", nc, "15c3-1(c)(2)", role="subtotal"))
    lines.extend(_haircut_memo_lines(haircuts))

    ai_recorded = float(liabilities["ai_amount"].sum())
    ai = ai_recorded + float(additions["amount"].sum())
    a4 = a4_requirement(book.market_making, on) if book.market_making is not None else None
    adi = (
        opts.aggregate_debit_items
        if opts.aggregate_debit_items is not None
        else book.aggregate_debit_items
    )
    req = minimum_requirement(book.firm, ai, on, adi, a4, book.reverse_repos)
    warnings.extend(req.warnings)
    params = load_schedule("requirements", on)

    _requirement_lines(lines, book, req, adi, ai, nc, params)

    sub_debt, de_total = _indebtedness_lines(
        lines, book, liabilities, additions, ai_recorded, ai, nc
    )

    flags = early_warning_flags(
        EarlyWarningInputs(
            net_capital=nc,
            tentative_net_capital=tnc,
            aggregate_indebtedness=ai,
            haircuts=haircuts.securities,
            subordinated_debt=sub_debt,
            debt_equity_total=de_total,
            aggregate_debit_items=adi,
            leverage=book.leverage,
        ),
        book.firm,
        req,
        on,
    )
    result = NetCapitalResult(
        as_of=on,
        firm=book.firm,
        lines=lines_frame(lines),
        haircuts=haircuts,
        requirement=req,
        liabilities=liabilities,
        ai_additions=additions,
        nonallowable=nw.nonallowable,
        positions=frame,
        early_warning=flags,
        market_maker=MarketMakerResult(a4=a4, a6=reports),
        warnings=tuple(warnings),
        aged_items=aged_detail,
        commitments=commitments,
        repo_deficits=repos,
        secured_demand_notes=sdn,
    )
    return with_conversions(result, conversions) if len(conversions) else result


def with_conversions(result: NetCapitalResult, conversions: pd.DataFrame) -> NetCapitalResult:
    """The result with its currency conversions recorded, stated on each converted
    position's haircut detail note, and the warning that no currency charge applies."""
    detail = result.haircuts.detail.copy()
    positions = conversions[conversions["item"] == "position"]
    values = positions[positions["field"] == "market_value"].set_index("id")
    notes = detail["note"].astype(object).to_numpy().copy()
    ids = detail["id"].to_numpy(dtype=object)
    for k, pid in enumerate(ids):
        if pid in values.index:
            row = values.loc[pid]
            text = conversion_note(
                str(row["currency"]), float(row["amount"]), float(row["usd_per_unit"])
            )
            notes[k] = f"{notes[k]}; {text}" if notes[k] else text
    detail["note"] = notes
    known = result.currency_conversions
    merged = conversions if known is None else pd.concat([known, conversions], ignore_index=True)
    codes = ", ".join(sorted(set(merged["currency"])))
    return replace(
        result,
        haircuts=replace(result.haircuts, detail=detail),
        currency_conversions=merged,
        warnings=(*result.warnings, NO_CHARGE_WARNING.format(codes=codes)),
    )


def _agreement_deductions(
    book: Book, computed: list[tuple[str, str, float, str]]
) -> tuple[SDNResult | None, RepoDeficits | None]:
    """Add the secured demand note deficiency ((c)(2)(iv)(B)) and the reverse repurchase
    deficits ((c)(2)(iv)(F)(2)) to the computed deductions; neither depends on net capital."""
    sdn = None
    if book.secured_demand_notes:
        sdn = secured_demand_notes(book.secured_demand_notes, book.as_of)
        computed.append(
            (
                "sdn_collateral_deficiency",
                "collateral deficiencies in secured demand notes (cash plus collateral value "
                "below the unpaid principal)",
                sdn.deficiency,
                "15c3-1(c)(2)(iv)(B); 15c3-1d(a)(2)(iii), (b)(6)",
            )
        )
    first = None
    if book.reverse_repos or book.repurchase_agreements:
        first = repo_deficits(book.reverse_repos, book.repurchase_agreements, book.as_of, 0.0)
    if book.reverse_repos and first is not None:
        computed.append(
            (
                "repo_deficits:reverse",
                "reverse repurchase agreement deficits, after same-party reductions",
                first.reverse,
                REVERSE_CITATION,
            )
        )
    return sdn, first


def _repurchase_deduction(
    book: Book, first: RepoDeficits | None, base: float
) -> tuple[RepoDeficits | None, list[Line]]:
    """The (c)(2)(iv)(F)(3) deduction, measured against net capital before (c)(2)(vi)."""
    if first is None:
        return None, []
    result = repo_deficits(book.reverse_repos, book.repurchase_agreements, book.as_of, base)
    if not book.repurchase_agreements:
        return result, []
    how = (
        "aggregate deficits over 300% of net capital before (c)(2)(vi)"
        if result.c_binds
        else "deficits over 5%/10%/20% of contract price, and over 25% of net capital "
        "before (c)(2)(vi) per party"
    )
    line = Line(
        "repo_deficits:repurchase",
        f"Deduct: repurchase agreement deficits ({how})",
        -result.repo,
        REPO_CITATION,
    )
    return result, [line]


def _num(value: float, unit: str = "$") -> float | int | None:
    if not np.isfinite(value):
        return None
    return round_dollars(value) if unit == "$" else round_percent(value, 2)


def _dollars(value: Any) -> float | int | None:
    """A money cell, rounded to the dollar (numeric policy)."""
    return _num(float(value))


def _json_rows(frame: pd.DataFrame, **fields: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """One JSON record per row of ``frame``: each named column through its converter,
    in the order given."""
    return [
        {name: convert(row[name]) for name, convert in fields.items()}
        for row in frame.to_dict("records")
    ]


def _to_dict(r: NetCapitalResult, *, detail: bool = True) -> dict[str, Any]:
    req = r.requirement
    a4 = r.market_maker.a4
    return {
        "firm": r.firm.name,
        "firm_type": r.firm.firm_type.value,
        "standard": "alternative" if r.firm.alternative_standard else "aggregate_indebtedness",
        "as_of": r.as_of.isoformat(),
        "net_capital": _num(r.net_capital),
        "tentative_net_capital": _num(r.tentative_net_capital),
        "net_capital_requirement": _num(req.amount),
        "excess_net_capital": _num(r.excess_net_capital),
        "aggregate_indebtedness": _num(r.aggregate_indebtedness),
        "lines": [
            {
                "line": str(row["line"]),
                "label": str(row["label"]),
                "amount": _num(float(row["amount"]), str(row["unit"])),
                "unit": str(row["unit"]),
                "role": str(row["role"]),
                "section": str(row["section"]),
                "citation": str(row["citation"]),
            }
            for row in r.lines.to_dict("records")
        ],
        "requirement": {
            "amount": _num(req.amount),
            "basis": req.basis,
            "citation": req.citation,
            "minimum_dollar": _num(req.minimum_dollar),
            "first_year": req.first_year,
            "candidates": [
                {
                    "key": str(c["key"]),
                    "basis": str(c["basis"]),
                    "amount": _num(float(c["amount"])),
                    "kind": str(c["kind"]),
                    "binding": bool(c["binding"]),
                    "citation": str(c["citation"]),
                }
                for c in req.candidates.to_dict("records")
            ],
        },
        "haircuts": {
            "total": _num(r.haircuts.total),
            "before_tentative_net_capital": _num(r.haircuts.pre_tentative),
            "appendix_b": _num(r.haircuts.appendix_b),
            "securities_vi_and_appendix_a": _num(r.haircuts.securities),
            "concentration_base": None
            if r.haircuts.concentration_base is None
            else _num(r.haircuts.concentration_base),
            "by_paragraph": [
                {"paragraph": str(p), "charge": _num(float(c))}
                for p, c in zip(
                    r.haircuts.by_paragraph["paragraph"],
                    r.haircuts.by_paragraph["charge"],
                    strict=True,
                )
            ],
            "positions": len(r.haircuts.detail),
            **({"detail": _records(r.haircuts.detail)} if detail else {}),
        },
        "liabilities": _json_rows(
            r.liabilities,
            id=str,
            kind=str,
            amount=_dollars,
            excluded=_dollars,
            ai_amount=_dollars,
            citation=str,
            note=str,
        ),
        "ai_additions": _json_rows(r.ai_additions, id=str, kind=str, amount=_dollars, citation=str),
        "non_allowable_assets": _json_rows(
            r.nonallowable, id=str, kind=str, amount=_dollars, deduction=_dollars, citation=str
        ),
        "early_warning": [
            {
                "key": str(f["key"]),
                "description": str(f["description"]),
                "measure": _num(float(f["measure"]), str(f["unit"])),
                "threshold": _num(float(f["threshold"]), str(f["unit"])),
                "unit": str(f["unit"]),
                "triggered": bool(f["triggered"]),
                "citation": str(f["citation"]),
            }
            for f in r.early_warning.to_dict("records")
        ],
        "market_maker": {
            "a4": None
            if a4 is None
            else {
                "markets_over_5": a4.markets_over_5,
                "markets_at_or_below_5": a4.markets_at_or_below_5,
                "uncapped": _num(a4.uncapped),
                "amount": _num(a4.amount),
                "capped": a4.capped,
                "citation": a4.citation,
            },
            "a6": [
                {
                    "account": rep.account_id,
                    "role": rep.role,
                    "eligible": rep.eligible,
                    "conditions": [
                        {
                            "condition": str(c["condition"]),
                            "met": bool(c["met"]),
                            "citation": str(c["citation"]),
                        }
                        for c in rep.conditions.to_dict("records")
                    ],
                    "long_value": _num(rep.long_value),
                    "short_value": _num(rep.short_value),
                    "credit_balance": _num(rep.credit_balance),
                    "liquidating_equity": _num(rep.liquidating_equity),
                    "required_equity": _num(rep.required_equity),
                    "deficiency": _num(rep.deficiency),
                    "citation": rep.citation,
                    "deduction_citation": rep.deduction_citation if rep.role == "carried" else None,
                }
                for rep in r.market_maker.a6
            ],
        },
        "aged_items": _records(r.aged_items),
        "commitments": _records(r.commitments),
        "repo_deficits": None
        if r.repo_deficits is None
        else {
            "net_capital_before_vi": _num(r.repo_deficits.base),
            "reverse_deduction": _num(r.repo_deficits.reverse),
            "deduction_a": _num(r.repo_deficits.deduction_a),
            "deduction_b": _num(r.repo_deficits.deduction_b),
            "deduction_c": _num(r.repo_deficits.deduction_c),
            "repurchase_deduction": _num(r.repo_deficits.repo),
            "agreements": _records(r.repo_deficits.detail),
            "parties": _records(r.repo_deficits.parties),
        },
        "secured_demand_notes": None
        if r.secured_demand_notes is None
        else {
            "deficiency": _num(r.secured_demand_notes.deficiency),
            "notes": _records(r.secured_demand_notes.notes),
            "collateral": _records(r.secured_demand_notes.collateral),
        },
        "currency_conversions": None
        if r.currency_conversions is None
        else _records(r.currency_conversions),
        "warnings": list(r.warnings),
    }


def _json_value(value: Any) -> Any:
    """A frame cell as JSON: dollars rounded as reported, missing as null, dates as ISO."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Every row of a detail frame, as JSON-ready dicts (amounts unrounded, as computed)."""
    return [
        {str(k): _json_value(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]
