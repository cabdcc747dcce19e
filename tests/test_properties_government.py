"""Properties of the (A) haircut that hold for any book (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.book.model import Position
from tests.conftest import gov, haircut

years = st.floats(min_value=0.0, max_value=40.0, allow_nan=False)
values = st.floats(min_value=1.0, max_value=1e9, allow_nan=False)
sides = st.sampled_from(["long", "short"])


@st.composite
def books(draw: st.DrawFn, min_size: int = 1) -> list[Position]:
    n = draw(st.integers(min_value=min_size, max_value=12))
    return [gov(f"p{i}", draw(sides), draw(values), draw(years)) for i in range(n)]


@settings(max_examples=150, deadline=None)
@given(books(), st.floats(min_value=1e-3, max_value=1e3))
def test_haircut_is_homogeneous_in_size(book: list[Position], k: float) -> None:
    scaled = [p.model_copy(update={"market_value": p.value * k}) for p in book]
    assert np.isclose(haircut(scaled).total, k * haircut(book).total, rtol=1e-9, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(books())
def test_haircut_bounded_by_gross_and_nonnegative(book: list[Position]) -> None:
    r = haircut(book)
    assert r.total >= 0
    assert r.total <= r.detail["gross_charge"].sum() + 1e-6


@settings(max_examples=150, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(book: list[Position], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(book)
    rnd.shuffle(shuffled)
    assert np.isclose(haircut(shuffled).total, haircut(book).total, rtol=1e-12, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(books(), st.integers(min_value=0, max_value=11), st.floats(0.01, 0.99))
def test_splitting_a_position_changes_nothing(book: list[Position], i: int, f: float) -> None:
    p = book[i % len(book)]
    a = p.model_copy(update={"id": p.id + "_a", "market_value": p.value * f})
    b = p.model_copy(update={"id": p.id + "_b", "market_value": p.value * (1 - f)})
    split = [q for q in book if q.id != p.id] + [a, b]
    assert np.isclose(haircut(split).total, haircut(book).total, rtol=1e-9, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(books(), years, st.floats(min_value=0.0, max_value=1.0))
def test_offset_that_does_not_overshoot_never_raises_the_haircut(
    book: list[Position], y: float, fraction: float
) -> None:
    """An offset against the dominant side of a category, no larger than the imbalance.

    Take the category of maturity ``y``.  If its long deductions L exceed its short
    deductions S, add a short in that subcategory (or a long, if S > L) whose
    deduction is at most the gap |L - S| and which does not flip the subcategory's
    net: the category deduction max - min/2 cannot rise.  (An offset that shrinks
    the *lesser* side can raise it: see test_government.)
    """
    before = haircut(book)
    subs = before.worksheets["government_subcategories"]
    cats = before.worksheets["government_categories"].set_index("category")
    probe = haircut([gov("probe", "long", 1.0, y)]).detail.iloc[0]
    row = subs[subs["bucket"] == probe["bucket"]].iloc[0]
    cat = int(row["category"])
    gap = cats.loc[cat, "long_deductions"] - cats.loc[cat, "short_deductions"]
    rate = float(row["rate"])
    if rate == 0 or gap == 0:
        return
    side = "short" if gap > 0 else "long"
    net = float(row["net_value"])
    # the added position must not flip a subcategory that is net on the dominant side
    room = abs(gap) / rate
    if np.sign(net) == np.sign(gap):
        room = min(room, abs(net))
    size = room * fraction
    if size <= 0:
        return
    after = haircut([*book, gov("offset", side, size, y)])
    assert after.total <= before.total + 1e-6


@settings(max_examples=150, deadline=None)
@given(
    books(),
    st.lists(st.tuples(values, years, st.floats(0.0, 1.0)), min_size=1, max_size=4),
)
def test_inventory_fully_covered_by_a_deliverable_future_adds_no_charge(
    book: list[Position], pairs: list[tuple[float, float, float]]
) -> None:
    """15c3-1b(a)(3)(ix)(A): long inventory covered by a short futures contract it is
    deliverable against takes no charge, and neither does the contract.  Adding such
    pairs (the contract no larger than the inventory, the inventory's uncovered rest
    charged as any long) changes the haircut exactly as adding the uncovered rest alone.
    """
    covered: list[Position] = []
    rests: list[Position] = []
    for i, (value, y, share) in enumerate(pairs):
        covered.append(gov(f"inv{i}", "long", value, y))
        covered.append(
            gov(f"fut{i}", "short", value * share, y, future=True, deliverable=f"inv{i}")
        )
        if share < 1.0:
            rests.append(gov(f"rest{i}", "long", value * (1.0 - share), y))
    with_pairs = haircut(book + covered).total
    with_rests = haircut(book + rests).total
    assert np.isclose(with_pairs, with_rests, rtol=1e-9, atol=1e-6)
