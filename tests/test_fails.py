"""Aged fails, securities differences and close-out dates, worked by hand from 15c3-1."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from netcap.book.frame import BookError
from netcap.rule.fails import (
    Difference,
    Fail,
    FailsOptions,
    aged_fails,
    differences_frame,
    fails_frame,
    securities_differences,
    validate_fails_frame,
)

D = date


def ftd(pid: str = "f", **kw: object) -> Fail:
    base: dict[str, object] = {
        "id": pid,
        "security_class": "equity",
        "side": "fail_to_deliver",
        "settlement_date": D(2024, 6, 4),
        "contract_value": 100_000.0,
        "market_value": 90_000.0,
        "haircut_rate": 0.15,
    }
    base.update(kw)
    return Fail.model_validate(base)


def run(fails: list[Fail], as_of: date, **opts: bool) -> pd.DataFrame:
    r = aged_fails(fails_frame(fails), as_of, FailsOptions(**opts))
    assert r.total == pytest.approx(r.detail["deduction"].sum())
    return r.detail.set_index("id")


# SD Tue 2024-06-04; settlement days after it: 6/5 (1), 6/6 (2), 6/7 (3), 6/10 (4), 6/11 (5)
def test_fail_to_deliver_not_aged_at_four_days() -> None:
    d = run([ftd()], D(2024, 6, 10))
    assert d.loc["f", "age_business_days"] == 4
    assert d.loc["f", "deduction"] == 0.0


def test_fail_to_deliver_aged_at_five_days_contract_above_market() -> None:
    d = run([ftd()], D(2024, 6, 11))
    assert d.loc["f", "age_business_days"] == 5
    # 15% x MV 90,000 = 13,500, increased by CV - MV = 10,000 -> 23,500
    assert d.loc["f", "deduction"] == pytest.approx(23_500)
    assert d.loc["f", "citation"] == "15c3-1(c)(2)(ix)"


def test_market_above_contract_reduces_the_deduction() -> None:
    d = run([ftd(market_value=110_000.0)], D(2024, 6, 11))
    # 15% x 110,000 = 16,500, reduced by MV - CV = 10,000 -> 6,500
    assert d.loc["f", "deduction"] == pytest.approx(6_500)


def test_reduction_never_exceeds_the_deduction() -> None:
    d = run([ftd(contract_value=50_000.0, market_value=110_000.0)], D(2024, 6, 11))
    # 16,500 less min(60,000, 16,500) = 0
    assert d.loc["f", "deduction"] == 0.0


def test_settlement_date_computed_from_trade_date() -> None:
    # trade Mon 6/3/2024, T+1 -> SD 6/4; aged on 6/11 as above
    f = ftd(settlement_date=None, trade_date=D(2024, 6, 3))
    d = run([f], D(2024, 6, 11))
    assert d.loc["f", "settlement_date"] == pd.Timestamp("2024-06-04")
    assert d.loc["f", "deduction"] == pytest.approx(23_500)


def test_municipal_ages_at_21_business_days() -> None:
    # SD Mon 6/3/2024; 21st settlement day after it, skipping Juneteenth (6/19) and
    # counting 6/4..6/18 (11), 6/20..6/28 (18), 7/1 (19), 7/2 (20), 7/3 (21)
    muni = ftd(
        security_class="municipal",
        settlement_date=D(2024, 6, 3),
        contract_value=210_000.0,
        market_value=200_000.0,
        haircut_rate=0.05,
    )
    assert run([muni], D(2024, 7, 2)).loc["f", "deduction"] == 0.0
    d = run([muni], D(2024, 7, 3))
    assert d.loc["f", "age_business_days"] == 21
    # 5% x 200,000 = 10,000 + (210,000 - 200,000) = 20,000
    assert d.loc["f", "deduction"] == pytest.approx(20_000)


def test_examining_authority_extension_moves_the_threshold() -> None:
    # 5 + 5 extension days: at age 5 (6/11) nothing; at age 10 (6/18) charged
    f = ftd(extension_days=5)
    assert run([f], D(2024, 6, 11)).loc["f", "deduction"] == 0.0
    assert run([f], D(2024, 6, 18)).loc["f", "deduction"] == pytest.approx(23_500)


def test_government_fail_ages_on_fedwire_days() -> None:
    # SD Fri 2018-11-30. Fedwire/SIFMA closed 12/5 (day of mourning): 12/3 (1), 12/4 (2),
    # 12/6 (3), 12/7 (4), 12/10 (5). DTC was open 12/5, so an equity fail is 5 on 12/7.
    gov = ftd("g", security_class="government", settlement_date=D(2018, 11, 30), haircut_rate=0.01)
    eq = ftd("e", settlement_date=D(2018, 11, 30))
    d = run([gov, eq], D(2018, 12, 7))
    assert d.loc["g", "age_business_days"] == 4
    assert d.loc["e", "age_business_days"] == 5
    assert d.loc["g", "deduction"] == 0.0
    assert d.loc["e", "deduction"] == pytest.approx(23_500)


def test_missing_haircut_rate_is_an_error_only_once_aged() -> None:
    f = ftd(haircut_rate=None)
    assert run([f], D(2024, 6, 10)).loc["f", "deduction"] == 0.0
    with pytest.raises(BookError, match="haircut_rate"):
        run([f], D(2024, 6, 11))


def test_fail_to_receive_over_30_calendar_days() -> None:
    ftr = ftd(
        side="fail_to_receive",
        settlement_date=D(2024, 5, 1),
        contract_value=100_000.0,
        market_value=120_000.0,
        haircut_rate=None,
    )
    # 5/1 -> 5/31 is exactly 30 days: not "longer than thirty"
    assert run([ftr], D(2024, 5, 31)).loc["f", "deduction"] == 0.0
    d = run([ftr], D(2024, 6, 1))
    # 31 days: MV 120,000 - CV 100,000 = 20,000
    assert d.loc["f", "deduction"] == pytest.approx(20_000)
    assert d.loc["f", "citation"] == "15c3-1(c)(2)(iv)(E)"
    below = ftd(side="fail_to_receive", settlement_date=D(2024, 5, 1), market_value=80_000.0)
    assert run([below], D(2024, 6, 1)).loc["f", "deduction"] == 0.0


def test_municipal_brokers_broker_election() -> None:
    muni = ftd(
        security_class="municipal",
        settlement_date=D(2024, 6, 3),
        contract_value=210_000.0,
        market_value=200_000.0,
        haircut_rate=None,
    )
    ftr = ftd(
        "r",
        security_class="municipal",
        side="fail_to_receive",
        settlement_date=D(2024, 5, 1),
        market_value=120_000.0,
    )
    d = run([muni, ftr], D(2024, 7, 3), municipal_brokers_broker=True)
    # (a)(8)(iv): 1% x 210,000 = 2,100 + (210,000 - 200,000) = 12,100
    assert d.loc["f", "deduction"] == pytest.approx(12_100)
    assert d.loc["f", "citation"] == "15c3-1(a)(8)(iv)"
    # (a)(8)(v): no (c)(2)(iv)(E) deduction for the brokers' broker
    assert d.loc["r", "deduction"] == 0.0
    with pytest.raises(ValueError, match="brokers' broker"):
        run([ftd()], D(2024, 7, 3), municipal_brokers_broker=True)


def test_alternative_standard_allocated_fails() -> None:
    f = ftd(contract_value=500_000.0, market_value=500_000.0, allocated_to_fail_to_receive=True)
    r = aged_fails(fails_frame([f]), D(2024, 6, 5), FailsOptions(alternative_standard=True))
    # not aged (age 1), but 1% x CV 500,000 = 5,000 under (a)(1)(ii)(D)
    assert r.total == pytest.approx(5_000)
    assert r.other_deductions() == [
        (
            "Fails to deliver allocated to fails to receive (alternative standard) (1 item)",
            5_000.0,
            "15c3-1(a)(1)(ii)(D)",
        )
    ]


def test_other_deductions_group_by_citation() -> None:
    ftr = ftd("r", side="fail_to_receive", settlement_date=D(2024, 5, 1), market_value=120_000.0)
    r = aged_fails(fails_frame([ftd("a"), ftd("b"), ftr]), D(2024, 6, 11))
    got = {cit: amt for _, amt, cit in r.other_deductions()}
    # two aged FTDs at 23,500; the FTR (41 days old) at 120,000 - 100,000
    assert got == {"15c3-1(c)(2)(ix)": pytest.approx(47_000), "15c3-1(c)(2)(iv)(E)": 20_000}


# Rule 204 and 15c3-3(m): informational dates


def test_reg_sho_close_out_across_independence_day() -> None:
    # trade Tue 7/2/2024 T+1 -> SD Wed 7/3. Short: next settlement day, 7/4 closed -> Fri 7/5.
    # Long: third consecutive settlement day after SD: 7/5, 7/8, 7/9.
    # 15c3-3(m): 10 business days after SD: 7/5 ... 7/18
    short = ftd("s", settlement_date=None, trade_date=D(2024, 7, 2))
    long = ftd("l", settlement_date=None, trade_date=D(2024, 7, 2), sale_type="long")
    mm = ftd("m", settlement_date=None, trade_date=D(2024, 7, 2), sale_type="market_maker")
    d = run([short, long, mm], D(2024, 7, 3))
    assert d.loc["s", "reg_sho_close_out_by"] == pd.Timestamp("2024-07-05")
    assert d.loc["s", "reg_sho_citation"] == "242.204(a)"
    assert d.loc["l", "reg_sho_close_out_by"] == pd.Timestamp("2024-07-09")
    assert d.loc["m", "reg_sho_close_out_by"] == pd.Timestamp("2024-07-09")
    assert d.loc["s", "buy_in_15c3_3m_by"] == pd.Timestamp("2024-07-18")
    assert d.loc["s", "confirmation_by"] == pd.Timestamp("2024-07-03")


def test_reg_sho_t_plus_2_matches_the_2017_guide() -> None:
    # T+2: trade Mon 6/4/2018, SD Wed 6/6. Short close-out 6/7 = T+3; long 6/11 = T+5;
    # 15c3-3(m): 6/7, 8, 11, 12, 13, 14, 15, 18, 19, 20 -> 6/20 = T+12 (13 under T+3)
    s = ftd("s", settlement_date=None, trade_date=D(2018, 6, 4))
    lg = ftd("l", settlement_date=None, trade_date=D(2018, 6, 4), sale_type="long")
    d = run([s, lg], D(2018, 6, 6))
    assert d.loc["s", "reg_sho_close_out_by"] == pd.Timestamp("2018-06-07")
    assert d.loc["l", "reg_sho_close_out_by"] == pd.Timestamp("2018-06-11")
    assert d.loc["s", "buy_in_15c3_3m_by"] == pd.Timestamp("2018-06-20")


def test_reg_sho_skips_a_day_of_exchange_closure() -> None:
    # SD Wed 1/8/2025; 1/9 exchanges closed (DTC open): close-out at the opening Fri 1/10
    d = run([ftd(settlement_date=D(2025, 1, 8))], D(2025, 1, 8))
    assert d.loc["f", "reg_sho_close_out_by"] == pd.Timestamp("2025-01-10")


def test_reg_sho_deemed_owned_35_calendar_days() -> None:
    # trade Thu 6/27/2024 + 35 calendar days = Thu 8/1/2024 (a trading day)
    f = ftd(settlement_date=None, trade_date=D(2024, 6, 27), sale_type="deemed_owned")
    d = run([f], D(2024, 6, 28))
    assert d.loc["f", "reg_sho_close_out_by"] == pd.Timestamp("2024-08-01")
    assert d.loc["f", "reg_sho_citation"] == "242.204(a)(2)"


def test_no_reg_sho_date_for_debt_or_receives() -> None:
    gov = ftd("g", security_class="government", haircut_rate=0.01)
    ftr = ftd("r", side="fail_to_receive")
    d = run([gov, ftr], D(2024, 6, 5))
    assert d["reg_sho_close_out_by"].isna().all()
    assert pd.isna(d.loc["r", "buy_in_15c3_3m_by"])


# Short securities differences, (c)(2)(v)
# The (c)(2)(v)(A) schedule (a GPO table one rendering of the eCFR drops, read in a second
# rendering of the eCFR text): 25 percent at 7, 50 at 14, 75 at 21, 100 at 28 business days
# after discovery.


@pytest.mark.parametrize(
    ("as_of", "age", "rate"),
    [
        # discovered Mon 6/3/2024; settlement days 6/4 (1) ... 6/11 (6), 6/12 (7)
        (D(2024, 6, 11), 6, 0.0),
        (D(2024, 6, 12), 7, 0.25),
        # ... 6/18 (11), Juneteenth skipped, 6/20 (12), 6/21 (13), 6/24 (14)
        (D(2024, 6, 21), 13, 0.25),
        (D(2024, 6, 24), 14, 0.50),
        # ... 7/2 (20), 7/3 (21)
        (D(2024, 7, 2), 20, 0.50),
        (D(2024, 7, 3), 21, 0.75),
        # 7/4 closed, 7/5 (22) ... 7/12 (27), 7/15 (28)
        (D(2024, 7, 12), 27, 0.75),
        (D(2024, 7, 15), 28, 1.0),
    ],
)
def test_short_difference_schedule(as_of: date, age: int, rate: float) -> None:
    frame = differences_frame(
        [Difference(id="x", kind="short", discovery_date=D(2024, 6, 3), market_value=40_000.0)]
    )
    r = securities_differences(frame, as_of)
    row = r.detail.iloc[0]
    assert row["age_business_days"] == age
    assert row["deduction"] == pytest.approx(40_000 * rate)
    assert r.total == pytest.approx(40_000 * rate)


def test_difference_extension_and_long_sold() -> None:
    frame = differences_frame(
        [
            # 14 business days old on 6/24, less a 10-day extension = 4: no deduction
            Difference(
                id="x",
                kind="short",
                discovery_date=D(2024, 6, 3),
                market_value=1_000.0,
                extension_days=10,
            ),
            # long difference already sold: 1,000 less reserve 300 = 700
            Difference(
                id="y",
                kind="long_sold",
                discovery_date=D(2024, 6, 3),
                market_value=1_000.0,
                reserve=300.0,
            ),
        ]
    )
    r = securities_differences(frame, D(2024, 6, 24))
    d = r.detail.set_index("id")
    assert d.loc["x", "deduction"] == 0.0
    assert d.loc["y", "deduction"] == pytest.approx(700)
    assert d.loc["y", "citation"] == "15c3-1(c)(2)(v)(B)"
    assert r.other_deductions() == [
        (
            "Long securities differences sold before resolution (1 item)",
            700.0,
            "15c3-1(c)(2)(v)(B)",
        )
    ]


# Validation


def test_frame_errors_name_row_and_field() -> None:
    raw = pd.DataFrame(
        {
            "id": ["a", "a", "c"],
            "security_class": ["equity", "stock", "equity"],
            "side": ["fail_to_deliver", "fail_to_deliver", "sideways"],
            "settlement_date": ["2024-06-04", "2024-06-04", None],
            "contract_value": [1.0, -1.0, 1.0],
            "market_value": [1.0, 1.0, "x"],
        }
    )
    with pytest.raises(BookError) as exc:
        validate_fails_frame(raw, row_offset=2)
    text = str(exc.value)
    assert "row 3: field 'id': duplicate id" in text
    assert "row 3: field 'security_class'" in text
    assert "row 3: field 'contract_value'" in text
    assert "row 4: field 'side'" in text
    assert "row 4: field 'market_value': not a number" in text
    assert "row 4: field 'settlement_date'" in text


def test_fail_dated_after_as_of_is_an_error() -> None:
    with pytest.raises(BookError, match="not a fail yet"):
        run([ftd()], D(2024, 6, 3))


def test_cycle_error_names_the_fail_row() -> None:
    raw = pd.DataFrame(
        {
            "id": ["a", "b"],
            "security_class": ["equity", "commodity"],
            "side": ["fail_to_deliver", "fail_to_deliver"],
            "trade_date": ["2024-06-03", "2024-06-03"],
            "contract_value": [1.0, 1.0],
            "market_value": [1.0, 1.0],
        }
    )
    with pytest.raises(BookError, match="fails row 3: field 'agreed_cycle'"):
        validate_fails_frame(raw, row_offset=2)


def test_buy_in_date_uses_the_fails_own_calendar() -> None:
    # SD Thu 2018-11-29. 2018-12-05 (day of mourning): DTC settled, Fedwire/SIFMA closed.
    # dtc days after SD: 11/30 (1), 12/3 (2), 12/4 (3), 12/5 (4), 12/6 (5), 12/7 (6),
    #   12/10 (7), 12/11 (8), 12/12 (9), 12/13 (10) -> equity buy-in by 12/13
    # fedwire skips 12/5: ... 12/4 (3), 12/6 (4), ..., 12/13 (9), 12/14 (10) -> government 12/14
    eq = ftd("e", settlement_date=D(2018, 11, 29))
    gov = ftd("g", security_class="government", haircut_rate=0.01, settlement_date=D(2018, 11, 29))
    d = run([eq, gov], D(2018, 11, 30))
    assert d.loc["e", "buy_in_15c3_3m_by"] == pd.Timestamp("2018-12-13")
    assert d.loc["g", "buy_in_15c3_3m_by"] == pd.Timestamp("2018-12-14")


def test_fail_traded_before_the_cycle_table_names_trade_date() -> None:
    raw = pd.DataFrame(
        {
            "id": ["a"],
            "security_class": ["equity"],
            "side": ["fail_to_deliver"],
            "trade_date": ["2009-06-01"],
            "contract_value": [1.0],
            "market_value": [1.0],
        }
    )
    with pytest.raises(BookError, match=r"fails row 2: field 'trade_date': .*outside the range"):
        validate_fails_frame(raw, row_offset=2)
