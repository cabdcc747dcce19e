"""``netcap combine --book`` on the bundled sample firm (issue 15, item 3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from netcap.book.loading import load_book
from netcap.cli import main
from netcap.dealer.portfolio import BOOK_ALONE, combine
from netcap.dealer.strategy import Strategy
from netcap.rule.computation import compute
from tests.conftest import FIXTURES

TABLE9 = FIXTURES / "table9"
BOOK = FIXTURES / "sample_firm" / "book.json"


def _run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_combine_runs_on_the_bundled_fixtures(capsys: Any) -> None:
    # strategy 7 names as_of 2022-08-15; the sample book is dated 2024-06-28 and holds commercial
    # paper maturing within a year of the book's date.  Measured from 2022-08-15 that paper ran
    # more than a year, and combine refused it.  A combination has one date: without --as-of
    # the mismatch is refused, naming the flag; with the book's date it runs.
    specs = [str(TABLE9 / "strategy_01.json"), str(TABLE9 / "strategy_07.json")]
    code, out, err = _run(capsys, "combine", *specs, "--book", str(BOOK), "--json")
    assert code == 2
    assert "--as-of 2024-06-28" in err
    code, out, err = _run(
        capsys, "combine", *specs, "--book", str(BOOK), "--as-of", "2024-06-28", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    names = [r["name"] for r in report["rows"]]
    assert names[2:] == [BOOK_ALONE, "sum of stand-alone", "combined"]
    assert report["as_of"] == "2024-06-28"
    # both strategies named another date: each is told so
    assert sum("names as_of 2022-08-15" in n for n in report["notes"]) == 2


def test_book_alone_row_is_the_books_own_haircut_and_margin(capsys: Any) -> None:
    code, out, _ = _run(
        capsys,
        "combine",
        str(TABLE9 / "strategy_07.json"),
        "--book",
        str(BOOK),
        "--as-of",
        "2024-06-28",
    )
    assert code == 0
    code, out, _ = _run(
        capsys,
        "combine",
        str(TABLE9 / "strategy_07.json"),
        "--book",
        str(BOOK),
        "--as-of",
        "2024-06-28",
        "--json",
    )
    report = json.loads(out)
    book_row = next(r for r in report["rows"] if r["name"] == BOOK_ALONE)
    loaded = load_book(BOOK)
    result = compute(loaded.book, positions=loaded.positions)
    # the book alone carries the same position haircuts as `compute` charges the firm
    assert book_row["haircut"] == round(result.haircuts.total)
    # its margin: 2% of the larger of the book's long and short market values
    frame = loaded.positions
    long_value = float(frame.loc[frame["side"] == "long", "market_value"].sum())
    short_value = float(frame.loc[frame["side"] == "short", "market_value"].sum())
    assert book_row["non_dealer"] == round(0.02 * max(long_value, short_value))
    # the stand-alone sum adds the book to strategy 7 (haircut 7.25% x 50mm = 3,625,000)
    total = next(r for r in report["rows"] if r["name"] == "sum of stand-alone")
    assert total["haircut"] == pytest.approx(book_row["haircut"] + 3_625_000, abs=1)


def test_firms_own_capital_is_the_base_of_undue_concentration(capsys: Any) -> None:
    code, out, _ = _run(
        capsys,
        "combine",
        str(TABLE9 / "strategy_07.json"),
        "--book",
        str(BOOK),
        "--as-of",
        "2024-06-28",
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    loaded = load_book(BOOK)
    result = compute(loaded.book, positions=loaded.positions)
    # compute prints tentative net capital 72,927,951 after the 3,741,400 of deductions taken
    # before it (no ready market 1,817,000 + the yen position 20,000,000 x 0.00622 = 124,400,
    # and crypto 1,800,000): 76,669,351 before any of them
    assert report["net_capital_before_haircuts"] == 76_669_351
    c = combine(
        [Strategy.model_validate_json((TABLE9 / "strategy_07.json").read_text())],
        loaded.positions,
        as_of=loaded.book.as_of,
        net_capital_before_haircuts=76_669_351.0,
    )
    # the (M) base the strategy and the book share is the one compute prints for the firm
    assert c.haircuts.concentration_base == pytest.approx(result.haircuts.concentration_base)


def test_leg_errors_name_the_spec_and_leg(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "cp.json"
    spec.write_text(
        json.dumps(
            {
                "name": "long paper",
                "P": 1_000_000,
                "legs": [
                    {"kind": "treasury", "side": "long", "size": 1, "years": 1},
                    {"security_class": "commercial_paper", "side": "long", "size": 1, "years": 2},
                ],
            }
        ),
        encoding="utf-8",
    )
    code, _, err = _run(
        capsys,
        "combine",
        str(TABLE9 / "strategy_07.json"),
        str(spec),
        "--book",
        str(BOOK),
        "--as-of",
        "2024-06-28",
    )
    assert code == 2
    # strategy 7 has 3 legs; the paper is leg 1 of the second spec, not row 4 of a merged list
    assert f"{spec}: field legs.1.maturity" in err
    assert "year or more" in err


def test_without_as_of_the_note_says_today() -> None:
    s = Strategy.model_validate_json((TABLE9 / "strategy_07.json").read_text())
    c = combine([s.model_copy(update={"as_of": None})])
    assert c.as_of == date.today()
    assert c.notes == (
        f"no as_of given: computed under the rules in force today, {date.today().isoformat()}",
    )


def test_book_date_governs_a_strategy_that_names_another() -> None:
    s = Strategy.model_validate_json((TABLE9 / "strategy_07.json").read_text())
    c = combine([s], as_of=date(2024, 6, 28))
    assert c.as_of == date(2024, 6, 28)
    assert "computed under the rules of 2024-06-28" in c.notes[0]
