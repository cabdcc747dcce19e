"""``netcap settle``: settlement dates across the cycle changes, and the fail deadlines.

Each expected date is counted by hand on the calendar in the comment beside it.
"""

from __future__ import annotations

import json

import pytest

from netcap.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["settle", *args, "--json"]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


@pytest.mark.parametrize(
    ("trade", "cycle", "settles"),
    [
        # Fri 2017-09-01, T+3 still in force; Mon 09-04 Labor Day: 09-05, 09-06, 09-07
        ("2017-09-01", 3, "2017-09-07"),
        # Tue 2017-09-05, first day of T+2: 09-06, 09-07
        ("2017-09-05", 2, "2017-09-07"),
        # Fri 2024-05-24, last day of T+2; Mon 05-27 Memorial Day: 05-28, 05-29
        ("2024-05-24", 2, "2024-05-29"),
        # Tue 2024-05-28, first day of T+1
        ("2024-05-28", 1, "2024-05-29"),
        # Wed 2025-11-26; Thu 11-27 Thanksgiving: Fri 11-28
        ("2025-11-26", 1, "2025-11-28"),
        # Thu 2026-04-02; Fri 04-03 Good Friday, no settlement: Mon 04-06
        ("2026-04-02", 1, "2026-04-06"),
    ],
)
def test_equity_settlement_across_the_cycle_changes(
    capsys: pytest.CaptureFixture[str], trade: str, cycle: int, settles: str
) -> None:
    out = run(capsys, trade)
    assert out["cycle_business_days"] == cycle
    assert out["settlement_date"] == settles
    assert out["citation"] == "15c6-1(a)"


def test_fail_deadlines_from_settlement_date(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "2024-05-24")  # settles Wed 2024-05-29
    by_sale = {d["sale_type"]: d for d in out["fail_to_deliver_deadlines"]}  # type: ignore[attr-defined]
    # 204(a): the settlement day after settlement date, Thu 05-30
    assert by_sale["short"]["reg_sho_close_out_by"] == "2024-05-30"
    assert by_sale["short"]["reg_sho_citation"] == "242.204(a)"
    # 204(a)(1): third settlement day after settlement date: 05-30, 05-31, Mon 06-03
    assert by_sale["long"]["reg_sho_close_out_by"] == "2024-06-03"
    assert by_sale["market_maker"]["reg_sho_close_out_by"] == "2024-06-03"
    # 15c3-3(m): 10 business days after 05-29: 05-30, 05-31, 06-03 ... 06-07, 06-10, 06-11, 06-12
    assert by_sale["short"]["buy_in_15c3_3m_by"] == "2024-06-12"


def test_government_securities_settle_next_day_by_convention(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "2024-05-24", "--class", "government")
    assert out["basis"] == "convention"
    assert out["settlement_date"] == "2024-05-28"  # Mon 05-27 Memorial Day
    # Reg SHO 204 covers equity securities only
    deadlines = out["fail_to_deliver_deadlines"]
    assert all(d["reg_sho_close_out_by"] is None for d in deadlines)  # type: ignore[attr-defined]


def test_firm_commitment_after_430_and_agreed_cycle(capsys: pytest.CaptureFixture[str]) -> None:
    # 15c6-1(c): T+4 before 2024-05-28; Wed 2024-05-01 + 4 business days = Tue 05-07
    out = run(capsys, "2024-05-01", "--firm-commitment-after-430")
    assert (out["cycle_business_days"], out["settlement_date"]) == (4, "2024-05-07")
    # T+2 since 2024-05-28: Mon 2024-06-03 + 2 = Wed 06-05
    out = run(capsys, "2024-06-03", "--firm-commitment-after-430")
    assert (out["cycle_business_days"], out["settlement_date"]) == (2, "2024-06-05")
    # an expressly agreed T+5: Wed 2024-05-01 -> Wed 05-08
    out = run(capsys, "2024-05-01", "--agreed-cycle", "5")
    assert out["settlement_date"] == "2024-05-08"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["2024-13-01"], "trade_date"),
        (["2024-05-01", "--class", "stock"], "--class"),
        (["2024-05-01", "--agreed-cycle", "-1"], "--agreed-cycle"),
    ],
)
def test_bad_input_names_the_field(
    capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    assert main(["settle", *args]) == 2
    assert field in capsys.readouterr().err
