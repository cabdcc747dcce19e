"""(c)(2)(vi)(M): undue concentration, kept per issue.

15c3-1(c)(2)(vi)(M)(1) adds, for each issue whose position exceeds a threshold,
a further deduction on the excess: the (J) add-on rate for (J) securities
((M)(2); the (J)(1)-(2) exempt rate for the first proviso's), and otherwise a
fraction of the rate the position is charged at.  The threshold is the greater of
10% of net capital before (c)(2)(vi) and Appendix A (the state's base) and a floor
by class: $10,000 or 500 shares for equity, $25,000 for debt, and for municipal
securities $500,000 (bonds) or $5,000,000 (notes) ((M)(4)).  Securities underwritten
(or municipal securities held) for no more than the grace in business days are
not counted.  An issue keeps its net value, the greatest rate and price of its
members, whether any is a note, and its members (so removing one recomputes the
maxima).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.book.model import SecurityClass
from netcap.pretrade.codes import isin
from netcap.pretrade.row import PoolRow
from netcap.rule.haircuts.concentration import DEBT_CLASSES, EQUITY_CLASSES, FUND_CLASSES, IN_SCOPE
from netcap.rule.tables import Schedule

__all__ = [
    "ConcentrationRules",
    "Issue",
    "Member",
    "concentration_columns",
    "concentration_rules",
    "issue_charge",
    "issue_joined",
    "issue_without",
    "issues_from_facts",
]

Member = tuple[float, float, float, bool, str]
"""One member row of an issue: signed value, (M) rate, price, municipal note, class."""

_FLOORS = (
    "equity_floor",
    "equity_floor_shares",
    "debt_floor",
    "municipal_note_floor",
    "municipal_bond_floor",
)


@dataclass(frozen=True)
class ConcentrationRules:
    """The (M) parameters in force: add-on rates, floors, threshold and graces."""

    j_rate: float
    j_exempt_rate: float
    fraction: float
    floors: dict[str, float]
    threshold: float
    municipal_days: float
    underwriting_days: float


def concentration_rules(table: Schedule) -> ConcentrationRules:
    """The (M) parameters from the concentration schedule."""
    return ConcentrationRules(
        j_rate=table.rate("j_add_on_rate"),
        j_exempt_rate=table.rate("j_exempt_add_on_rate"),
        fraction=table.rate("add_on_fraction"),
        floors={k: table.amount(k) for k in _FLOORS},
        threshold=table.rate("threshold"),
        municipal_days=table.amount("municipal_holding_business_days"),
        underwriting_days=table.amount("underwriting_business_days"),
    )


def _counted(
    frame: pd.DataFrame, routes: np.ndarray, rules: ConcentrationRules, on: date
) -> np.ndarray:
    """Rows (M) reaches: in scope, not funds, past the underwriting or holding grace."""
    cls = frame["security_class"].to_numpy()
    scope: np.ndarray = isin(routes, IN_SCOPE) & ~isin(cls, FUND_CLASSES)
    muni = cls == SecurityClass.MUNICIPAL.value
    since = frame["underwritten_on"].where(
        frame["underwritten_on"].notna(), frame["issue_date"].where(muni)
    )
    bdays = np.full(len(frame), np.nan)
    ok = since.notna().to_numpy(dtype=bool)
    if ok.any():
        bdays[ok] = np.busday_count(
            since[ok].to_numpy(dtype="datetime64[D]"), np.datetime64(on, "D")
        )
    grace = np.where(muni, rules.municipal_days, rules.underwriting_days)
    return scope & ~(bdays <= grace)


def concentration_columns(
    frame: pd.DataFrame,
    routes: np.ndarray,
    issue: np.ndarray,
    effective: np.ndarray,
    rules: ConcentrationRules,
    on: date,
) -> dict[str, np.ndarray]:
    """Each row's (M) facts: its issue ("" where not counted), add-on rate, price, note, class.

    ``effective`` is the rate otherwise applied to the row (blended for a partly
    hedged row), of which (M) takes its fraction outside (J).
    """
    m_rate = np.where(
        isin(routes, ("J", "G_J")),
        rules.j_rate,
        np.where(routes == "J2", rules.j_exempt_rate, rules.fraction * effective),
    )
    qty = frame["quantity"].to_numpy(dtype=float)
    value = frame["market_value"].to_numpy(dtype=float)
    price = np.where(qty > 0, value / np.where(qty > 0, qty, 1.0), 0.0)
    return {
        "m_issue": np.where(_counted(frame, routes, rules, on), issue, ""),
        "m_rate": m_rate,
        "m_price": np.nan_to_num(price),
        "m_note": frame["municipal_note"].to_numpy(dtype=bool),
        "m_class": frame["security_class"].to_numpy(),
    }


@dataclass(frozen=True)
class MemberTable:
    """The members of the issues filled from the facts, read out per issue when first needed.

    ``order`` lists the counted rows issue by issue (in row order within an issue),
    ``starts`` where each issue begins in it; ``fields`` are the columns of `Member`.
    """

    order: np.ndarray
    starts: np.ndarray
    pid: np.ndarray
    fields: tuple[np.ndarray, ...]

    def of(self, slot: int) -> dict[str, Member]:
        """Issue ``slot``'s members in row order: id -> (signed, rate, price, note, class)."""
        idx = self.order[self.starts[slot] : self.starts[slot + 1]]
        cols = [f[idx].tolist() for f in self.fields]
        return {
            p: (s, r, x, n, y)
            for p, s, r, x, n, y in zip(self.pid[idx].tolist(), *cols, strict=True)
        }


@dataclass
class Issue:
    """One (M) issue: its route, the class of its first row, its net and its members.

    An issue filled from the book reads its members from ``table`` when they are
    first asked for (removing a member, or adding one to the state).
    """

    route: str
    first_class: str
    net: float = 0.0
    max_rate: float = 0.0
    max_price: float = 0.0
    note: bool = False
    known: dict[str, Member] | None = field(default_factory=dict)
    table: MemberTable | None = None
    slot: int = -1

    @property
    def members(self) -> dict[str, Member]:
        """Member rows by id, in the order they joined."""
        if self.known is None:
            assert self.table is not None
            self.known = self.table.of(self.slot)
        return self.known


def _described_twice(pid: str, issue: str) -> BookError:
    return BookError(
        [
            RowError(
                "trade",
                "security_id",
                f"{pid!r}: issue {issue!r} is charged under different "
                "paragraphs in different rows; one issue must be described the same way",
            )
        ]
    )


def issue_charge(issue: Issue | None, rules: ConcentrationRules, base: float) -> float:
    """(M)(1): the greatest member rate on the net beyond the threshold of ``base``."""
    if issue is None:
        return 0.0
    f = rules.floors
    cls = issue.first_class
    if cls in EQUITY_CLASSES:
        floor = max(f["equity_floor"], f["equity_floor_shares"] * issue.max_price)
    elif cls in DEBT_CLASSES:
        floor = f["debt_floor"]
    elif cls == SecurityClass.MUNICIPAL.value:
        floor = f["municipal_note_floor" if issue.note else "municipal_bond_floor"]
    else:
        floor = 0.0
    threshold = max(floor, rules.threshold * base)
    return issue.max_rate * max(0.0, abs(issue.net) - threshold)


def member(row: PoolRow) -> Member:
    """A facts row as an issue member."""
    return (row.signed, row.m_rate, row.m_price, row.m_note, row.m_class)


def issue_joined(issues: dict[str, Issue], row: PoolRow, *, store: bool = True) -> Issue:
    """``row``'s issue with ``row`` joined; ``store=False`` leaves ``issues`` untouched."""
    old = issues.get(row.m_issue)
    if old is not None and old.route != row.route:
        raise _described_twice(row.pid, row.m_issue)
    if old is None:
        issue = Issue(route=row.route, first_class=row.m_class)
    elif store:
        issue = old
    else:
        issue = replace(old)  # shares the members, as the state's issue is replaced on commit
    issue.net += row.signed
    issue.max_rate = max(issue.max_rate, row.m_rate)
    issue.max_price = max(issue.max_price, row.m_price)
    issue.note = issue.note or row.m_note
    if store:
        issue.members[row.pid] = member(row)
        issues[row.m_issue] = issue
    return issue


def issue_without(issue: Issue, pid: str) -> Issue | None:
    """The issue without ``pid``, its maxima recomputed from the remaining members."""
    members = {k: v for k, v in issue.members.items() if k != pid}
    if not members:
        return None
    out = Issue(issue.route, issue.first_class, known=members)
    for i, (signed, rate, price, note, cls) in enumerate(members.values()):
        if i == 0:
            out.first_class = cls
        out.net += signed
        out.max_rate = max(out.max_rate, rate)
        out.max_price = max(out.max_price, price)
        out.note = out.note or note
    return out


def _member_table(
    codes: np.ndarray, k: int, pid: np.ndarray, fields: tuple[np.ndarray, ...]
) -> MemberTable:
    """The counted rows grouped by issue, row order kept within each issue."""
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=k))])
    return MemberTable(order, starts, pid, fields)


def issues_from_facts(facts: pd.DataFrame) -> dict[str, Issue]:
    """Every counted row joined to its issue, in row order, without a loop over rows.

    Sums run in row order as joining one row at a time would, so the figures are
    the same to the bit; the first row whose route differs from its issue's first
    row is refused as `issue_joined` refuses it.
    """
    m = facts["m_issue"].to_numpy(dtype=object)
    sel = np.flatnonzero(m != "")
    if len(sel) == 0:
        return {}
    codes, keys = pd.factorize(m[sel])  # issues in order of first appearance
    k = len(keys)
    first = np.unique(codes, return_index=True)[1]
    route = facts["route"].to_numpy(dtype=object)[sel]
    pid = facts["pid"].to_numpy(dtype=object)[sel]
    bad = np.flatnonzero(route != route[first][codes])
    if len(bad):
        raise _described_twice(str(pid[bad[0]]), str(m[sel][bad[0]]))
    signed = facts["signed"].to_numpy(dtype=float)[sel]
    rate = facts["m_rate"].to_numpy(dtype=float)[sel]
    price = facts["m_price"].to_numpy(dtype=float)[sel]
    note = facts["m_note"].to_numpy(dtype=bool)[sel]
    cls = facts["m_class"].to_numpy(dtype=object)[sel]
    net = np.bincount(codes, weights=signed, minlength=k)
    max_rate, max_price = np.zeros(k), np.zeros(k)
    np.fmax.at(max_rate, codes, rate)  # NaN never wins, as in max(0.0, nan)
    np.fmax.at(max_price, codes, price)
    any_note = np.bincount(codes, weights=note, minlength=k) > 0
    table = _member_table(codes, k, pid, (signed, rate, price, note, cls))
    return {
        str(keys[j]): Issue(
            str(route[first[j]]),
            str(cls[first[j]]),
            float(net[j]),
            float(max_rate[j]),
            float(max_price[j]),
            bool(any_note[j]),
            None,
            table,
            j,
        )
        for j in range(k)
    }
