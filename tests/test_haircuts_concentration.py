"""Paragraph (M), undue concentration, against hand-worked figures."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from netcap.book.model import Position
from tests.conftest import AS_OF, gov, haircut


def pos(pid: str, cls: str, side: str, value: float, **kw: Any) -> Position:
    return Position(id=pid, security_class=cls, side=side, market_value=value, **kw)


def _held_call(pid: str, underlying: str) -> Position:
    """A held listed call on 1,000 units of ``underlying`` at 50 (worth 1,000)."""
    return Position(
        id=pid,
        security_class="equity",
        side="long",
        instrument="option",
        market_value=1_000.0,
        option_type="call",
        strike=60.0,
        underlying_price=50.0,
        units=1_000,
        listed=True,
        expiry=date(2024, 9, 20),
        underlying=underlying,
    )


def test_j_security_above_ten_percent() -> None:
    # net capital before haircuts 1mm: threshold 10% = 100k (above the $10,000 equity floor)
    # long 200k of one stock: (J) 15% x 200k = 30,000; (M) 15% x (200k - 100k) = 15,000
    r = haircut([pos("x", "equity", "long", 2e5)], net_capital_before_haircuts=1e6)
    assert r.total == pytest.approx(45_000)
    d = r.detail.iloc[0]
    assert d["add_on_paragraph"] == "15c3-1(c)(2)(vi)(M)"
    assert d["add_on_charge"] == pytest.approx(15_000)
    by = r.by_paragraph.set_index("paragraph")["charge"]
    assert by["15c3-1(c)(2)(vi)(M)"] == pytest.approx(15_000)


def test_exactly_ten_percent_draws_nothing() -> None:
    r = haircut([pos("x", "equity", "long", 1e5)], net_capital_before_haircuts=1e6)
    assert r.total == pytest.approx(15_000)  # (J) only


def test_equity_floor_of_500_shares() -> None:
    # net capital 50k: 10% = 5,000; floor = greater of $10,000 and 500 shares x $30 = 15,000
    # 1,000 shares at $30 = 30,000: (J) 4,500; (M) 15% x (30,000 - 15,000) = 2,250
    p = Position(id="x", security_class="equity", side="long", quantity=1000, price=30.0)
    assert haircut([p], net_capital_before_haircuts=5e4).total == pytest.approx(6_750)


def test_debt_takes_half_its_rate() -> None:
    # corp 300k, 4y (F)(1) 6% = 18,000; net capital 1mm: (M) 50% x 6% x 200k = 6,000
    p = pos("b", "nonconvertible_debt", "long", 3e5, years_to_maturity=4, minimal_credit_risk=True)
    assert haircut([p], net_capital_before_haircuts=1e6).total == pytest.approx(24_000)


def test_debt_floor() -> None:
    # net capital 100k: 10% = 10k < $25,000 floor; corp 100k 4y: 6,000 + 3% x 75k = 8,250
    p = pos("b", "nonconvertible_debt", "long", 1e5, years_to_maturity=4, minimal_credit_risk=True)
    assert haircut([p], net_capital_before_haircuts=1e5).total == pytest.approx(8_250)


def test_municipal_floors_and_holding_period() -> None:
    # net capital 1mm: (M)(4) reaches the issue only above the greater of $500,000 and
    # 100k = 500k; 800k is above it, so (M)(1) charges the part above 10% = 100k:
    # muni bond 800k 4y: (B)(2) 4% = 32,000; (M) 50% x 4% x (800k - 100k) = 14,000
    bond = pos("m", "municipal", "long", 8e5, years_to_maturity=4)
    assert haircut([bond], net_capital_before_haircuts=1e6).total == pytest.approx(46_000)
    # 500k exactly is not "in excess of" the $500,000 floor: (B)(2) 4% = 20,000 only
    at_floor = pos("m", "municipal", "long", 5e5, years_to_maturity=4)
    assert haircut([at_floor], net_capital_before_haircuts=1e6).total == pytest.approx(20_000)
    # as a note the floor is $5,000,000: no (M)
    note = bond.model_copy(update={"municipal_note": True})
    assert haircut([note], net_capital_before_haircuts=1e6).total == pytest.approx(32_000)
    # received from the issuer 10 business days before 2024-06-28: not yet 20: no (M)
    fresh = bond.model_copy(update={"underwritten_on": date(2024, 6, 14)})
    assert haircut([fresh], net_capital_before_haircuts=1e6).total == pytest.approx(32_000)


def test_underwriting_grace_of_eleven_business_days() -> None:
    # 2024-06-13 to 2024-06-28 is 11 business days: (M) not yet applied
    base = pos("x", "equity", "long", 2e5)
    early = base.model_copy(update={"underwritten_on": date(2024, 6, 13)})
    assert haircut([early], net_capital_before_haircuts=1e6).total == pytest.approx(30_000)
    # 2024-06-12: 12 business days: (M) 15% x 100k = 15,000 on top of (J) 30,000
    late = base.model_copy(update={"underwritten_on": date(2024, 6, 12)})
    assert haircut([late], net_capital_before_haircuts=1e6).total == pytest.approx(45_000)


def test_m2_leaves_first_proviso_exemptions_outside() -> None:
    # (M)(2): (M) applies "notwithstanding any long or short position exemption provided
    # for in paragraph (c)(2)(vi)(J) ... (except for long or short position exemptions
    # arising out of the first proviso to paragraph (c)(2)(vi)(J))"; the first proviso is
    # (J)'s "No deduction need be made in the case of: (1) ...; or (2) A security that has
    # been called for redemption and that is redeemable within 90 days."  So a called
    # security worth 200k (10% of 1mm = 100k) draws neither (J) nor (M): 0.
    p = pos("x", "equity", "long", 2e5, called_within_90_days=True)
    assert haircut([p], net_capital_before_haircuts=1e6).total == pytest.approx(0)


def test_m2_reaches_the_lesser_side_that_j_leaves_uncharged() -> None:
    # (J): long A 2,000,000, short B 300,000.  Greater side 2mm: 15% = 300,000; lesser
    # 300k is below 25% x 2mm = 500k, so B carries no (J) deduction (an "exemption").
    # (M)(2): "the deduction on any such exempted position shall be 15 percent of that
    # portion of the securities position in excess of 10 percent" of 1mm = 100k:
    #   B: 15% x (300,000 - 100,000) = 30,000;  A ((M)(1), (J) security): 15% x 1.9mm
    #   = 285,000.  Total 300,000 + 285,000 + 30,000 = 615,000.
    book = [
        pos("a", "equity", "long", 2e6, security_id="A"),
        pos("b", "equity", "short", 3e5, security_id="B"),
    ]
    r = haircut(book, net_capital_before_haircuts=1e6)
    assert r.total == pytest.approx(615_000)
    add = r.detail.set_index("id")["add_on_charge"]
    assert add["b"] == pytest.approx(30_000)
    assert add["a"] == pytest.approx(285_000)


def test_limited_market_add_on_is_half_of_forty_percent() -> None:
    # (K)(ii) 40% x 200k = 80,000; (M) 50% x 40% x 100k = 20,000
    p = pos("x", "equity", "long", 2e5, limited_market=True, market_makers=1)
    assert haircut([p], net_capital_before_haircuts=1e6).total == pytest.approx(100_000)


def test_issue_is_the_security_id_and_nets() -> None:
    # two lots of one stock 150k + 50k = 200k: same as one lot of 200k
    lots = [
        pos("a", "equity", "long", 1.5e5, security_id="X"),
        pos("b", "equity", "long", 5e4, security_id="X"),
    ]
    assert haircut(lots, net_capital_before_haircuts=1e6).total == pytest.approx(45_000)
    # without an issue id each lot is its own issue: only the 150k lot passes 100k
    # (J) 30,000 + (M) 15% x 50k = 7,500
    apart = [p.model_copy(update={"security_id": None}) for p in lots]
    assert haircut(apart, net_capital_before_haircuts=1e6).total == pytest.approx(37_500)


def test_exempted_securities_are_outside_m() -> None:
    r = haircut([gov("t", "long", 1e7, 4)], net_capital_before_haircuts=1e6)
    assert r.total == pytest.approx(300_000)  # (A) 3% only


def test_m_needs_net_capital_before_haircuts() -> None:
    with pytest.raises(ValueError, match=r"\(M\)"):
        haircut([pos("x", "equity", "long", 1.0)])


def test_m_is_not_homogeneous() -> None:
    # scaling the book by 2 at fixed net capital (1mm) more than doubles the charge
    one = haircut([pos("x", "equity", "long", 2e5)], net_capital_before_haircuts=1e6).total
    two = haircut([pos("x", "equity", "long", 4e5)], net_capital_before_haircuts=1e6).total
    assert one == pytest.approx(45_000)
    assert two == pytest.approx(60_000 + 45_000)  # (J) 60k + (M) 15% x 300k


def test_a_frame_with_no_security_id_at_all_names_issues_by_position_id() -> None:
    """A sheet with an empty security_id column reads as float NaN; the issue falls back to id.

    Filling that float column with the ids is what newer pandas refuses
    (Pandas4Warning, an error in a future version); the suite runs with warnings as errors.
    """
    import warnings  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    from netcap.book.frame import validate_frame  # noqa: PLC0415
    from netcap.rule.haircuts import compute_haircuts  # noqa: PLC0415

    raw = pd.DataFrame(
        {
            "id": ["e1", "e2"],
            "security_class": ["equity", "equity"],
            "side": ["long", "long"],
            "market_value": [5_000_000.0, 5_000_000.0],
            "security_id": [np.nan, np.nan],
        }
    )
    frame = validate_frame(raw, AS_OF)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = compute_haircuts(frame, AS_OF, net_capital_before_haircuts=10_000_000.0)
    # two issues (e1, e2: no security_id, so each is its own issue), each 5mm long equity
    # against a threshold of max(10% x 10mm = 1mm, $10,000 floor) = 1mm: excess 4mm each,
    # charged the (J) add-on of 15%: 600,000 each; the (J) haircut itself is 15% x 10mm = 1.5mm
    sheet = result.worksheets["concentration"]
    assert sorted(sheet["issue"]) == ["e1", "e2"]
    assert sheet["add_on"].tolist() == pytest.approx([600_000.0, 600_000.0])
    assert result.total == pytest.approx(1_500_000.0 + 1_200_000.0)


@pytest.mark.parametrize("kind", ["category", "object"])
def test_the_issue_is_the_same_whatever_the_column_type(kind: str) -> None:
    """A ``security_id`` column of codes (categorical) or plain objects nets the same issues.

    Net capital before haircuts 1mm, threshold 10% = 100k above the $10,000 equity floor.
    Issue X: 150k + 50k long = 200k, (M) 15% x 100k = 15,000.  Issue Y: 80k alone, below.
    A held call on 1,000 units of Y at 50 adds 50k long to Y: 130k, (M) 15% x 30k = 4,500.
    A held call on 1,000 units of Z at 50 (no position names Z): 50k, below the threshold.
    """
    from netcap.book.frame import positions_frame  # noqa: PLC0415
    from netcap.rule.haircuts import compute_haircuts  # noqa: PLC0415

    book = [
        pos("a", "equity", "long", 1.5e5, security_id="X"),
        pos("b", "equity", "long", 5e4, security_id="X"),
        pos("c", "equity", "long", 8e4, security_id="Y"),
    ]
    calls = [_held_call(f"o{u}", u) for u in ("Y", "Z")]
    # without the codes validation made, so (M) reads the security_id column given here
    frame = positions_frame(book + calls, AS_OF).drop(columns=["issue"])
    ids = frame["security_id"]
    frame["security_id"] = ids.astype("category") if kind == "category" else ids.astype(object)
    r = compute_haircuts(frame, AS_OF, net_capital_before_haircuts=1e6)
    sheet = r.worksheets["concentration"]
    assert sheet["issue"].tolist() == ["X", "Y"]
    assert sheet["add_on"].tolist() == pytest.approx([15_000.0, 4_500.0])
    assert sheet["options_value"].tolist() == pytest.approx([0.0, 50_000.0])


def test_validation_codes_the_issue_once() -> None:
    """``issue`` is ``security_id`` as a categorical: the codes (M) groups by."""
    from netcap.book.frame import positions_frame  # noqa: PLC0415

    frame = positions_frame(
        [
            pos("a", "equity", "long", 1.0, security_id="X"),
            pos("b", "equity", "long", 1.0),
            pos("c", "equity", "long", 1.0, security_id="X"),
        ],
        AS_OF,
    )
    assert isinstance(frame["issue"].dtype, pd.CategoricalDtype)
    assert frame["issue"].cat.codes.tolist() == [0, -1, 0]
    assert frame["issue"].cat.categories.tolist() == ["X"]
    # the text column itself is left as it was
    assert frame["security_id"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize("codes", [True, False])
def test_a_blank_issue_is_the_positions_id_wherever_it_appears(codes: bool) -> None:
    """A position without ``security_id`` is the issue named by its id: another position's
    ``security_id`` and an option's underlying can name that same issue.

    Net capital before haircuts 1mm, threshold 10% = 100k above the $10,000 equity floor.
    Issue X: "a" (security_id X) 150k + "X" (no security_id, so issue X) 50k = 200k:
    (M) 15% x 100k = 15,000.  Issue c: "c" 80k alone is below; a held call on 1,000 units
    of "c" at 50 adds 50k: 130k, (M) 15% x 30k = 4,500.  Without the codes validation
    made (``issue`` dropped) the text is grouped instead, to the same figures.
    """
    from netcap.book.frame import positions_frame  # noqa: PLC0415
    from netcap.rule.haircuts import compute_haircuts  # noqa: PLC0415

    book = [
        pos("a", "equity", "long", 1.5e5, security_id="X"),
        pos("X", "equity", "long", 5e4),
        pos("c", "equity", "long", 8e4),
        _held_call("o", "c"),
    ]
    frame = positions_frame(book, AS_OF)
    if not codes:
        frame = frame.drop(columns=["issue"])
    r = compute_haircuts(frame, AS_OF, net_capital_before_haircuts=1e6)
    sheet = r.worksheets["concentration"]
    assert sheet["issue"].tolist() == ["X", "c"]
    assert sheet["net_value"].tolist() == pytest.approx([200_000.0, 130_000.0])
    assert sheet["add_on"].tolist() == pytest.approx([15_000.0, 4_500.0])
