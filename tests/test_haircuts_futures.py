"""Appendix B: uncovered futures (a)(3)(xiv) and commodity inventory (a)(3)(ix)."""

from __future__ import annotations

from typing import Any

import pytest

from netcap.book.frame import BookError
from netcap.book.model import Position
from netcap.rule.haircuts import FuturesOptions, HaircutOptions
from netcap.rule.haircuts.futures import Membership
from tests.conftest import gov, haircut


def fut(pid: str = "cl", side: str = "long", **kw: Any) -> Position:
    return Position(
        id=pid, security_class="commodity", instrument="future", side=side, market_value=1e6, **kw
    )


def charge(
    positions: list[Position], membership: Membership = Membership.OTHER, equity: float = 0.0
) -> float:
    opts = HaircutOptions(futures=FuturesOptions(membership=membership, account_equity=equity))
    return haircut(positions, opts).total


def test_multiples_by_membership() -> None:
    p = fut(maintenance_margin=50_000, clearing_margin=40_000)
    # (xiv)(C) 200% of the greater of 50k and 40k
    assert charge([p]) == pytest.approx(100_000)
    # (xiv)(B) 150% of 50k
    assert charge([p], Membership.SRO_MEMBER) == pytest.approx(75_000)
    # (xiv)(A) 100% of the clearing organization's 40k
    assert charge([p], Membership.CLEARING_MEMBER) == pytest.approx(40_000)
    # a clearing member that does not clear this contract: (xiv)(B)
    q = p.model_copy(update={"cleared_by_firm": False})
    assert charge([q], Membership.CLEARING_MEMBER) == pytest.approx(75_000)


def test_clearing_margin_greater_than_maintenance() -> None:
    # "whichever is greater": 200% x 60k
    assert charge([fut(maintenance_margin=50_000, clearing_margin=60_000)]) == pytest.approx(
        120_000
    )


def test_initial_margin_where_no_maintenance_margin() -> None:
    # (xiv)(D) 200% of initial margin 30k
    r = haircut([fut(initial_margin=30_000)])
    assert r.total == pytest.approx(60_000)
    assert r.detail.loc[0, "paragraph"] == "15c3-1b(a)(3)(xiv)(D)"


def test_missing_margin_is_refused() -> None:
    with pytest.raises(BookError, match="maintenance_margin"):
        haircut([fut()])


def test_account_equity_reduces_the_charge() -> None:
    assert charge([fut(maintenance_margin=50_000)], equity=30_000) == pytest.approx(70_000)
    assert charge([fut(maintenance_margin=50_000)], equity=500_000) == 0.0


def test_government_future_adds_appendix_b_when_margin_given() -> None:
    # 4y T future long 1mm: (A) 3% = 30,000, plus (xiv)(C) 200% x 10k = 20,000 as an add-on
    f = gov("f", "long", 1e6, 4, future=True).model_copy(update={"maintenance_margin": 10_000.0})
    r = haircut([f])
    assert r.total == pytest.approx(50_000)
    d = r.detail.iloc[0]
    assert d["add_on_paragraph"] == "15c3-1b(a)(3)(xiv)(C)"
    assert d["add_on_charge"] == pytest.approx(20_000)


def test_commodity_inventory() -> None:
    gold = Position(id="g", security_class="commodity", side="long", market_value=1e6)
    # (ix)(C) uncovered inventory: 20%
    assert haircut([gold]).total == pytest.approx(200_000)
    # covered and deliverable, (ix)(A): no charge on the inventory nor on the covering future
    cover = fut("gc", "short", deliverable_position="g", maintenance_margin=50_000)
    r = haircut([gold, cover])
    assert r.total == 0.0
    # a 500k future covers half the gold: 20% x 500k on the rest of the inventory; the
    # future is wholly used as cover, so no (xiv) charge
    half = cover.model_copy(update={"market_value": 5e5})
    assert haircut([gold, half]).total == pytest.approx(100_000)
    # a 1.5mm future covering 1mm of gold: 1/3 uncovered, 200% x 50k x 1/3
    big = cover.model_copy(update={"market_value": 1.5e6})
    assert haircut([gold, big]).total == pytest.approx(100_000 / 3)


def test_covered_inventory_not_registered_as_deliverable_takes_five_percent() -> None:
    # 15c3-1b(a)(3)(ix)(A): "Inventory which is currently registered as deliverable on a
    # contract market and covered by an open futures contract ... -No charge."
    # (ix)(B): "Inventory which is covered by an open futures contract or commodity option
    # -5% of the market value."  1mm of gold covered by a 1mm short future but not
    # registered: 5% x 1,000,000 = 50,000 on the inventory; the future is wholly cover.
    gold = Position(
        id="g",
        security_class="commodity",
        side="long",
        market_value=1e6,
        registered_deliverable=False,
    )
    cover = fut("gc", "short", deliverable_position="g", maintenance_margin=50_000)
    r = haircut([gold, cover])
    assert r.total == pytest.approx(50_000)
    d = r.detail.set_index("id").loc["g"]
    assert d["add_on_paragraph"] == "15c3-1b(a)(3)(ix)(B)"
    assert d["add_on_charge"] == pytest.approx(50_000)
    # half covered: (ix)(B) 5% x 500k = 25,000 plus (ix)(C) 20% x 500k = 100,000
    half = cover.model_copy(update={"market_value": 5e5})
    assert haircut([gold, half]).total == pytest.approx(125_000)


def test_registration_flag_outside_commodity_inventory_is_refused() -> None:
    p = gov("t", "long", 1e6, 2).model_copy(update={"registered_deliverable": False})
    with pytest.raises(BookError, match="registered_deliverable"):
        haircut([p])
