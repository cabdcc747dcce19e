"""Tentative net capital (15c3-1(c)(15)), the (M)(1) base and the (e)(2)(iii) base.

One small book, worked by hand:

    net worth (no balance-sheet deduction)                    10,000,000
    crypto (not a security), long 1,000,000: 100%, (c)(2)(iv)  -1,000,000
    no ready market, long 500,000: 100%, (c)(2)(vii)             -500,000
    tentative net capital                                       8,500,000
    equity XYZ, 30,000 shares at $100 = 3,000,000:
        (J) 15% x 3,000,000                                      -450,000
        (M): base 8,500,000 - 500,000 (Appendix B) = 8,000,000
             threshold max(10,000; 500 x $100 = 50,000; 10% x 8,000,000 = 800,000)
             = 800,000; excess 3,000,000 - 800,000 = 2,200,000; 15% of it  -330,000
    futures, maintenance margin 250,000: 200% x 250,000, 15c3-1b -500,000
    net capital                                                 7,220,000
    (e)(2)(iii) base: (J) 450,000 + (M) 330,000 = 780,000; 25% of it = 195,000
"""

from __future__ import annotations

from datetime import date

import pytest

import netcap
from netcap.book.firm import BalanceSheet, Book, FirmProfile, FirmType
from netcap.book.model import Position
from netcap.pretrade import PreTradeState
from netcap.rule.haircuts.tentative import APPENDIX_B, PRE_TENTATIVE, SECURITIES, stage

AS_OF = date(2024, 6, 28)

POSITIONS = (
    Position(id="btc", security_class="crypto_non_security", side="long", market_value=1e6),
    Position(id="nrm", security_class="no_ready_market", side="long", market_value=500_000.0),
    Position(
        id="fut",
        security_class="commodity",
        instrument="future",
        side="long",
        market_value=1e6,
        maintenance_margin=250_000.0,
    ),
    Position(
        id="xyz",
        security_class="equity",
        side="long",
        market_value=3_000_000.0,
        quantity=30_000.0,
        security_id="XYZ",
    ),
)


def _book(positions: tuple[Position, ...] = POSITIONS) -> Book:
    return Book(
        as_of=AS_OF,
        firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
        balance_sheet=BalanceSheet(net_worth=10_000_000.0),
        positions=positions,
    )


def test_stages_of_citations() -> None:
    assert stage("15c3-1(c)(2)(vii)") == PRE_TENTATIVE
    assert stage("15c3-1(c)(2)(iv)") == PRE_TENTATIVE
    assert stage("15c3-1(c)(2)(vi)(J)") == SECURITIES
    assert stage("15c3-1(c)(2)(vi)(M)") == SECURITIES
    assert stage("15c3-1a(b)(1)(iv)") == SECURITIES
    assert stage("15c3-1b(a)(3)(xiv)(C)") == APPENDIX_B


def test_tentative_net_capital_and_the_bases_by_hand() -> None:
    r = netcap.compute(_book())
    h = r.haircuts
    # 10,000,000 - 1,000,000 crypto - 500,000 (vii)
    assert r.tentative_net_capital == pytest.approx(8_500_000.0)
    assert h.pre_tentative == pytest.approx(1_500_000.0)
    # 200% x 250,000 maintenance margin
    assert h.appendix_b == pytest.approx(500_000.0)
    # 8,500,000 - 500,000
    assert h.concentration_base == pytest.approx(8_000_000.0)
    # 15% x (3,000,000 - 10% x 8,000,000) = 15% x 2,200,000
    by = dict(zip(h.by_paragraph["paragraph"], h.by_paragraph["charge"], strict=True))
    assert by["15c3-1(c)(2)(vi)(M)"] == pytest.approx(330_000.0)
    assert by["15c3-1(c)(2)(vi)(J)"] == pytest.approx(450_000.0)  # 15% x 3,000,000
    # 450,000 + 330,000
    assert h.securities == pytest.approx(780_000.0)
    # 8,500,000 - 450,000 - 330,000 - 500,000
    assert r.net_capital == pytest.approx(7_220_000.0)
    # the every-position total still reconciles: 1,500,000 + 500,000 + 780,000
    assert h.total == pytest.approx(2_780_000.0)
    assert r.line("total_haircuts") == pytest.approx(-1_280_000.0)  # 780,000 + 500,000
    assert r.line("withdrawal_haircut_base") == pytest.approx(-780_000.0)
    assert r.line("concentration_base") == pytest.approx(8_000_000.0)


def test_lines_put_crypto_and_vii_above_tentative_net_capital() -> None:
    r = netcap.compute(_book())
    keys = list(r.lines["line"])
    tnc_at = keys.index("tentative_net_capital")
    assert keys.index("position_deduction:15c3-1(c)(2)(iv)") < tnc_at
    assert keys.index("position_deduction:15c3-1(c)(2)(vii)") < tnc_at
    assert keys.index("haircut:15c3-1(c)(2)(vi)(J)") > tnc_at
    assert keys.index("haircut:15c3-1b") > tnc_at
    assert not any(k.startswith("haircut:15c3-1(c)(2)(vii)") for k in keys)
    # the deductions total takes them in: -(1,000,000 + 500,000)
    assert r.line("total_deductions") == pytest.approx(-1_500_000.0)
    # the detail still lists every position once, crypto and (vii) with their citations
    detail = r.haircuts.detail.set_index("id")
    assert detail.loc["btc", "paragraph"] == "15c3-1(c)(2)(iv)"
    assert detail.loc["nrm", "paragraph"] == "15c3-1(c)(2)(vii)"
    out = r.to_dict()["haircuts"]
    assert out["before_tentative_net_capital"] == 1_500_000
    assert out["concentration_base"] == 8_000_000


def test_withdrawal_test_compares_with_25pct_of_vi_and_appendix_a_only() -> None:
    r = netcap.compute(_book())
    row = r.early_warning.set_index("key").loc["withdrawal_below_25pct_haircuts"]
    # 25% x 780,000; crypto, (vii) and Appendix B are not in the base
    assert float(row["threshold"]) == pytest.approx(195_000.0)
    assert float(row["measure"]) == pytest.approx(7_220_000.0)
    assert not bool(row["triggered"])


def test_pretrade_keeps_the_bases_and_agrees_with_a_full_compute() -> None:
    state = PreTradeState(_book())
    assert state.tnc == pytest.approx(8_500_000.0)
    # an equity trade leaves both bases: 100,000 more of XYZ (1,000 shares at $100)
    # (J) +15% x 100,000 = 15,000; (M) +15% x 100,000 = 15,000 (threshold stays 800,000)
    r = state.add(
        Position(
            id="xyz2",
            security_class="equity",
            side="long",
            market_value=100_000.0,
            quantity=1_000.0,
            security_id="XYZ",
        )
    )
    assert r.method == "incremental"
    assert r.haircut_delta == pytest.approx(30_000.0)
    # more crypto lowers tentative net capital by 200,000 and the (M) base to 7,800,000:
    # (M) = 15% x (3,100,000 - 780,000) = 348,000, up from 15% x 2,300,000 = 345,000
    r = state.add(
        Position(id="eth", security_class="crypto_non_security", side="long", market_value=2e5)
    )
    assert r.method == "full"
    assert r.tentative_net_capital_after == pytest.approx(8_300_000.0)
    changed = {c.paragraph: c.delta for c in r.changed}
    assert changed["15c3-1(c)(2)(vi)(M)"] == pytest.approx(3_000.0)
    assert changed["15c3-1(c)(2)(iv)"] == pytest.approx(200_000.0)
    assert state.tnc == pytest.approx(8_300_000.0)
    full = netcap.compute(_book((*POSITIONS, *_added())))
    assert state.net_capital == pytest.approx(full.net_capital)
    assert state.haircuts == pytest.approx(full.haircuts.total)


def _added() -> tuple[Position, ...]:
    return (
        Position(
            id="xyz2",
            security_class="equity",
            side="long",
            market_value=100_000.0,
            quantity=1_000.0,
            security_id="XYZ",
        ),
        Position(id="eth", security_class="crypto_non_security", side="long", market_value=2e5),
    )
