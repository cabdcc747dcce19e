"""netcap diff: the change in net capital between two books, attributed so that it adds up."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcap import diff_books as diff
from netcap.cli import main
from netcap.money import round_dollars
from netcap.report.diff import DiffInputError, round_to_total
from tests.conftest import FIXTURES
from tests.test_focus_boxes import HAND_A

SAMPLE = FIXTURES / "sample_firm" / "book.json"
SAMPLE_NEXT = FIXTURES / "sample_firm" / "book_next.json"

# The hand book a month on (2024-07-31):
#   equity 10,300,000 (+300,000 profit); the bank loan paid down to 2,500,000;
#   E2 sold; E3 bought (100,000, a third issuer); E1 now 5,000 shares (was 4,000) at 110
#   (was 100): 550,000; G1 unchanged at 1,000,000, now 2 complete months from 2024-10-15:
#   under 3 months, 0% under (A).
HAND_B: dict[str, Any] = copy.deepcopy(HAND_A)
HAND_B["as_of"] = "2024-07-31"
HAND_B["balance_sheet"]["net_worth"] = 10_300_000
HAND_B["liabilities"][0]["amount"] = 2_500_000
HAND_B["positions"] = [
    {
        "id": "E1",
        "security_class": "equity",
        "side": "long",
        "market_value": 550_000,
        "quantity": 5000,
        "issuer": "Alpha",
    },
    HAND_A["positions"][2],
    {
        "id": "E3",
        "security_class": "equity",
        "side": "long",
        "market_value": 100_000,
        "issuer": "Gamma",
    },
]


def _books(tmp_path: Path, a: dict[str, Any], b: dict[str, Any]) -> tuple[Path, Path]:
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(a), encoding="utf-8")
    pb.write_text(json.dumps(b), encoding="utf-8")
    return pa, pb


def test_hand_books_worked_step_by_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pa, pb = _books(tmp_path, HAND_A, HAND_B)
    assert main(["diff", str(pa), str(pb), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # Net capital before: 10,305,000 (tests/test_focus_boxes.py).  After:
    #   10,300,000 + 500,000 - 100,000 = 10,700,000 before haircuts;
    #   (J) 15% of longs 650,000 = 97,500; (A) 0 -> net capital 10,602,500.
    assert data["net_capital"] == {"before": 10_305_000, "after": 10_602_500, "change": 297_500}
    # Requirement: AI / 15: 3,000,000 / 15 = 200,000 -> 2,500,000 / 15 = 166,667
    assert data["requirement"] == {"before": 200_000, "after": 166_667, "change": -33_333}
    # Excess: 10,105,000 -> 10,602,500 - 166,666.67 = 10,435,833
    assert data["excess"] == {"before": 10_105_000, "after": 10_435_833, "change": 330_833}
    # Line by line: equity +300,000; (J) 90,000 -> 97,500: -7,500; (A) 5,000 -> 0: +5,000.
    changed = {
        (a.get("line") or a.get("paragraph")): a["change"]
        for a in data["attribution"]
        if a["change"]
    }
    assert changed == {
        "total_ownership_equity": 300_000,
        "15c3-1(c)(2)(vi)(J)": -7_500,
        "15c3-1(c)(2)(vi)(A)(1)": 5_000,
    }
    assert sum(a["change"] for a in data["attribution"]) == 297_500
    # Sequential substitution of the haircuts ((J) 15% of the longs, (A) 1/2% of G1):
    #   start: (J) 600,000 -> 90,000, (A) 5,000: 95,000
    #   removed E2: (J) 400,000 -> 60,000: 65,000, +30,000 to net capital
    #   added E3: (J) 500,000 -> 75,000: 80,000, -15,000
    #   size: E1 5,000 shares at 100: 500,000; (J) 600,000 -> 90,000: 95,000, -15,000
    #   price: E1 at 110: 550,000; (J) 650,000 -> 97,500: 102,500, -7,500
    #   time: G1 under 3 months, 0%: 97,500, +5,000;  capital: (M) not reached, 0
    steps = {s["step"]: s["change"] for s in data["haircut_steps"]}
    assert steps == {
        "removed": 30_000,
        "added": -15_000,
        "size": -15_000,
        "price": -7_500,
        "time": 5_000,
        "capital": 0,
    }
    assert data["haircut_change"] == -2_500
    # Position by position: each one's own 15% (or 1/2%) charge; nothing left over.
    pos = {p["id"]: p for p in data["positions"]}
    assert pos["E2"]["change"] == 30_000
    assert pos["E2"]["status"] == "removed"
    assert pos["E3"]["change"] == -15_000
    assert pos["E3"]["status"] == "added"
    assert pos["E1"]["by_step"]["size"] == -15_000
    assert pos["E1"]["by_step"]["price"] == -7_500
    assert pos["G1"]["by_step"]["time"] == 5_000
    assert pos["G1"]["bucket_before"] != pos["G1"]["bucket_after"]
    assert pos["(residual)"]["change"] == 0
    assert sum(p["change"] for p in data["positions"]) == -2_500
    # FOCUS boxes at both dates: 3480 +300,000; 3734 (J) -7,500; 3735 (A) +5,000;
    # 3750 +297,500; 3760 200,000 -> 166,667; 3790 3,000,000 -> 2,500,000
    boxes = {b["box"]: b["change"] for b in data["focus_boxes"]}
    assert boxes["3480"] == 300_000
    assert boxes["3734"] == -7_500
    assert boxes["3735"] == 5_000
    assert boxes["3750"] == 297_500
    assert boxes["3760"] == -33_333
    assert boxes["3790"] == -500_000


def test_python_api_returns_frames(tmp_path: Path) -> None:
    pa, pb = _books(tmp_path, HAND_A, HAND_B)
    d = diff(pa, pb)
    assert d.summary.loc["net_capital", "change"] == pytest.approx(297_500)
    assert d.attribution["change"].sum() == pytest.approx(297_500)
    assert d.steps["change"].sum() == pytest.approx(-2_500)
    assert d.positions["change"].sum() == pytest.approx(-2_500)
    assert list(d.steps["step"]) == ["removed", "added", "size", "price", "time", "capital"]


def test_sample_firm_month_adds_up_to_the_dollar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SAMPLE), str(SAMPLE_NEXT), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    change = data["net_capital"]["change"]
    assert data["net_capital"]["after"] - data["net_capital"]["before"] == change
    assert sum(a["change"] for a in data["attribution"]) == change
    assert sum(s["change"] for s in data["haircut_steps"]) == data["haircut_change"]
    assert sum(p["change"] for p in data["positions"]) == data["haircut_change"]
    haircut_rows = [a for a in data["attribution"] if "paragraph" in a]
    assert sum(a["change"] for a in haircut_rows) == pytest.approx(data["haircut_change"], abs=2)
    statuses = {p["status"] for p in data["positions"]}
    assert {"added", "removed", "both"} <= statuses


def test_books_of_two_firms_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = copy.deepcopy(HAND_B)
    other["firm"]["name"] = "Another Dealer Inc"
    pa, pb = _books(tmp_path, HAND_A, other)
    assert main(["diff", str(pa), str(pb)]) == 2
    assert "Another Dealer Inc" in capsys.readouterr().err
    with pytest.raises(DiffInputError):
        diff(pa, pb)


def test_the_same_date_twice_is_warned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pa, pb = _books(tmp_path, HAND_A, HAND_A)
    assert main(["diff", str(pa), str(pb), "--json"]) == 0
    captured = capsys.readouterr()
    assert "both books are dated 2024-06-28" in captured.err
    data = json.loads(captured.out)
    assert data["net_capital"]["change"] == 0
    assert all(a["change"] == 0 for a in data["attribution"])


def test_workbook_totals_are_formulas_with_values(tmp_path: Path) -> None:
    pa, pb = _books(tmp_path, HAND_A, HAND_B)
    out = tmp_path / "diff.xlsx"
    assert main(["diff", str(pa), str(pb), "--xlsx", str(out)]) == 0
    f = openpyxl.load_workbook(out)["Summary"]
    v = openpyxl.load_workbook(out, data_only=True)["Summary"]
    assert f["D4"].value == "=C4-B4"
    assert v["D4"].value == pytest.approx(297_500)
    assert str(f["D8"].value).startswith("=SUM(Attribution!")
    assert v["D8"].value == pytest.approx(297_500)
    assert v["D9"].value == pytest.approx(0)


def test_the_second_date_fixture_is_what_its_builder_writes() -> None:
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location(
        "make_next", FIXTURES / "sample_firm" / "make_next.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    book = json.loads(SAMPLE.read_text(encoding="utf-8"))
    built = module.next_book(book, np.random.default_rng(module.SEED))
    assert json.dumps(built, indent=1) + "\n" == SAMPLE_NEXT.read_text(encoding="utf-8")


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=30))
def test_rounding_keeps_the_total(values: list[float]) -> None:
    total = sum(values)
    rounded = round_to_total(values, total)
    assert sum(rounded) == round_dollars(total)  # the dollar rounding of docs/numeric-policy.md
    assert all(
        abs(r - v) < 1 + 1e-6 * abs(v) + len(values) for r, v in zip(rounded, values, strict=True)
    )


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    price=st.floats(0.5, 2.0),
    drop=st.sampled_from(["E1", "E2", "G1", None]),
    equity=st.floats(-500_000, 500_000),
)
def test_attribution_always_adds_up(
    tmp_path: Path, price: float, drop: str | None, equity: float
) -> None:
    b = copy.deepcopy(HAND_A)
    b["as_of"] = "2024-07-31"
    b["balance_sheet"]["net_worth"] = 10_000_000 + round(equity, 2)
    b["positions"] = [
        {**p, "market_value": round(p["market_value"] * price, 2)}
        for p in b["positions"]
        if p["id"] != drop
    ]
    pa, pb = _books(tmp_path, HAND_A, b)
    data = diff(pa, pb).to_dict()
    assert sum(a["change"] for a in data["attribution"]) == data["net_capital"]["change"]
    assert sum(s["change"] for s in data["haircut_steps"]) == data["haircut_change"]
    assert sum(p["change"] for p in data["positions"]) == data["haircut_change"]


def test_workbook_to_a_missing_folder_is_a_plain_oserror(tmp_path: Path) -> None:
    # the FOCUS and diff workbooks open through the same guard as every other workbook: an
    # unwritable path is an OSError (which the command line reports), not XlsxWriter's own error
    from netcap.report.diff_xlsx import write_diff_workbook  # noqa: PLC0415

    pa, pb = _books(tmp_path, HAND_A, HAND_B)
    with pytest.raises(OSError):  # noqa: PT011 - any OSError is the contract
        write_diff_workbook(diff(pa, pb), tmp_path / "missing" / "diff.xlsx")
