"""Open contractual commitments, 15c3-1(c)(2)(viii)(A)-(C), worked by hand from the text.

(viii): "Deducting ... the respective deductions as specified in paragraph (c)(2)(vi)
... from the value (which shall be the market value whenever there is a market) of each
net long and each net short position contemplated by any open contractual commitment".
(A): "The deduction for contractual commitments in those securities that are treated in
paragraph (c)(2)(vi)(J) ... shall be 30 percent unless the class and issue ... are listed
for trading on a national securities exchange or are designated as NASDAQ National
Market System Securities."
(B): "A broker or dealer that maintains in excess of $250,000 of net capital may add
back to net worth up to $150,000 of any deduction computed under this paragraph".
(C): "The deduction with respect to any single commitment shall be reduced by the
unrealized profit in such commitment, in an amount not greater than the deduction ...
(or increased by the unrealized loss)".

Firms below hold 100,000,000 of net worth, so a 1,000,000 position is far under the
undue concentration thresholds of (c)(2)(vi)(M) and (J) is 15% of market value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcap.book.frame import BookError
from netcap.book.loading import load_book, write_template
from netcap.book.model import Position
from netcap.rule.commitments import Commitment, CommitmentsResult
from netcap.rule.computation import NetCapitalResult
from tests.computation_helpers import book, run

NW = 100_000_000.0


def _run(
    positions: tuple[Position, ...], commitments: tuple[Commitment, ...], nw: float = NW
) -> NetCapitalResult:
    b = book(nw, positions=positions).model_copy(update={"commitments": commitments})
    return run(b)


def equity(pid: str, side: str, value: float, **kw: Any) -> Position:
    return Position(id=pid, security_class="equity", side=side, market_value=value, **kw)


def commit(position: str, contract: float, listed: bool | None = None) -> Commitment:
    return Commitment(
        id=f"oc-{position}", position=position, contract_value=contract, exchange_listed=listed
    )


def test_listed_j_commitment_keeps_the_vi_deduction_and_adds_back_150000() -> None:
    # firm commitment to buy 1,000,000 of a listed stock at 1,000,000: (J) 15% = 150,000,
    # no (A) (listed), no profit or loss (C): the (viii) deduction is 150,000, adjustment 0.
    # (B): net capital 100,000,000 - 150,000 > 250,000, add back min(150,000, 150,000).
    r = _run((equity("c", "long", 1_000_000),), (commit("c", 1_000_000, listed=True),))
    assert r.line("haircut:15c3-1(c)(2)(vi)(J)") == pytest.approx(-150_000)
    assert r.line("commitments:adjustment") == pytest.approx(0.0)
    assert r.line("commitments:add_back") == pytest.approx(150_000)
    assert r.net_capital == pytest.approx(NW - 150_000 + 150_000)


def test_unlisted_j_commitment_takes_30_percent_under_viii_A() -> None:
    # not listed, not NMS: 30% of 1,000,000 = 300,000 in place of the (J) 150,000,
    # so the (viii) line adds 150,000; (B) adds back 150,000 of the 300,000.
    # net capital = 100,000,000 - 150,000 - 150,000 + 150,000 = 99,850,000
    r = _run((equity("c", "long", 1_000_000),), (commit("c", 1_000_000, listed=False),))
    row = r.commitments.iloc[0]
    assert row["rate"] == pytest.approx(0.30)
    assert row["deduction"] == pytest.approx(300_000)
    assert "15c3-1(c)(2)(viii)(A)" in row["citation"]
    assert r.line("commitments:adjustment") == pytest.approx(-150_000)
    assert r.net_capital == pytest.approx(99_850_000)


@pytest.mark.parametrize(
    ("side", "contract", "listed", "expected"),
    [
        # buy at 900,000, worth 1,000,000: profit 100,000 reduces 300,000 (A) to 200,000
        ("long", 900_000, False, 200_000),
        # buy at 500,000: profit 500,000, but the reduction is "not greater than the
        # deduction": 300,000 - 300,000 = 0
        ("long", 500_000, False, 0),
        # buy at 1,100,000: loss 100,000 increases 300,000 to 400,000
        ("long", 1_100_000, False, 400_000),
        # sell at 1,050,000 a listed stock now worth 1,000,000: profit on a sale commitment
        # is contract less market, 50,000; (J) 15% of the short 1,000,000 = 150,000 - 50,000
        ("short", 1_050_000, True, 100_000),
        # sell at 950,000: loss 50,000, 150,000 + 50,000
        ("short", 950_000, True, 200_000),
    ],
)
def test_viii_C_unrealized_profit_reduces_and_loss_increases(
    side: str, contract: float, listed: bool, expected: float
) -> None:
    r = _run((equity("c", side, 1_000_000),), (commit("c", contract, listed),))
    assert r.commitments.iloc[0]["deduction"] == pytest.approx(expected)
    # the (viii) line is the deduction less the (J) 150,000 already among the haircuts
    assert r.line("commitments:adjustment") == pytest.approx(-(expected - 150_000))


def test_viii_B_add_back_needs_more_than_250000_and_is_at_most_150000() -> None:
    res = CommitmentsResult(
        detail=pd.DataFrame(),
        deduction=400_000,
        adjustment=0.0,
        addback_threshold=250_000,
        addback_max=150_000,
    )
    assert res.add_back(250_000) == 0.0  # "in excess of $250,000": exactly 250,000 is not
    assert res.add_back(250_001) == 150_000  # "up to $150,000" of 400,000
    small = CommitmentsResult(
        detail=pd.DataFrame(),
        deduction=60_000,
        adjustment=0.0,
        addback_threshold=250_000,
        addback_max=150_000,
    )
    assert small.add_back(1_000_000) == 60_000  # never more than the deduction itself


def test_no_add_back_when_net_capital_is_not_over_250000() -> None:
    # net worth 400,000; listed commitment to buy 1,000,000 at 1,000,000.  The position is
    # over 10% of net capital, so (M) may add a concentration charge: whatever the haircuts,
    # net capital before the add-back is at most 400,000 - 150,000 = 250,000, not "in excess
    # of $250,000", so no add-back line.
    r = _run((equity("c", "long", 1_000_000),), (commit("c", 1_000_000, listed=True),), 400_000)
    assert not r.has_line("commitments:add_back")


@given(
    mv=st.floats(1_000, 5_000_000),
    cv=st.floats(0, 10_000_000),
    side=st.sampled_from(["long", "short"]),
    listed=st.booleans(),
)
def test_property_deduction_never_negative_and_moves_one_for_one_with_loss(
    mv: float, cv: float, side: str, listed: bool
) -> None:
    """(C): the deduction is base - min(profit, base): never below zero, and each dollar
    of loss adds a dollar."""
    r = _run((equity("c", side, mv),), (commit("c", cv, listed),))
    row = r.commitments.iloc[0]
    base = (0.30 if not listed else 0.15) * mv
    profit = mv - cv if side == "long" else cv - mv
    assert row["deduction"] >= 0
    assert row["deduction"] == pytest.approx(max(base - profit, 0.0), abs=1e-6)


def test_bad_commitments_are_all_reported_naming_row_and_field() -> None:
    positions = (
        equity("j", "long", 1_000_000),
        Position(id="nrm", security_class="no_ready_market", side="long", market_value=10_000),
    )
    bad = (
        commit("missing", 1.0, listed=True),  # item 1: names no position
        commit("j", 1_000_000),  # item 2: a (J) security without exchange_listed
        commit("nrm", 10_000),  # item 3: charged under (c)(2)(vii)
    )
    with pytest.raises(BookError) as info:
        _run(positions, bad)
    assert {(e.row, e.field, e.source) for e in info.value.errors} == {
        ("1 (id 'oc-missing')", "position", "commitments"),
        ("2 (id 'oc-j')", "exchange_listed", "commitments"),
        ("3 (id 'oc-nrm')", "position", "commitments"),
    }


def test_json_book_states_a_commitment_and_json_output_carries_it(tmp_path: Path) -> None:
    doc = {
        "as_of": "2024-06-28",
        "firm": {"months_in_business": 120},
        "balance_sheet": {"net_worth": NW},
        "positions": [
            {"id": "c", "security_class": "equity", "side": "long", "market_value": 1_000_000}
        ],
        "commitments": [
            {"id": "uw", "position": "c", "contract_value": 900_000, "exchange_listed": False}
        ],
    }
    path = tmp_path / "book.json"
    path.write_text(json.dumps(doc))
    r = load_book(path).compute()
    # (A) 300,000 less (C) profit 100,000 = 200,000; (viii) line 200,000 - 150,000 = 50,000;
    # (B) adds back 150,000: 100,000,000 - 150,000 - 50,000 + 150,000
    assert r.net_capital == pytest.approx(99_950_000)
    out = r.to_dict()
    assert out["commitments"][0]["deduction"] == pytest.approx(200_000)


def test_csv_folder_and_workbook_books_load_commitments(tmp_path: Path) -> None:
    import openpyxl  # noqa: PLC0415

    folder = tmp_path / "book"
    write_template(folder)
    assert (folder / "commitments.csv").is_file()  # the template has the sheet
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1e8\nfirm.months_in_business,120\n"
    )
    (folder / "positions.csv").write_text(
        "id,security_class,side,market_value\nc,equity,long,1000000\n"
    )
    (folder / "commitments.csv").write_text(
        "id,position,contract_value,exchange_listed,description\nuw,c,1000000,false,\n"
    )
    # unlisted (J): 300,000, adjustment 150,000, add-back 150,000 (as worked above)
    assert load_book(folder).compute().net_capital == pytest.approx(99_850_000)

    path = tmp_path / "book.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    for row in wb["firm"].iter_rows(min_row=2):
        if row[0].value == "as_of":
            row[1].value = "2024-06-28"
        if row[0].value == "balance_sheet.net_worth":
            row[1].value = NW
        if row[0].value == "firm.months_in_business":
            row[1].value = 120
    for sheet, values in (
        (
            "positions",
            {"id": "c", "security_class": "equity", "side": "long", "market_value": 1_000_000},
        ),
        (
            "commitments",
            {"id": "uw", "position": "c", "contract_value": 1_000_000, "exchange_listed": True},
        ),
    ):
        header = [c.value for c in wb[sheet][1]]
        wb[sheet].append([values.get(str(h)) for h in header])
    wb.save(path)
    # listed: no (A), no profit or loss: adjustment 0, add-back 150,000
    r = load_book(path).compute()
    assert r.line("commitments:add_back") == pytest.approx(150_000)
    assert r.net_capital == pytest.approx(NW)
