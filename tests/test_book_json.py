"""The JSON book reader, the sample firm and ``netcap compute``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from netcap.book.book_json import BookInputError, field_path, load_book, parse_book
from netcap.rule.computation import compute
from tests.conftest import FIXTURES, run_cli

SAMPLE = FIXTURES / "sample_firm" / "book.json"


def test_field_path() -> None:
    assert field_path(("liabilities", 3, "kind")) == "liabilities[3].kind"
    assert field_path(()) == "(top level)"


def test_error_names_the_field_path() -> None:
    text = json.dumps(
        {
            "as_of": "2024-06-28",
            "balance_sheet": {
                "net_worth": 1,
                "non_allowable_assets": [{"id": "a", "kind": "furniture", "amount": 1}],
            },
            "liabilities": [{"id": "x", "amount": -5}],
        }
    )
    with pytest.raises(BookInputError) as err:
        parse_book(text, "b.json")
    message = str(err.value)
    assert "b.json: field balance_sheet.non_allowable_assets[0].kind" in message
    assert "b.json: field liabilities[0].amount" in message


def test_unknown_field_is_an_error() -> None:
    with pytest.raises(BookInputError, match=r"field firm\.firm_typo"):
        parse_book(
            '{"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1}, '
            '"firm": {"firm_typo": "dealer"}}'
        )


def test_sample_book_loads_and_computes() -> None:
    b = load_book(SAMPLE)
    assert len(b.positions) >= 300
    kinds = {li.kind.value for li in b.liabilities}
    assert len(kinds) >= 27  # every kind but the brokers' broker exclusion
    r = compute(b)
    assert r.net_capital < r.tentative_net_capital
    assert r.excess_net_capital > 0
    assert r.market_maker.a4 is not None


def test_sample_is_reproducible(tmp_path: Path) -> None:
    target = Path(str(tmp_path)) / "book.json"
    out = subprocess.run(
        [sys.executable, str(FIXTURES / "sample_firm" / "make_sample.py"), str(target)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "506 positions" in out.stdout  # 505 before the JPY no-ready-market position
    assert target.read_bytes() == SAMPLE.read_bytes()


def test_cli_compute_json() -> None:
    out = run_cli("compute", str(SAMPLE), "--json", check=True)
    report = json.loads(out.stdout)
    lines = {x["line"]: x for x in report["lines"]}
    assert report["net_capital"] == lines["net_capital"]["amount"]
    assert all(x["citation"] for x in report["lines"])
    assert sum(c["binding"] for c in report["requirement"]["candidates"]) == 1
    # the per-position detail: every position of the book exactly once, each with its paragraph
    book_ids = [p["id"] for p in json.loads(SAMPLE.read_text())["positions"]]
    detail = report["haircuts"]["detail"]
    assert sorted(d["id"] for d in detail) == sorted(book_ids)
    assert all(d["paragraph"] for d in detail)
    total = sum(d["charge"] + d["add_on_charge"] for d in detail)
    assert abs(total - report["haircuts"]["total"]) <= 0.5  # total is rounded to the dollar
    # aged fails and differences, with their deadlines
    aged = {a["id"]: a for a in report["aged_items"]}
    assert aged["FTD-1"]["citation"] == "15c3-1(c)(2)(ix)"


def test_cli_compute_text() -> None:
    out = run_cli("compute", str(SAMPLE), check=True)
    assert "Net capital" in out.stdout
    assert "[15c3-1(c)(15)]" in out.stdout


def test_cli_compute_bad_input(tmp_path: Path) -> None:
    bad = Path(str(tmp_path)) / "bad.json"
    bad.write_text('{"as_of": "2024-06-28", "balance_sheet": {}}')
    out = subprocess.run(
        [sys.executable, "-m", "netcap.cli", "compute", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "field balance_sheet.net_worth" in out.stderr


def test_docs_example_parses() -> None:
    text = (FIXTURES.parent / "docs" / "book-format.md").read_text()
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    b = parse_book(block)
    # 5mm equity + 1mm sub - 400k fixed assets - 12,345 fails - 4.5% x 10mm (12y, cat. 4a)
    assert compute(b).net_capital == pytest.approx(
        5_000_000 + 1_000_000 - 400_000 - 12_345 - 450_000
    )


@pytest.mark.parametrize(
    "maturity", ["2031-05", "2031", "2031-05-15T13:45", "2031-05-15T00:00", "20310515", 1940025600]
)
def test_position_dates_must_be_exactly_year_month_day(maturity: object) -> None:
    # 1940025600 seconds after 1970-01-01 is midnight of 2031-06-24: a number is refused
    # rather than read as a time stamp; partial dates and times are refused, not completed
    text = json.dumps(
        {
            "as_of": "2024-06-28",
            "balance_sheet": {"net_worth": 1},
            "positions": [
                {
                    "id": "t",
                    "security_class": "government",
                    "side": "long",
                    "market_value": 1,
                    "maturity": maturity,
                }
            ],
        }
    )
    with pytest.raises(BookInputError, match=r"field positions\[0\]\.maturity"):
        parse_book(text, "b.json")


def test_position_date_in_the_exact_form_is_read() -> None:
    text = json.dumps(
        {
            "as_of": "2024-06-28",
            "balance_sheet": {"net_worth": 1},
            "positions": [
                {"id": "t", "security_class": "government", "side": "long", "market_value": 1}
                | {"maturity": "2031-05-15", "issue_date": "2021-05-15"}
            ],
        }
    )
    position = parse_book(text, "b.json").positions[0]
    assert (position.maturity, position.issue_date) == (date(2031, 5, 15), date(2021, 5, 15))


@pytest.mark.parametrize(
    ("where", "path"),
    [
        ({"as_of": "2024-06"}, r"field as_of"),
        ({"as_of": "2024-06-28T00:00"}, r"field as_of"),
        (
            {
                "fails": [
                    {
                        "id": "f",
                        "security_class": "equity",
                        "side": "fail_to_deliver",
                        "trade_date": "20240614",
                        "contract_value": 1,
                        "market_value": 1,
                    }
                ]
            },
            r"field fails\[0\]\.trade_date",
        ),
        (
            {
                "securities_differences": [
                    {"id": "d", "kind": "short", "discovery_date": 1718000000, "market_value": 1}
                ]
            },
            r"field securities_differences\[0\]\.discovery_date",
        ),
    ],
)
def test_book_level_dates_are_exact_too(where: dict[str, object], path: str) -> None:
    # the firm's as-of date and the dates of fails are read as strictly as a position's
    # maturity: a month, a time, a compact date or a number (seconds since 1970) is refused
    # with its field, not completed or reinterpreted
    book: dict[str, object] = {"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1}}
    book |= where
    with pytest.raises(BookInputError, match=path):
        parse_book(json.dumps(book), "b.json")
