"""Properties of the haircuts beyond (A) that hold for any book (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.book.model import Position
from tests.conftest import AS_OF, haircut

values = st.floats(min_value=1.0, max_value=1e8, allow_nan=False)
sides = st.sampled_from(["long", "short"])
KINDS = ("equity", "corp", "muni", "cp", "mmf", "pref", "k")
HUGE = 1e15  # (M) never applies: everything below is homogeneous


def make(kind: str, i: int, side: str, value: float, years: float, issue: int) -> Position:
    pid = f"{kind}{i}"
    sid = f"{kind}-issue{issue}"
    common = {"id": pid, "side": side, "market_value": value, "security_id": sid}
    if kind == "equity":
        return Position(security_class="equity", **common)
    if kind == "k":
        return Position(security_class="equity", limited_market=True, market_makers=2, **common)
    if kind == "corp":
        return Position(
            security_class="nonconvertible_debt",
            years_to_maturity=years,
            minimal_credit_risk=True,
            **common,
        )
    if kind == "muni":
        return Position(security_class="municipal", years_to_maturity=years, **common)
    if kind == "cp":
        return Position(
            security_class="commercial_paper",
            maturity=AS_OF + timedelta(days=int(years * 20) + 1),
            minimal_credit_risk=True,
            **common,
        )
    if kind == "mmf":
        return Position(security_class="money_market_fund", **common)
    return Position(security_class="preferred", minimal_credit_risk=True, **common)


@st.composite
def books(draw: st.DrawFn) -> list[Position]:
    n = draw(st.integers(min_value=1, max_value=14))
    return [
        make(
            draw(st.sampled_from(KINDS)),
            i,
            draw(sides),
            draw(values),
            draw(st.floats(min_value=0.0, max_value=12.0)),
            draw(st.integers(0, 2)),
        )
        for i in range(n)
    ]


def total(book: list[Position], ncbh: float = HUGE) -> float:
    return haircut(book, net_capital_before_haircuts=ncbh).total


@settings(max_examples=25, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_permutation_invariance(book: list[Position], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(book)
    rnd.shuffle(shuffled)
    assert np.isclose(total(shuffled), total(book), rtol=1e-12, atol=1e-6)
    assert np.isclose(total(shuffled, 1e6), total(book, 1e6), rtol=1e-12, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(books(), st.integers(0, 13), st.floats(0.01, 0.99))
def test_splitting_a_position_changes_nothing(book: list[Position], i: int, f: float) -> None:
    p = book[i % len(book)]
    a = p.model_copy(update={"id": p.id + "_a", "market_value": p.value * f})
    b = p.model_copy(update={"id": p.id + "_b", "market_value": p.value * (1 - f)})
    split = [q for q in book if q.id != p.id] + [a, b]
    assert np.isclose(total(split), total(book), rtol=1e-9, atol=1e-6)
    # with (M) in play too: the issue is the security id, so splitting still changes nothing
    assert np.isclose(total(split, 1e6), total(book, 1e6), rtol=1e-9, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(books(), st.floats(min_value=1e-3, max_value=1e3))
def test_homogeneous_without_concentration(book: list[Position], k: float) -> None:
    scaled = [p.model_copy(update={"market_value": p.value * k}) for p in book]
    assert np.isclose(total(scaled), k * total(book), rtol=1e-9, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(books())
def test_concentration_only_adds_and_detail_reconciles(book: list[Position]) -> None:
    without = haircut(book, net_capital_before_haircuts=HUGE)
    with_m = haircut(book, net_capital_before_haircuts=1e5)
    assert with_m.total >= without.total - 1e-6
    assert np.isclose(with_m.detail["charge"].sum(), without.total, rtol=1e-12, atol=1e-6)
    assert list(with_m.detail["id"]) == [p.id for p in book]


def oracle_j(legs: list[tuple[str, float]]) -> float:
    """(J) by hand: 15% of the greater side plus 15% of the lesser side above 25% of it."""
    long = sum(v for s, v in legs if s == "long")
    short = sum(v for s, v in legs if s == "short")
    g, lesser = max(long, short), min(long, short)
    return 0.15 * g + 0.15 * max(0.0, lesser - 0.25 * g)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(sides, values), min_size=1, max_size=10))
def test_j_matches_the_per_position_oracle(legs: list[tuple[str, float]]) -> None:
    book = [
        Position(id=f"e{i}", security_class="equity", side=s, market_value=v)
        for i, (s, v) in enumerate(legs)
    ]
    assert np.isclose(total(book), oracle_j(legs), rtol=1e-12, atol=1e-6)
