"""Amounts in a currency other than US dollars, converted at the book's stated rates.

15c3-1 computes net capital in dollars; it states no deduction on a foreign currency
position or balance, so netcap converts and applies none (docs/rules/currency.md).
Each figure below is worked by hand from the rates the book gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from netcap.book.firm import Book
from netcap.book.frame import BookError
from netcap.book.readers import load_book
from netcap.book.template import write_template
from netcap.rule.computation import NetCapitalResult, compute

RATES = [
    {"currency": "EUR", "usd_per_unit": 1.10, "source": "ECB reference rate 2024-06-28"},
    {"currency": "JPY", "usd_per_unit": 0.0065, "source": "Fed H.10 2024-06-28"},
]
BOOK: dict[str, Any] = {
    "as_of": "2024-06-28",
    "firm": {"months_in_business": 120},
    "balance_sheet": {
        "net_worth": 1_000_000,
        "non_allowable_assets": [
            {"id": "pre", "kind": "prepaid_items", "amount": 2_000, "currency": "EUR"}
        ],
    },
    "liabilities": [{"id": "loan", "amount": 10_000_000, "currency": "JPY"}],
    "positions": [
        {"id": "sap", "security_class": "equity", "side": "long"}
        | {"market_value": 50_000, "currency": "EUR"},
        {"id": "usd", "security_class": "equity", "side": "long", "market_value": 10_000},
    ],
    "currency_rates": RATES,
}


def _check(r: NetCapitalResult) -> None:
    # prepaid EUR 2,000 x 1.10 = 2,200, deducted in full under (c)(2)(iv)(A)
    assert r.line("nonallowable:prepaid_items") == pytest.approx(-2_200)
    # equity EUR 50,000 x 1.10 = 55,000 plus USD 10,000: 15% under (J) = 9,750
    assert r.line("haircut:15c3-1(c)(2)(vi)(J)") == pytest.approx(-9_750)
    assert r.net_capital == pytest.approx(1_000_000 - 2_200 - 9_750)
    # JPY 10,000,000 x 0.0065 = 65,000 of aggregate indebtedness
    assert r.aggregate_indebtedness == pytest.approx(65_000)
    notes = r.haircuts.detail.set_index("id")["note"]
    assert "EUR 50,000.00 at 1.1 USD per EUR = USD 55,000.00" in notes["sap"]
    assert "USD per" not in str(notes["usd"])
    conv = r.currency_conversions
    assert conv is not None
    usd = dict(zip(conv["id"], conv["usd"], strict=True))
    assert usd == pytest.approx({"sap": 55_000, "pre": 2_200, "loan": 65_000})
    assert any("no deduction for foreign currency exposure" in w for w in r.warnings)
    assert r.to_dict()["currency_conversions"]


def test_book_model() -> None:
    _check(compute(Book.model_validate(BOOK)))


def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    path.write_text(json.dumps(BOOK))
    _check(load_book(path).compute())


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nfirm.months_in_business,120\n"
        "balance_sheet.net_worth,1000000\n"
    )
    (folder / "non_allowable_assets.csv").write_text(
        "id,kind,amount,currency\npre,prepaid_items,2000,EUR\n"
    )
    (folder / "liabilities.csv").write_text("id,amount,currency\nloan,10000000,JPY\n")
    (folder / "positions.csv").write_text(
        "id,security_class,side,market_value,currency\n"
        "sap,equity,long,50000,EUR\nusd,equity,long,10000,\n"
    )
    (folder / "currency_rates.csv").write_text(
        "currency,usd_per_unit,source\nEUR,1.10,ECB\nJPY,0.0065,H.10\n"
    )
    return folder


def test_csv_folder(tmp_path: Path) -> None:
    _check(load_book(_folder(tmp_path)).compute())


def test_no_currency_stays_dollars() -> None:
    plain = {k: v for k, v in BOOK.items() if k != "currency_rates"}
    plain["positions"] = [BOOK["positions"][1]]
    plain["liabilities"] = [{"id": "loan", "amount": 65_000}]
    plain["balance_sheet"] = {"net_worth": 1_000_000}
    r = compute(Book.model_validate(plain))
    assert r.currency_conversions is None
    assert r.to_dict()["currency_conversions"] is None


def test_bad_currency_input_all_at_once(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "positions.csv").write_text(
        "id,security_class,side,market_value,currency\nsap,equity,long,50000,EUO\n"
        "gb,equity,long,50000,GBP\n"
    )
    (folder / "currency_rates.csv").write_text(
        "currency,usd_per_unit,source\nEUR,-1.10,ECB\nJPY,,H.10\n"
    )
    (folder / "liabilities.csv").write_text("id,amount,currency\nloan,10000000,yen\n")
    with pytest.raises(BookError) as info:
        load_book(folder)
    found = {(Path(e.source).name, e.row, e.field) for e in info.value.errors}
    assert ("currency_rates.csv", 2, "usd_per_unit") in found  # negative rate
    assert ("currency_rates.csv", 3, "usd_per_unit") in found  # missing rate
    assert ("liabilities.csv", 2, "currency") in found  # not an ISO code


def test_position_currency_errors_name_row_and_field(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "positions.csv").write_text(
        "id,security_class,side,market_value,currency\nsap,equity,long,50000,EUO\n"
        "gb,equity,long,50000,GBP\n"
    )
    with pytest.raises(BookError) as info:
        load_book(folder)
    found = {(Path(e.source).name, e.row, e.field) for e in info.value.errors}
    assert ("positions.csv", 2, "currency") in found  # unknown code
    assert ("positions.csv", 3, "currency") in found  # no rate for GBP


def test_a_balance_in_a_currency_without_a_rate_is_refused() -> None:
    book = dict(BOOK, currency_rates=[RATES[0]])
    with pytest.raises(ValidationError, match="'JPY' has no rate"):
        Book.model_validate(book)
    with pytest.raises(ValidationError, match="two rates"):
        Book.model_validate(dict(BOOK, currency_rates=[RATES[0], RATES[0]]))


def test_workbook_states_each_conversion(tmp_path: Path) -> None:
    import openpyxl  # noqa: PLC0415

    from netcap.report import export_computation  # noqa: PLC0415
    from tests.test_report_focus import _recompute, assert_workbook_ties  # noqa: PLC0415

    loaded = load_book(_folder(tmp_path))
    result = loaded.compute()
    path = export_computation(result, tmp_path / "out.xlsx", loaded=loaded)
    ws = openpyxl.load_workbook(path)["Currency conversions"]
    assert ws["G4"].data_type == "f"
    values = _recompute(path)
    usd = {ws[f"B{r}"].value: values[("CURRENCY CONVERSIONS", f"G{r}")] for r in (4, 5, 6)}
    assert usd == pytest.approx({"sap": 55_000, "pre": 2_200, "loan": 65_000})
    assert assert_workbook_ties(path, result, values) > 0


def test_currency_where_netcap_does_not_convert_is_refused() -> None:
    """Nothing is left unconverted silently: SDN collateral must be in dollars."""
    book = dict(
        BOOK,
        secured_demand_notes=[
            {"id": "n", "unpaid_principal": 1, "collateral": [BOOK["positions"][0]]}
        ],
    )
    with pytest.raises(ValidationError, match="give this one in US dollars"):
        Book.model_validate(book)
