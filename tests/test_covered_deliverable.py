"""Covered futures need inventory deliverable against the contract (15c3-1b(a)(3)(ix)(A)).

Deliverable grades are the exchange's (haircut_tables/futures_deliverable.csv);
the windows below are typed in from the contract specifications, in months of
remaining term at the first day of the delivery month, not read from the table.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.frame import BookError, positions_frame
from netcap.book.model import Instrument, Position, SecurityClass, Side
from netcap.dealer.registration import analyze
from netcap.dealer.strategy import Strategy
from netcap.rule.haircuts import compute_haircuts
from netcap.rule.tables import check_tables, table_dir
from tests.conftest import ROOT, gov, haircut

P = 50_000_000.0

# long 5y note, short 2y note future "covered" by it (the task's example)
EXAMPLE: dict = {
    "P": 50_000_000,
    "legs": [
        {"kind": "treasury", "side": "long", "size": 1.0, "years": 5},
        {
            "kind": "treasury_future",
            "side": "short",
            "size": 1.0,
            "years": 2,
            "deliverable_leg": 0,
        },
    ],
}


def _with_contract(spec: dict, code: str | None) -> dict:
    out = json.loads(json.dumps(spec))
    if code is not None:
        out["legs"][1]["futures_contract"] = code
    return out


def test_five_year_note_is_not_cover_for_a_two_year_future() -> None:
    a = analyze(Strategy.model_validate(_with_contract(EXAMPLE, "TU")))
    # TU delivers notes with 21-25 months left; the 5y note (60 months) is outside, so
    # both legs are charged under (A): long 5y, category 3, 5-10y subcategory, 4% x 50mm
    # = 2mm; short 2y future, category 2, 2-3y subcategory, 2% x 50mm = 1mm; different
    # categories do not offset: 3mm = 6% of P.
    assert a.at().haircut == pytest.approx(3_000_000)
    assert a.haircut_rate == pytest.approx(0.06)
    # dealer: 100k + 3mm = 3.1mm against margin 2% x 50mm = 1mm -> +210%
    assert a.at().dealer == pytest.approx(3_100_000)
    assert round(a.at().increase_pct, 9) == 210
    # P -> inf: 6% / 2% - 1 = 200%
    assert round(a.increase_pct_limit, 9) == 200
    (warning,) = a.haircuts.warnings
    assert "'leg0'" in warning
    assert "'leg1'" in warning
    assert "TU" in warning
    assert "not eligible" in warning


def test_without_a_contract_the_link_stands_with_a_warning() -> None:
    a = analyze(Strategy.model_validate(EXAMPLE))
    # the user's link is kept: 50mm covered, nothing charged
    assert a.at().haircut == 0
    (warning,) = a.haircuts.warnings
    # the future's 2y (24 months) is in category 2, the note's 5y (60 months) in category 3
    assert "deliverability unchecked" in warning
    assert "'leg0'" in warning
    assert "'leg1'" in warning
    assert "(2 and 3)" in warning


def test_deliverable_note_is_cover_without_warning() -> None:
    spec = _with_contract(EXAMPLE, "TU")
    spec["legs"][0]["years"] = 2  # 24 months: inside TU's 21-25
    a = analyze(Strategy.model_validate(spec))
    assert a.at().haircut == 0
    assert a.haircuts.warnings == ()


def test_aliases_and_case_name_the_same_contract() -> None:
    # ZT is the electronic code of TU; codes are read case-insensitively
    for code in ("ZT", "tu"):
        a = analyze(Strategy.model_validate(_with_contract(EXAMPLE, code)))
        assert a.at().haircut == pytest.approx(3_000_000)


# contract -> (months inside, months outside) at the edges of the grade
EDGES = {
    "TU": ([21, 24, 25], [20.9, 25.1]),  # 1y9m .. 2y from the last day (~2y1m from the first)
    "FV": ([50, 60], [49]),  # at least 4y2m
    "TY": ([78, 114, 120], [77, 121]),  # 6y6m .. 10y, both ends included
    "TN": ([113, 120], [112, 121]),  # 9y5m .. 10y
    "US": ([180, 299], [179, 300]),  # 15y .. less than 25y
    "UB": ([300, 360], [299]),  # at least 25y
}


@pytest.mark.parametrize("code", sorted(EDGES))
def test_grade_edges(code: str) -> None:
    inside, outside = EDGES[code]
    for months, covered in [(m, True) for m in inside] + [(m, False) for m in outside]:
        cash = gov("cash", "long", 1e6, months / 12)
        fut = Position(
            id="fut",
            security_class=SecurityClass.GOVERNMENT,
            instrument=Instrument.FUTURE,
            side=Side.SHORT,
            market_value=1e6,
            years_to_maturity=months / 12,
            deliverable_position="cash",
            futures_contract=code,
        )
        notes = haircut([cash, fut]).detail.set_index("id")["note"]
        assert notes["fut"].startswith("covers 'cash'") is covered, (code, months, notes["fut"])


def test_original_term_cap_is_checked_when_issue_date_is_known() -> None:
    as_of = date(2023, 4, 1)
    # a 10-year note issued 2015-02-15, due 2025-02-15: 22 months left on 2023-04-01, inside
    # TU's remaining-term window, but its original term (120 months) exceeds TU's 5y3m (63)
    cash = Position(
        id="old10",
        security_class=SecurityClass.GOVERNMENT,
        side=Side.LONG,
        market_value=1e6,
        maturity=date(2025, 2, 15),
        issue_date=date(2015, 2, 15),
    )
    fut = Position(
        id="tu",
        security_class=SecurityClass.GOVERNMENT,
        instrument=Instrument.FUTURE,
        side=Side.SHORT,
        market_value=1e6,
        years_to_maturity=2,
        deliverable_position="old10",
        futures_contract="TU",
    )
    r = compute_haircuts(positions_frame([cash, fut], as_of), as_of)
    assert any("original term 120 months" in w for w in r.warnings)
    # a 2-year note issued 2023-02-28, due 2025-02-28 (24 months original): cover
    two = cash.model_copy(update={"issue_date": date(2023, 2, 28), "maturity": date(2025, 2, 28)})
    r = compute_haircuts(positions_frame([two, fut], as_of), as_of)
    assert r.warnings == ()


def test_unknown_contract_is_an_error_naming_the_row() -> None:
    with pytest.raises(BookError, match="futures_contract") as info:
        analyze(Strategy.model_validate(_with_contract(EXAMPLE, "XX")))
    assert info.value.errors[0].row == 1


def test_contract_code_only_on_futures() -> None:
    spec = _with_contract(EXAMPLE, None)
    spec["legs"][0]["futures_contract"] = "TU"
    with pytest.raises(ValidationError, match="futures_contract is only for futures legs"):
        Strategy.model_validate(spec)
    with pytest.raises(ValidationError, match="only for futures contracts"):
        Position(
            id="x",
            security_class="government",
            side="long",
            market_value=1,
            years_to_maturity=2,
            futures_contract="TU",
        )


@settings(deadline=None, max_examples=25)
@given(months=st.floats(min_value=0, max_value=480, allow_nan=False))
def test_contract_never_covers_more_than_the_bare_link(months: float) -> None:
    # naming a contract can only take cover away: the charge is never below the
    # charge with the same link and no contract
    cash = gov("cash", "long", 1e6, months / 12)
    bare = gov("fut", "short", 1e6, 25, future=True, deliverable="cash")
    named = bare.model_copy(update={"futures_contract": "UB"})
    assert haircut([cash, named]).total >= haircut([cash, bare]).total - 1e-6


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "netcap.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env=full,
    )


def test_cli_unknown_contract_names_the_leg(tmp_path: Path) -> None:
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(_with_contract(EXAMPLE, "XX")))
    out = _cli("strategy", str(spec))
    assert out.returncode == 2
    assert "legs.1.futures_contract" in out.stderr
    assert "Traceback" not in out.stderr


# --- tables: checked at once, and a broken table is a clean exit 2 -------------------------


def _corrupt_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "tables"
    shutil.copytree(table_dir(), folder)
    gov_csv = folder / "government.csv"
    # move the 1-2 year bucket's lower edge from 12 to 13 months: a gap at 12-13 months
    text = gov_csv.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    hit = [i for i, ln in enumerate(lines) if ln.startswith("government,2a,2,12,")]
    assert len(hit) == 1
    lines[hit[0]] = lines[hit[0]].replace("government,2a,2,12,", "government,2a,2,13,", 1)
    gov_csv.write_text("".join(lines), encoding="utf-8")
    return folder


def test_check_tables_clean_on_the_shipped_tables() -> None:
    assert check_tables(ROOT / "haircut_tables") == []


def test_check_tables_finds_a_bucket_gap(tmp_path: Path) -> None:
    folder = _corrupt_copy(tmp_path)
    problems = check_tables(folder)
    assert len(problems) == 1
    assert problems[0].startswith("government.csv")
    assert "gap or overlap" in problems[0]


def test_check_tables_reports_every_broken_file(tmp_path: Path) -> None:
    folder = _corrupt_copy(tmp_path)
    fails = folder / "fails.csv"
    lines = fails.read_text(encoding="utf-8").splitlines(keepends=True)
    # blank the citation of the first data row
    head = lines[0].rstrip("\n").split(",")
    cells = lines[1].split(",")
    cells[head.index("citation")] = ""
    lines[1] = ",".join(cells)
    fails.write_text("".join(lines), encoding="utf-8")
    problems = check_tables(folder)
    assert [p.split(":")[0].split(" ")[0] for p in problems] == ["fails.csv", "government.csv"]


def test_cli_broken_table_exits_2(tmp_path: Path) -> None:
    folder = _corrupt_copy(tmp_path)
    spec = ROOT / "fixtures" / "table9" / "strategy_07.json"
    out = _cli("strategy", str(spec), env={"NETCAP_TABLES": str(folder)})
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "buckets leave a gap or overlap" in out.stderr
    out = _cli("check-tables", "--dir", str(folder))
    assert out.returncode == 2
    assert "government.csv" in out.stderr
    out = _cli("check-tables")
    assert out.returncode == 0
