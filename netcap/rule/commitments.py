"""Open contractual commitments, 15c3-1(c)(2)(viii)(A)-(C).

A firm with an open contractual commitment (a firm-commitment underwriting, a
when-issued purchase, a delayed-delivery contract) deducts "the respective
deductions as specified in paragraph (c)(2)(vi) ... or appendix B ... from the
value (which shall be the market value whenever there is a market) of each net
long and each net short position contemplated by any open contractual
commitment".  In a book the commitment is stated twice:

* the net long or short position it contemplates, as an ordinary position: it
  takes its (c)(2)(vi) or Appendix B deduction like any other;
* a ``commitments`` row naming that position, with the commitment's contract
  value and, for a (c)(2)(vi)(J) security, whether its class and issue is listed
  on a national securities exchange or designated a NASDAQ National Market
  System security.

From these, per commitment:

1. **(viii)(A)** -- in a (J) security that is neither listed nor NMS, the
   deduction "shall be 30 percent": 30% of market value replaces the (J) charge
   of the position (an undue concentration add-on of (c)(2)(vi)(M), a separate
   paragraph, stays on top).
2. **(viii)(C)** -- the deduction "shall be reduced by the unrealized profit in
   such commitment, in an amount not greater than the deduction ... (or
   increased by the unrealized loss)".  The unrealized profit of a commitment to
   buy (a net long position) is market value less contract value; of a commitment
   to sell (net short), contract value less market value.  So::

       deduction = base - min(profit, base)     (a loss, profit < 0, adds to it)

3. The (viii) line of the computation is the sum of ``deduction - (vi) charge``
   over the commitments: the (vi) charges are already among the haircut lines.
4. **(viii)(B)** -- "A broker or dealer that maintains in excess of $250,000 of
   net capital may add back to net worth up to $150,000 of any deduction computed
   under this paragraph": when net capital computed with the full (viii)
   deductions exceeds $250,000, the smaller of $150,000 and the sum of the (viii)
   deductions is added back.  netcap measures "maintains" on that net capital,
   before the add-back, so the add-back cannot lift a firm over the threshold it
   is conditioned on.

The rate and the two dollar amounts are rows of ``haircut_tables/net_worth.csv``.
Options are excluded by the paragraph ("other than those option positions
subject to appendix A"), so a commitment naming an option position is refused,
as is one naming a position charged before tentative net capital ((c)(2)(vii):
no ready market), which takes no (c)(2)(vi) or Appendix B deduction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from netcap.book.frame import BookError, RowError
from netcap.book.model import NonNegMoney
from netcap.rule.haircuts.tentative import PRE_TENTATIVE, stage
from netcap.rule.tables import load_schedule

__all__ = [
    "COMMITMENT_COLUMNS",
    "Commitment",
    "CommitmentsResult",
    "commitment_deductions",
]

CITATION = "15c3-1(c)(2)(viii)"
A_CITATION = "15c3-1(c)(2)(viii)(A)"
B_CITATION = "15c3-1(c)(2)(viii)(B)"
C_CITATION = "15c3-1(c)(2)(viii)(C)"
J_PREFIX = "15c3-1(c)(2)(vi)(J)"
SOURCE = "commitments"


class Commitment(BaseModel):
    """An open contractual commitment of 15c3-1(c)(2)(viii).

    ``position`` is the id of the book's position stating the net long or short
    position the commitment contemplates, at market value; ``contract_value`` is
    the commitment's price for that whole position.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    position: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="id of the position stating the net long or short position contemplated"
    )
    contract_value: NonNegMoney = Field(
        description="the commitment's contract price for the whole position"
    )
    exchange_listed: bool | None = Field(
        default=None,
        description="(viii)(A): class and issue listed on a national securities exchange or "
        "designated a NASDAQ National Market System security; required for a (J) security",
    )
    description: str = ""


COMMITMENT_COLUMNS: tuple[str, ...] = (
    "id",
    "position",
    "side",
    "position_paragraph",
    "market_value",
    "contract_value",
    "vi_deduction",
    "rate",
    "base_deduction",
    "unrealized_profit",
    "deduction",
    "adjustment",
    "citation",
)
"""Columns of the per-commitment detail."""


@dataclass(frozen=True)
class CommitmentsResult:
    """Per-commitment detail, the (viii) adjustment to the haircuts and the (B) terms."""

    detail: pd.DataFrame
    deduction: float
    """Sum of the (viii) deductions, after (A) and (C)."""
    adjustment: float
    """``deduction`` less the (vi)/Appendix B charges already among the haircut lines."""
    addback_threshold: float
    addback_max: float

    def add_back(self, net_capital: float) -> float:
        """(viii)(B): the add-back for a firm with ``net_capital`` before it."""
        if net_capital <= self.addback_threshold:
            return 0.0
        return min(self.addback_max, max(self.deduction, 0.0))


@dataclass(frozen=True)
class _Charge:
    paragraph: str
    charge: float
    add_on: float


def _charges(detail: pd.DataFrame) -> dict[str, _Charge]:
    """Paragraph, charge and add-on of each position in a haircut detail, by id."""
    charge = pd.to_numeric(detail["charge"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    add_on = pd.to_numeric(detail["add_on_charge"], errors="coerce").fillna(0.0)
    return {
        str(pid): _Charge(str(par), float(c), float(a))
        for pid, par, c, a in zip(
            detail["id"], detail["paragraph"], charge, add_on.to_numpy(dtype=float), strict=True
        )
    }


def _item(index: int, ident: str) -> str:
    """A commitment as an error names it: its 1-based place in the list and its id."""
    return f"{index + 1} (id {ident!r})"


def commitment_deductions(
    commitments: Sequence[Commitment],
    positions: pd.DataFrame,
    haircut_detail: pd.DataFrame,
    on: date,
) -> CommitmentsResult:
    """The (c)(2)(viii) deductions of ``commitments`` as of ``on``.

    ``positions`` is the validated position frame and ``haircut_detail`` the
    haircut detail computed from it (one row per position).  Every problem is
    reported at once, naming the commitment row and field.
    """
    params = load_schedule("net_worth", on)
    rate_a = params.rate("c2viii_j_unlisted_rate")
    ids = positions["id"].astype(str).tolist()
    value = dict(zip(ids, positions["market_value"].to_numpy(dtype=float).tolist(), strict=True))
    side = dict(zip(ids, positions["side"].astype(str).tolist(), strict=True))
    kind = (
        positions["instrument"].astype(str).tolist()
        if "instrument" in positions
        else ["cash"] * len(ids)
    )
    instrument = dict(zip(ids, kind, strict=True))
    charges = _charges(haircut_detail)
    errors: list[RowError] = []
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for i, c in enumerate(commitments):
        if c.id in seen:
            errors.append(
                RowError(_item(i, c.id), "id", f"duplicate commitment id {c.id!r}", SOURCE)
            )
        seen.add(c.id)
        if c.position not in value or c.position not in charges:
            errors.append(
                RowError(
                    _item(i, c.id),
                    "position",
                    f"{c.position!r} names no position in the book",
                    SOURCE,
                )
            )
            continue
        if instrument[c.position] == "option":
            errors.append(
                RowError(
                    _item(i, c.id),
                    "position",
                    f"{c.position!r} is an option: (c)(2)(viii) excludes option positions "
                    "subject to Appendix A",
                    SOURCE,
                )
            )
            continue
        ch = charges[c.position]
        paragraph = ch.paragraph
        if stage(paragraph) == PRE_TENTATIVE:
            errors.append(
                RowError(
                    _item(i, c.id),
                    "position",
                    f"{c.position!r} is charged under {paragraph}, not (c)(2)(vi) or Appendix B, "
                    "so (c)(2)(viii) has no deduction to adjust",
                    SOURCE,
                )
            )
            continue
        is_j = paragraph.startswith(J_PREFIX)
        if is_j and c.exchange_listed is None:
            errors.append(
                RowError(
                    _item(i, c.id),
                    "exchange_listed",
                    f"{c.position!r} is a (c)(2)(vi)(J) security: say whether its class and "
                    "issue is exchange-listed or a NASDAQ NMS security ((c)(2)(viii)(A))",
                    SOURCE,
                )
            )
            continue
        mv = value[c.position]
        vi = ch.charge + ch.add_on
        unlisted_j = is_j and c.exchange_listed is False
        base = rate_a * mv + ch.add_on if unlisted_j else vi
        long = side[c.position] == "long"
        profit = mv - c.contract_value if long else c.contract_value - mv
        deduction = base - min(profit, base)
        cites = [CITATION, *([A_CITATION] if unlisted_j else []), C_CITATION]
        rows.append(
            {
                "id": c.id,
                "position": c.position,
                "side": "long" if long else "short",
                "position_paragraph": paragraph,
                "market_value": mv,
                "contract_value": c.contract_value,
                "vi_deduction": vi,
                "rate": rate_a if unlisted_j else np.nan,
                "base_deduction": base,
                "unrealized_profit": profit,
                "deduction": deduction,
                "adjustment": deduction - vi,
                "citation": "; ".join(cites),
            }
        )
    if errors:
        raise BookError(errors)
    detail = pd.DataFrame(rows, columns=list(COMMITMENT_COLUMNS))
    return CommitmentsResult(
        detail=detail,
        deduction=float(detail["deduction"].sum()),
        adjustment=float(detail["adjustment"].sum()),
        addback_threshold=params.amount("c2viii_addback_threshold"),
        addback_max=params.amount("c2viii_addback_max"),
    )
