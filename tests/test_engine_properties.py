"""Engine-wide properties of the whole computation over books that mix security classes.

The haircut-level properties (permutation, splitting, homogeneity without (M), the (J)
oracle) are in test_haircuts_properties.py and, for (A), test_properties_government.py;
the computation's NC <= TNC and requirement >= fixed minimum on government books are in
test_computation_properties.py.  This file checks what those leave out:

* offsets: in the "greater of long or short" paragraphs ((B)(2), (D)(1), (F)(1), (H)),
  adding a position on the lesser side of its bucket, no larger than the gap, never raises
  the total haircut (it leaves it unchanged).  This is NOT a property of every paragraph:
  an offset that shrinks the lesser side of an (A) category can raise the (A) charge
  (docs/table10.md), and in (J) the lesser side is charged above 25% of the greater.
  For (M), an offset in the same issue that does not flip its net position never raises
  the concentration add-on;
* through ``compute``: NC <= TNC and requirement >= fixed minimum on mixed books,
  permuting position rows changes no line, splitting a position (same issue) changes no
  line, including (M) measured against the book's own TNC;
* scaling: multiplying every position and the balance sheet by k multiplies TNC, every
  haircut (with (M)) and NC by k -- provided no dollar floor of (M) binds: 10% of TNC
  must be at least the largest floor in play ($25,000 for debt) in both books, and
  municipal positions (floors of $500,000 / $5,000,000) are left out.
"""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.firm import Book, FirmType, Liability, LiabilityKind
from netcap.book.frame import BookError, validate_frame
from netcap.book.model import Position, Side
from netcap.money import MAX_AMOUNT
from netcap.rule.computation import NetCapitalResult, compute
from tests.computation_helpers import book
from tests.conftest import gov, haircut
from tests.test_haircuts_properties import make

HUGE = 1e15
FAST = settings(max_examples=int(os.environ.get("NETCAP_PROPERTY_EXAMPLES", "20")), deadline=None)
values = st.floats(min_value=1e3, max_value=5e7, allow_nan=False)
sides = st.sampled_from(["long", "short"])


@st.composite
def positions(draw: st.DrawFn, kinds: tuple[str, ...], max_size: int = 10) -> list[Position]:
    n = draw(st.integers(min_value=1, max_value=max_size))
    out = []
    for i in range(n):
        kind = draw(st.sampled_from(kinds))
        if kind == "gov":
            out.append(gov(f"gov{i}", draw(sides), draw(values), draw(st.floats(0.0, 30.0))))
            continue
        out.append(
            make(
                kind,
                i,
                draw(sides),
                draw(values),
                draw(st.floats(min_value=0.0, max_value=12.0)),
                draw(st.integers(0, 2)),
            )
        )
    return out


MIXED = ("gov", "equity", "corp", "muni", "cp", "mmf", "pref", "k")


def firm_book(ps: list[Position], net_worth: float, debt: float = 0.0) -> Book:
    liabilities = (Liability(id="L0", kind=LiabilityKind.OTHER, amount=debt),) if debt else ()
    return book(net_worth, positions=tuple(ps), liabilities=liabilities)


def same_lines(a: NetCapitalResult, b: NetCapitalResult, scale: float = 1.0) -> None:
    assert list(a.lines["line"]) == list(b.lines["line"])
    x = a.lines["amount"].fillna(0.0).to_numpy(dtype=float) * scale
    y = b.lines["amount"].fillna(0.0).to_numpy(dtype=float)
    assert np.allclose(x, y, rtol=1e-9, atol=0.02 * max(1.0, scale))


# -- offsets ------------------------------------------------------------------------------


@FAST
@given(positions(("muni", "corp", "mmf", "pref")), st.integers(0, 9), st.floats(0.0, 1.0))
def test_offset_on_the_lesser_side_never_raises_a_greater_of_haircut(
    ps: list[Position], i: int, fraction: float
) -> None:
    before = haircut(ps, net_capital_before_haircuts=HUGE)
    detail = before.detail.set_index("id")
    p = ps[i % len(ps)]
    group = (detail.loc[p.id, "paragraph"], detail.loc[p.id, "bucket"])
    members = [
        q for q in ps if (detail.loc[q.id, "paragraph"], detail.loc[q.id, "bucket"]) == group
    ]
    gap = sum(q.value for q in members if q.side is Side.LONG) - sum(
        q.value for q in members if q.side is Side.SHORT
    )
    assume(abs(gap) > 1.0)
    lesser = Side.SHORT if gap > 0 else Side.LONG
    offset = p.model_copy(
        update={"id": "offset", "side": lesser, "market_value": fraction * abs(gap)}
    )
    after = haircut([*ps, offset], net_capital_before_haircuts=HUGE)
    assert after.total <= before.total + 1e-6 * (1 + before.total)
    # The greater side of the bucket is unchanged, so is the charge.
    assert np.isclose(after.total, before.total, rtol=1e-9, atol=1e-6)


@FAST
@given(
    positions(("equity", "corp", "pref", "k")),
    st.integers(0, 9),
    st.floats(0.0, 1.0),
    st.floats(min_value=1e5, max_value=1e8),
)
def test_offset_within_an_issue_never_raises_the_concentration_add_on(
    ps: list[Position], i: int, fraction: float, tnc: float
) -> None:
    before = haircut(ps, net_capital_before_haircuts=tnc)
    p = ps[i % len(ps)]
    issue = [q for q in ps if q.security_id == p.security_id]
    net = sum(q.value if q.side is Side.LONG else -q.value for q in issue)
    assume(abs(net) > 1.0)
    against = Side.SHORT if net > 0 else Side.LONG
    offset = p.model_copy(
        update={"id": "offset", "side": against, "market_value": fraction * abs(net)}
    )
    after = haircut([*ps, offset], net_capital_before_haircuts=tnc)
    add_on_before = before.detail["add_on_charge"].sum()
    add_on_after = after.detail["add_on_charge"].sum()
    assert add_on_after <= add_on_before + 1e-6 * (1 + add_on_before)


# -- through compute ----------------------------------------------------------------------


@FAST
@given(
    positions(MIXED),
    st.floats(min_value=-1e6, max_value=1e9),
    st.floats(min_value=0, max_value=1e8),
    st.sampled_from(list(FirmType)),
)
def test_mixed_books_net_capital_at_most_tentative_and_requirement_at_least_minimum(
    ps: list[Position], net_worth: float, debt: float, firm_type: FirmType
) -> None:
    b = firm_book(ps, net_worth, debt).model_copy(update={"firm": book(firm_type=firm_type).firm})
    r = compute(b)
    assert r.net_capital <= r.tentative_net_capital + 1e-6
    fixed = float(r.requirement.candidates.set_index("key").loc["fixed_minimum", "amount"])
    assert r.requirement.amount >= fixed


@FAST
@given(positions(MIXED), st.floats(min_value=1e5, max_value=1e9), st.randoms(use_true_random=False))
def test_permuting_position_rows_changes_no_line(
    ps: list[Position], net_worth: float, rnd: object
) -> None:
    shuffled = list(ps)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    same_lines(compute(firm_book(ps, net_worth)), compute(firm_book(shuffled, net_worth)))


@FAST
@given(
    positions(MIXED),
    st.integers(0, 9),
    st.floats(0.01, 0.99),
    st.floats(min_value=1e5, max_value=1e9),
)
def test_splitting_a_position_changes_no_line(
    ps: list[Position], i: int, f: float, net_worth: float
) -> None:
    p = ps[i % len(ps)]
    a = p.model_copy(update={"id": p.id + "_a", "market_value": p.value * f})
    b = p.model_copy(update={"id": p.id + "_b", "market_value": p.value * (1 - f)})
    split = [q for q in ps if q.id != p.id] + [a, b]
    same_lines(compute(firm_book(ps, net_worth)), compute(firm_book(split, net_worth)))


@FAST
@given(
    positions(("gov", "equity", "corp", "cp", "mmf", "pref", "k")),
    st.floats(min_value=1e6, max_value=1e9),
    st.floats(min_value=0, max_value=1e8),
    st.floats(min_value=0.1, max_value=10.0),
)
def test_scaling_positions_and_balance_sheet_scales_every_haircut(
    ps: list[Position], net_worth: float, debt: float, k: float
) -> None:
    base = compute(firm_book(ps, net_worth, debt))
    # No (M) dollar floor may bind in either book: 10% of TNC >= $25,000 (debt floor).
    assume(0.1 * base.tentative_net_capital * min(1.0, k) >= 25_000)
    scaled_ps = [p.model_copy(update={"market_value": p.value * k}) for p in ps]
    scaled = compute(firm_book(scaled_ps, net_worth * k, debt * k))
    assert np.isclose(scaled.tentative_net_capital, k * base.tentative_net_capital, rtol=1e-9)
    assert np.isclose(scaled.haircuts.total, k * base.haircuts.total, rtol=1e-9, atol=1e-6)
    by1 = base.haircuts.by_paragraph.set_index("paragraph")["charge"]
    by2 = scaled.haircuts.by_paragraph.set_index("paragraph")["charge"]
    assert set(by1.index) == set(by2.index)
    assert np.allclose(by2.loc[by1.index].to_numpy(), k * by1.to_numpy(), rtol=1e-9, atol=1e-6)
    assert np.isclose(scaled.net_capital, k * base.net_capital, rtol=1e-9, atol=0.02 * k)


def test_overflowing_amounts_are_refused_not_silently_zeroed() -> None:
    # Two equity longs of 1e308 would overflow the (J) side totals to inf and leave a NaN
    # charge; amounts above netcap.money.MAX_AMOUNT ($10 trillion) are refused at the door.
    with pytest.raises(ValidationError, match="market_value"):
        Position(id="e0", security_class="equity", side="long", market_value=1e308)
    frame = pd.DataFrame(
        {
            "id": ["e0", "e1"],
            "security_class": ["equity", "equity"],
            "side": ["long", "long"],
            "market_value": [1e308, MAX_AMOUNT],
        }
    )
    with pytest.raises(BookError) as err:
        validate_frame(frame, date(2024, 6, 28))
    assert [(e.row, e.field) for e in err.value.errors] == [(0, "market_value")]
