"""Text output a controller understands, and example inputs that ship (issue 15, items 4 and 6)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from netcap import analyze, load_book, write_template
from netcap.cli import load_strategy, main
from netcap.report import export_computation, export_strategies
from netcap.rule.computation import compute
from netcap.text import plural, table
from tests.conftest import FIXTURES

TABLE9 = FIXTURES / "table9"
BOOK = FIXTURES / "sample_firm" / "book.json"
EXAMPLES = FIXTURES / "examples"


def run(capsys: Any, *argv: str) -> str:
    assert main(list(argv)) == 0
    return str(capsys.readouterr().out)


def test_plural() -> None:
    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert plural(1_000, "futures position") == "1,000 futures positions"


def test_table_never_cuts_and_splits_when_too_wide() -> None:
    cols = [("name", ["a" * 30], "<"), *((f"column {k}", ["$1,000,000"], ">") for k in range(8))]
    lines = table(cols, 60)
    assert all(len(line) <= 60 for line in lines)
    # every column, the long name included, is there in full; blocks repeat the first column
    text = "\n".join(lines)
    assert text.count("a" * 30) >= 2
    assert text.count("$1,000,000") == 8


def test_compute_text_wraps_labels_in_full_within_the_width(capsys: Any) -> None:
    report = json.loads(run(capsys, "compute", str(BOOK), "--json"))
    text = run(capsys, "compute", str(BOOK), "--width", "120")
    lines = text.splitlines()
    assert all(len(line) <= 120 for line in lines)
    assert "..." not in text
    # the labels alone: each line less its amount and [citation]
    tail = re.compile(r"\s+(-?\$[\d,]+|n/a|[\d,.]+%)\s+\[[^\]]*\]\s*$")
    flat = " ".join(" ".join(tail.sub("", line).split()) for line in lines)
    for ln in report["lines"]:
        assert " ".join(ln["label"].split()) in flat
    # identifiers are JSON's; the text names them
    assert report["standard"] == "aggregate_indebtedness"
    assert "standard: aggregate indebtedness standard" in text
    assert "aggregate_indebtedness" not in text
    # counted nouns: the sample firm has one short securities difference
    assert "Short securities differences (1 item)" in flat
    assert "(1 items)" not in flat
    # (a)(4): the counts are 30-day averages of markets made (15c3-1(a)(4))
    assert "average markets made over the 30 days before the computation date" in flat


def test_compute_width_option_narrows_the_layout(capsys: Any) -> None:
    wide = run(capsys, "compute", str(BOOK), "--width", "160").splitlines()
    narrow = run(capsys, "compute", str(BOOK), "--width", "100").splitlines()
    assert len(narrow) > len(wide)  # the same labels, wrapped over more lines


def test_strategy_prints_its_rule_date_and_the_appendix_b_caveat(
    capsys: Any, tmp_path: Path
) -> None:
    text = run(capsys, "strategy", str(TABLE9 / "strategy_01.json"))
    assert "rules in force on 2022-08-15 (the spec's as_of)" in text
    # strategy 1's short futures leg has no margin: the (a)(3)(xiv) charge is not computed,
    # which the summary says, not only the leg's note
    assert "margin charge not computed" in " ".join(text.split())
    report = json.loads(run(capsys, "strategy", str(TABLE9 / "strategy_01.json"), "--json"))
    assert any("margin charge not computed" in w for w in report["warnings"])
    assert report["as_of"] == "2022-08-15"
    assert report["as_of_given"] is True
    assert report["binding_standard"] == "aggregate_indebtedness"  # identifiers stay in JSON
    spec = json.loads((TABLE9 / "strategy_07.json").read_text())
    del spec["as_of"]
    path = tmp_path / "undated.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    text = run(capsys, "strategy", str(path))
    assert f"rules in force today, {date.today().isoformat()} (the spec gives no as_of)" in text
    assert "fixed_minimum" not in text
    assert "fixed minimum plus haircut" in text


def test_sweep_csv_is_rounded_to_the_dollar(capsys: Any, tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    assert main(["sweep", str(TABLE9 / "strategy_07.json"), "--n", "3", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # P = 1e5, 1e7.5, 1e10; at 10^7.5 = 31,622,776.60 the haircut is 7.25% of P = 2,292,651.30
    assert rows[1]["P"] == "31622776.6"
    assert rows[1]["haircut"] == "2292651"
    assert rows[1]["standard"] == "aggregate_indebtedness"
    for r in rows:
        for col in ("haircut", "non_dealer", "dealer", "aggregate_indebtedness"):
            assert r[col].isdigit()


def test_pretrade_haircut_line_reconciles_to_compute(capsys: Any) -> None:
    report = json.loads(run(capsys, "compute", str(BOOK), "--json"))
    line = next(ln for ln in report["lines"] if ln["line"] == "total_haircuts")
    assert line["label"] == "Total haircuts on securities positions"
    out = json.loads(
        run(capsys, "pretrade", str(BOOK), str(EXAMPLES / "pretrade_trades.json"), "--json")
    )
    first = out["trades"][0]
    assert first["before"]["haircuts_on_securities_positions"] == -line["amount"]
    # every dollar figure is rounded to the dollar
    assert isinstance(first["before"]["net_capital"], int)
    assert isinstance(first["requirement"], int)
    text = run(capsys, "pretrade", str(BOOK), str(EXAMPLES / "pretrade_trades.json"))
    first_line = next(x for x in text.splitlines() if "Total haircuts on securities" in x)
    assert first_line.split()[5] == f"${-line['amount']:,}"  # the 'before' column
    # a 10-year Treasury (4.5%, 15c3-1(c)(2)(vi)(A)(1)(iv) category 4) of $10,000,000 long
    # meets no short to net against in the sample firm's book: +450,000 of haircut
    assert first["delta"]["haircuts_on_securities_positions"] == 450_000
    assert [t["action"] for t in out["trades"]] == ["add", "add", "remove"]


def test_lockup_example(capsys: Any) -> None:
    text = run(capsys, "lockup", str(EXAMPLES / "lockup_requirements.csv"))
    summary = json.loads(text[text.index("{") :])
    # the peak requirement, 8mm + 4mm on 2024-04-30, is held by both structures
    assert summary["peak_separate"] == 12_000_000.0
    assert summary["peak_consolidated"] == 12_000_000.0


def test_dealer_screen_example(capsys: Any) -> None:
    out = json.loads(
        run(
            capsys,
            "dealer-screen",
            str(EXAMPLES / "dealer_facts.json"),
            "--as-of",
            "2024-06-28",
            "--json",
        )
    )
    # every qualitative fact of 3a44-2(a)(1) is yes and no exclusion of (a)(2) applies
    assert out["in_force"] is True
    assert out["outcome"].startswith("Paragraph (a) appears to be met")


def test_version(capsys: Any) -> None:
    from netcap import __version__  # noqa: PLC0415

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"netcap {__version__}"


def test_every_path_argument_takes_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_template("book.xlsx")
    assert (tmp_path / "book.xlsx").is_file()
    write_template("sheets")
    assert (tmp_path / "sheets").is_dir()
    loaded = load_book(str(BOOK))
    result = compute(loaded.book, positions=loaded.positions)
    export_computation(result, "computation.xlsx")
    assert (tmp_path / "computation.xlsx").is_file()
    a = analyze(load_strategy(TABLE9 / "strategy_07.json"))
    export_strategies([a], "strategies.xlsx")  # type: ignore[arg-type]
    assert (tmp_path / "strategies.xlsx").is_file()
