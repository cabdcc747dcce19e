"""Properties of the computation over random books."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.book.firm import Book, FirmType, Liability, LiabilityKind, NonAllowableAsset
from netcap.rule.computation import compute
from tests.computation_helpers import AS_OF, book
from tests.conftest import gov
from tests.test_computation import subtotals_add_up

SIMPLE_KINDS = [
    k
    for k in LiabilityKind
    if k
    not in {
        LiabilityKind.ISSUER_PAYABLE,
        LiabilityKind.MBB_MUNICIPAL_COLLATERALIZED,
        LiabilityKind.REFUND_RESERVE_27D,
        LiabilityKind.SPECIAL_RESERVE_ACCOUNT_PAYABLE,
        LiabilityKind.FIXED_ASSET_SECURED,
    }
]

money = st.floats(min_value=0, max_value=5e7, allow_nan=False, allow_infinity=False)

liabilities_st = st.lists(
    st.tuples(st.sampled_from(SIMPLE_KINDS), money), min_size=0, max_size=8
).map(lambda xs: tuple(Liability(id=f"L{i}", kind=k, amount=a) for i, (k, a) in enumerate(xs)))

positions_st = st.lists(
    st.tuples(
        st.sampled_from(["long", "short"]),
        st.floats(min_value=1e3, max_value=1e8),
        st.floats(min_value=0, max_value=30),
    ),
    max_size=6,
).map(lambda xs: tuple(gov(f"P{i}", s, v, y) for i, (s, v, y) in enumerate(xs)))


@st.composite
def books(draw: st.DrawFn) -> Book:
    return book(
        draw(st.floats(min_value=-1e7, max_value=1e8)),
        liabilities=draw(liabilities_st),
        positions=draw(positions_st),
        firm_type=draw(st.sampled_from(list(FirmType))),
        non_allowable_assets=tuple(
            NonAllowableAsset(id=f"A{i}", kind="fixed_assets", amount=a)
            for i, a in enumerate(draw(st.lists(money, max_size=3)))
        ),
    )


@settings(max_examples=40, deadline=None)
@given(books())
def test_net_capital_at_most_tentative(b: Book) -> None:
    r = compute(b)
    assert r.net_capital <= r.tentative_net_capital + 1e-6
    subtotals_add_up(r.lines)


@settings(max_examples=40, deadline=None)
@given(books())
def test_requirement_at_least_fixed_minimum(b: Book) -> None:
    r = compute(b)
    fixed = float(r.requirement.candidates.set_index("key").loc["fixed_minimum", "amount"])
    assert r.requirement.amount >= fixed
    assert r.requirement.amount == r.requirement.candidates["amount"].max()
    assert r.requirement.candidates["binding"].sum() == 1


@settings(max_examples=30, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_permuting_liabilities_changes_nothing(b: Book, rnd: object) -> None:
    items = list(b.liabilities)
    rnd.shuffle(items)  # type: ignore[attr-defined]
    shuffled = Book.model_validate(
        {**b.model_dump(), "liabilities": [x.model_dump() for x in items]}
    )
    r1, r2 = compute(b), compute(shuffled)
    assert r1.lines.drop(columns="amount").equals(r2.lines.drop(columns="amount"))
    diff = (r1.lines["amount"] - r2.lines["amount"]).abs().fillna(0.0)
    assert (diff <= 1e-6 * (1 + r1.lines["amount"].abs().fillna(0.0))).all()


def test_as_of_is_used() -> None:
    assert book().as_of == AS_OF
