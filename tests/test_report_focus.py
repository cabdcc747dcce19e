"""The computation workbook: every formula recomputes, independently, to the engine's figure."""

from __future__ import annotations

import math
from pathlib import Path

import formulas
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcap.book.firm import BalanceSheet, Book, FirmProfile
from netcap.book.loading import LoadedBook, load_book, write_template
from netcap.cli import main
from netcap.report import export_computation
from netcap.rule.computation import NetCapitalResult, compute
from tests.conftest import AS_OF, FIXTURES, gov

Values = dict[tuple[str, str], object]


def _recompute(path: Path) -> Values:
    """Every cell's value after recomputing all formulas with the ``formulas`` package."""
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out: Values = {}
    for key, value in solution.items():
        if "!" not in key:
            continue
        sheet, cell = key.rsplit("!", 1)
        if ":" in cell:
            continue
        out[(sheet.split("]", 1)[1].strip("'").upper(), cell)] = value.value[0][0]
    return out


def _value(ws: openpyxl.worksheet.worksheet.Worksheet, values: Values, ref: str) -> object:
    """The recomputed value of a formula cell, or the stored value of a constant."""
    cell = ws[ref]
    if cell.data_type == "f":
        return values[(ws.title.upper(), ref)]
    return cell.value


def _rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    """Line key (column A) -> row on the Computation sheet."""
    return {
        str(ws.cell(r, 1).value): r
        for r in range(3, ws.max_row + 1)
        if ws.cell(r, 1).value is not None
    }


def assert_workbook_ties(path: Path, result: NetCapitalResult, values: Values) -> int:
    """Every line and flag of ``result`` equals its cell; returns the formula cells checked."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Computation"]
    rows = _rows(ws)
    formulas_checked = 0
    for rec in result.lines.to_dict("records"):
        key, amount = str(rec["line"]), float(rec["amount"])
        row = rows[key]
        assert ws.cell(row, 4).value == rec["citation"], key
        got = _value(ws, values, f"C{row}")
        formulas_checked += ws[f"C{row}"].data_type == "f"
        if not math.isfinite(amount):
            assert got == "n/a", key
        elif rec["unit"] == "%":
            assert float(got) * 100 == pytest.approx(amount, abs=1e-6), key  # type: ignore[arg-type]
        else:
            assert float(got) == pytest.approx(amount, abs=0.5), key  # type: ignore[arg-type]
    # subtotals and every haircut line are live formulas
    for key in ("total_capital", "tentative_net_capital", "net_capital", "total_haircuts"):
        assert ws[f"C{rows[key]}"].data_type == "f", key
    for key in rows:
        if key.startswith("haircut:"):
            assert "SUMIF(" in str(ws[f"C{rows[key]}"].value), key
    req = str(ws[f"C{rows['net_capital_requirement']}"].value)
    assert req.startswith("=MAX("), req
    for rec in result.early_warning.to_dict("records"):
        row = rows[str(rec["key"])]
        crossed = _value(ws, values, f"F{row}")
        assert crossed == ("CROSSED" if rec["triggered"] else "no"), rec["key"]
        threshold = float(_value(ws, values, f"E{row}"))  # type: ignore[arg-type]
        scale = 100.0 if rec["unit"] == "%" else 1.0
        assert threshold * scale == pytest.approx(float(rec["threshold"]), abs=0.5), rec["key"]
        formulas_checked += 1
    # the netting worksheets tie to their haircut lines and to the engine's worksheets
    for title, stem in (("Treasury netting", "government"), ("Canadian netting", "canadian")):
        if f"{stem}_categories" not in result.haircuts.worksheets:
            assert title not in wb.sheetnames
            continue
        _assert_netting_ties(wb[title], values, result, stem)
    return formulas_checked


def _assert_netting_ties(
    ws: openpyxl.worksheet.worksheet.Worksheet, values: Values, result: NetCapitalResult, stem: str
) -> None:
    subs = result.haircuts.worksheets[f"{stem}_subcategories"]
    cats = result.haircuts.worksheets[f"{stem}_categories"]
    for i, rec in enumerate(subs.to_dict("records")):
        r = 6 + i
        assert ws[f"B{r}"].value == rec["bucket"]
        assert _value(ws, values, f"E{r}") == pytest.approx(rec["long_value"], abs=0.01)
        assert _value(ws, values, f"F{r}") == pytest.approx(rec["short_value"], abs=0.01)
        assert _value(ws, values, f"H{r}") == pytest.approx(rec["deduction"], abs=0.01)
    top = 6 + len(subs) + 2
    for i, rec in enumerate(cats.to_dict("records")):
        r = top + 1 + i
        assert _value(ws, values, f"G{r}") == pytest.approx(rec["deduction"], abs=0.01)
    total = top + len(cats) + 2
    assert ws[f"A{total}"].value == "Total deduction"
    assert _value(ws, values, f"G{total}") == pytest.approx(cats["deduction"].sum(), abs=0.5)
    assert _value(ws, values, f"G{total + 2}") == pytest.approx(0.0, abs=0.5)


# --- a small book through the template ------------------------------------------------------------

BASE: dict[str, object] = {
    "as_of": "2024-06-28",
    "firm.name": "Small Dealer LLC",
    "firm.firm_type": "dealer",
    "balance_sheet.net_worth": 5_000_000,
}
EMPTY_TAIL = [None] * 18


def _fill(
    template: Path,
    firm: dict[str, object],
    positions: list[list[object]],
    liabilities: list[list[object]],
    name: str = "filled.xlsx",
) -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb["firm"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in firm:
            row[1].value = firm[row[0].value]
            if isinstance(row[1].value, str):
                row[1].data_type = "s"
    for sheet, rows in (("positions", positions), ("liabilities", liabilities)):
        ws = wb[sheet]
        for values in rows:
            ws.append(values)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text as typed, even when it starts with "="
    out = template.with_name(name)
    wb.save(out)
    return out


def _position(
    pid: str, cls: str, side: str, value: float, maturity: str | None, issuer: str = ""
) -> list[object]:
    return [pid, cls, "cash", side, value, maturity, None, issuer or None, None, None, *EMPTY_TAIL]


SMALL_POSITIONS = [
    # 2024-06-28 to 2030-01-15: 66 months, subcategory 3b (5 to 10 years), 4%
    _position("t1", "government", "long", 1_000_000, "2030-01-15"),
    # 2024-06-28 to 2028-07-15: 48 months, subcategory 3a (3 to 5 years), 3%
    _position("t2", "government", "short", 400_000, "2028-07-15"),
    # all other securities, (J): 15% of market value
    _position("e1", "equity", "long", 200_000, None, "Acme"),
]
SMALL_LIABILITIES = [["l1", 300_000, "other", "loan"]]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NetCapitalResult, Values]:
    folder = tmp_path_factory.mktemp("small")
    template = folder / "book.xlsx"
    write_template(template)
    loaded = load_book(_fill(template, BASE, SMALL_POSITIONS, SMALL_LIABILITIES))
    result = compute(loaded.book, positions=loaded.positions)
    path = export_computation(result, folder / "out.xlsx", loaded=loaded)
    return path, result, _recompute(path)


def test_small_book_formulas_recompute_to_the_engine(small) -> None:  # type: ignore[no-untyped-def]
    path, result, values = small
    checked = assert_workbook_ties(path, result, values)
    assert checked >= 15


def test_small_book_figures_worked_by_hand(small) -> None:  # type: ignore[no-untyped-def]
    path, _, values = small
    ws = openpyxl.load_workbook(path)["Computation"]
    rows = _rows(ws)

    def v(key: str) -> float:
        return float(_value(ws, values, f"C{rows[key]}"))  # type: ignore[arg-type]

    # (A) category 3: long 4% x 1,000,000 = 40,000; short 3% x 400,000 = 12,000;
    # (A)(1): net 40,000 - 12,000 = 28,000 plus 50% of the lesser 12,000 = 6,000 -> 34,000
    assert v("haircut:15c3-1(c)(2)(vi)(A)") == pytest.approx(-34_000, abs=0.5)
    # (J): 15% x 200,000 = 30,000
    assert v("haircut:15c3-1(c)(2)(vi)(J)") == pytest.approx(-30_000, abs=0.5)
    assert v("total_haircuts") == pytest.approx(-64_000, abs=0.5)
    # no deductions: TNC = net worth 5,000,000; NC = 5,000,000 - 64,000 = 4,936,000
    assert v("tentative_net_capital") == pytest.approx(5_000_000, abs=0.5)
    assert v("net_capital") == pytest.approx(4_936_000, abs=0.5)
    # AI 300,000; AI / 15 = 20,000 < dealer minimum 100,000 ((a)(2)(iii)) -> requirement 100,000
    assert v("aggregate_indebtedness") == pytest.approx(300_000, abs=0.5)
    assert v("requirement:aggregate_indebtedness_ratio") == pytest.approx(20_000, abs=0.5)
    assert v("net_capital_requirement") == pytest.approx(100_000, abs=0.5)
    # excess 4,936,000 - 100,000 = 4,836,000; AI ratio 300,000 / 4,936,000 = 6.0778%
    assert v("excess_net_capital") == pytest.approx(4_836_000, abs=0.5)
    assert v("ai_ratio_pct") == pytest.approx(300_000 / 4_936_000, rel=1e-12)
    # 120% of 100,000 = 120,000: not crossed
    row = rows["below_120pct_minimum"]
    assert _value(ws, values, f"E{row}") == pytest.approx(120_000, abs=0.5)
    assert _value(ws, values, f"F{row}") == "no"
    # Treasury netting: subcategory 3a short 400,000 -> 12,000; 3b long 1,000,000 -> 40,000
    tn = openpyxl.load_workbook(path)["Treasury netting"]
    r3a = next(r for r in range(6, 20) if tn[f"B{r}"].value == "3a")
    assert _value(tn, values, f"F{r3a}") == pytest.approx(400_000)
    assert _value(tn, values, f"J{r3a}") == pytest.approx(12_000)
    assert _value(tn, values, f"I{r3a + 1}") == pytest.approx(40_000)


def test_below_minimum_flags_cross_in_the_sheet(tmp_path: Path) -> None:
    # net worth 130,000; haircut on t1 alone 4% x 1,000,000 = 40,000 -> NC 90,000,
    # below the 100,000 dealer minimum and below 120% of it (120,000): both flags cross
    template = tmp_path / "book.xlsx"
    write_template(template)
    firm = {**BASE, "balance_sheet.net_worth": 130_000}
    loaded = load_book(_fill(template, firm, SMALL_POSITIONS[:1], []))
    result = compute(loaded.book, positions=loaded.positions)
    path = export_computation(result, tmp_path / "low.xlsx", loaded=loaded)
    values = _recompute(path)
    assert_workbook_ties(path, result, values)
    ws = openpyxl.load_workbook(path)["Computation"]
    rows = _rows(ws)
    assert _value(ws, values, f"C{rows['net_capital']}") == pytest.approx(90_000)
    assert _value(ws, values, f"F{rows['below_minimum']}") == "CROSSED"
    assert _value(ws, values, f"F{rows['below_120pct_minimum']}") == "CROSSED"


def test_alternative_standard_ties(tmp_path: Path) -> None:
    # alternative standard ((a)(1)(ii)): the greatest of 2% x 20,000,000 = 400,000, the
    # 250,000 floor and the 100,000 dealer minimum -> 400,000
    template = tmp_path / "book.xlsx"
    write_template(template)
    firm = {**BASE, "firm.alternative_standard": True, "aggregate_debit_items": 20_000_000}
    loaded = load_book(_fill(template, firm, SMALL_POSITIONS, SMALL_LIABILITIES))
    result = compute(loaded.book, positions=loaded.positions)
    path = export_computation(result, tmp_path / "alt.xlsx", loaded=loaded)
    values = _recompute(path)
    assert_workbook_ties(path, result, values)
    ws = openpyxl.load_workbook(path)["Computation"]
    rows = _rows(ws)
    assert _value(ws, values, f"C{rows['net_capital_requirement']}") == pytest.approx(400_000)


def test_book_without_positions_and_without_loaded(tmp_path: Path) -> None:
    # no positions: no haircut line, no netting sheet; TNC = NC = net worth 5,000,000
    template = tmp_path / "book.xlsx"
    write_template(template)
    loaded = load_book(_fill(template, BASE, [], SMALL_LIABILITIES))
    result = compute(loaded.book, positions=loaded.positions)
    path = export_computation(result, tmp_path / "empty.xlsx")
    values = _recompute(path)
    assert_workbook_ties(path, result, values)
    wb = openpyxl.load_workbook(path)
    assert "Treasury netting" not in wb.sheetnames
    rows = _rows(wb["Computation"])
    assert _value(wb["Computation"], values, f"C{rows['net_capital']}") == 5_000_000


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["long", "short"]),
            st.floats(min_value=1_000.0, max_value=5e7),
            st.floats(min_value=0.0, max_value=30.0),
        ),
        min_size=1,
        max_size=8,
    ),
    st.floats(min_value=1e5, max_value=1e9),
)
def test_any_government_book_ties(
    tmp_path: Path, rows: list[tuple[str, float, float]], net_worth: float
) -> None:
    # whatever the positions and capital, the recomputed sheet equals the engine: subtotals,
    # the (A) line, the netting worksheet (its difference row is zero) and every flag
    book = Book(
        as_of=AS_OF,
        firm=FirmProfile(name="property", firm_type="dealer"),
        balance_sheet=BalanceSheet(net_worth=net_worth),
        positions=tuple(gov(f"p{i}", side, v, y) for i, (side, v, y) in enumerate(rows)),
    )
    result = compute(book)
    path = export_computation(result, tmp_path / "property.xlsx")
    assert_workbook_ties(path, result, _recompute(path))


# --- the sample firm (506 positions, every class) ------------------------------------------------


@pytest.fixture(scope="module")
def sample(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, NetCapitalResult, LoadedBook, Values]:
    loaded = load_book(FIXTURES / "sample_firm" / "book.json")
    result = compute(loaded.book, positions=loaded.positions)
    path = export_computation(result, tmp_path_factory.mktemp("sample") / "s.xlsx", loaded=loaded)
    return path, result, loaded, _recompute(path)


def test_sample_firm_recomputes_to_the_engine(sample) -> None:  # type: ignore[no-untyped-def]
    path, result, _, values = sample
    checked = assert_workbook_ties(path, result, values)
    assert checked >= 30
    ws = openpyxl.load_workbook(path)["Computation"]
    rows = _rows(ws)
    # every haircut and position-deduction line of the engine has its SUMIF line
    prefixes = ("haircut:", "position_deduction:")
    engine = {k for k in result.lines["line"] if str(k).startswith(prefixes)}
    assert engine == {k for k in rows if k.startswith(prefixes)}
    assert len(engine) >= 12
    # crypto and (vii) sit above tentative net capital, the haircuts below it ((c)(15))
    order = list(rows)
    tnc_at = order.index("tentative_net_capital")
    assert all(order.index(k) < tnc_at for k in engine if k.startswith("position_deduction:"))
    assert all(order.index(k) > tnc_at for k in engine if k.startswith("haircut:"))


def test_sample_detail_and_inputs(sample) -> None:  # type: ignore[no-untyped-def]
    path, result, loaded, values = sample
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == [
        "Computation",
        "Haircut detail",
        "Treasury netting",
        "Canadian netting",
    ]
    detail = wb["Haircut detail"]
    header = [c.value for c in detail[1]]
    assert header[:8] == [
        "id",
        "security_class",
        "instrument",
        "side",
        "market_value",
        "issuer",
        "paragraph",
        "group",
    ]
    n = len(result.haircuts.detail)
    assert detail.max_row >= n + 1
    assert detail.freeze_panes == "A2"
    assert detail.auto_filter.ref == f"A1:Q{n + 1}"
    total_row = n + 3
    assert detail[f"A{total_row}"].value == "Total"
    total = _value(detail, values, f"M{total_row + 1}")
    assert total == pytest.approx(result.haircuts.total, abs=0.5)
    assert detail["J2"].number_format.endswith("%")
    assert detail["E2"].number_format.startswith("#,##0")
    positions = wb["Input positions"]
    assert positions.max_row == len(loaded.positions) + 1
    assert positions["A2"].value == loaded.positions["id"].iloc[0]


# --- text is never a formula ---------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://example.com","x")', "+1", "-2", "@SUM(A1:A2)"]


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path: Path) -> None:
    template = tmp_path / "book.xlsx"
    write_template(template)
    positions = [
        _position(text, "equity", "long", 10_000 * (i + 1), None, HOSTILE[-1 - i])
        for i, text in enumerate(HOSTILE)
    ]
    firm = {**BASE, "firm.name": "=1+1"}
    loaded = load_book(_fill(template, firm, positions, [["=cmd", 1_000, "other", "-x"]]))
    result = compute(loaded.book, positions=loaded.positions)
    path = export_computation(result, tmp_path / "hostile.xlsx", loaded=loaded)
    wb = openpyxl.load_workbook(path)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (
                    cell.value in HOSTILE or cell.value in ("=cmd", "-x", "=1+1")
                ):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen += 1
    # ids and issuers on the detail and input sheets, the liability on its sheet
    assert seen >= 2 * len(HOSTILE) + 2
    title = wb["Computation"]["A1"]
    assert title.data_type == "s"
    assert str(title.value).startswith("=1+1")
    # every real formula still recomputes
    assert_workbook_ties(path, result, _recompute(path))


# --- command line --------------------------------------------------------------------------------


def test_cli_compute_writes_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "book.xlsx"
    assert main(["template", str(template)]) == 0
    book = _fill(template, BASE, SMALL_POSITIONS, SMALL_LIABILITIES)
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(book), "--json", "--xlsx", str(out)]) == 0
    assert out.exists()
    assert '"net_capital": 4936000' in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[0] == "Computation"


def test_cli_unwritable_path_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = FIXTURES / "sample_firm" / "book.json"
    bad = tmp_path / "no such folder" / "out.xlsx"
    assert main(["compute", str(book), "--xlsx", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err
    assert "Traceback" not in err
    assert main(["compute", str(book), "--xlsx", str(tmp_path / "out.csv")]) == 2


def test_cli_strategy_and_table10_write_workbooks(tmp_path: Path) -> None:
    one = tmp_path / "s.xlsx"
    assert (
        main(["strategy", str(FIXTURES / "table9" / "strategy_07.json"), "--xlsx", str(one)]) == 0
    )
    assert len(openpyxl.load_workbook(one).sheetnames) == 1
    many = tmp_path / "t.xlsx"
    assert main(["table10", str(FIXTURES / "table9"), "--json", "--xlsx", str(many)]) == 0
    specs = list((FIXTURES / "table9").glob("*.json"))
    # the Table 10 summary first, then one sheet per strategy spec
    names = openpyxl.load_workbook(many).sheetnames
    assert names[0] == "Table 10"
    assert len(names) == len(specs) + 1


# --- the input echo ------------------------------------------------------------------------------


def _blocks(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list[list[object]]]:
    """Input firm sheet blocks: bold title -> rows (header first) up to the next blank row."""
    out: dict[str, list[list[object]]] = {}
    for r in range(2, ws.max_row + 1):
        title = ws.cell(row=r, column=1)
        if title.font.bold and isinstance(title.value, str):
            rows = []
            k = r + 1
            while k <= ws.max_row and ws.cell(row=k, column=1).value is not None:
                rows.append([c.value for c in ws[k]])
                k += 1
            out[title.value] = rows
    return out


def test_sample_input_echo_shows_every_list(sample) -> None:  # type: ignore[no-untyped-def]
    path, _, _, _ = sample
    ws = openpyxl.load_workbook(path)["Input firm"]
    blocks = _blocks(ws)
    # fixtures/sample_firm/book.json lists 180 market-making securities, 4 fails and 3
    # securities differences; each block is a header row plus one row per item
    securities = blocks["Input market_making_securities (market_making.securities)"]
    assert securities[0][:3] == ["security_id", "market_value", "average_markets"]
    assert len(securities) == 1 + 180
    assert securities[1][:3] == ["MM0001", 8.79, 0.8981]  # the first item as typed in the JSON
    assert len(blocks["Input fails (fails)"]) == 1 + 4
    assert len(blocks["Input securities_differences (securities_differences)"]) == 1 + 3
    # net worth 62,500,000 is shown without a trailing decimal point
    firm = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(2, 40)}
    assert firm["balance_sheet.net_worth"].value == 62_500_000
    assert "." not in firm["balance_sheet.net_worth"].number_format
    # the computed non-allowable block shows its rate as a percentage
    nonallowable = "Non-allowable assets (15c3-1(c)(2)(iv))"
    start = next(r for r in range(2, ws.max_row) if ws.cell(row=r, column=1).value == nonallowable)
    header = [c.value for c in ws[start + 1]]
    assert ws.cell(row=start + 2, column=header.index("rate") + 1).number_format.endswith("%")


def test_nested_and_other_lists_are_echoed(tmp_path: Path) -> None:
    book = Book.model_validate(
        {
            "as_of": "2024-06-28",
            "balance_sheet": {
                "net_worth": 5_000_000,
                "undermargined_accounts": [{"id": "u1", "cash_required": 12_000}],
            },
            "reverse_repos": [
                {"id": "r1", "counterparty": "bank", "collateral": "treasury"}
                | {"market_value": 1_000_000, "contract_price": 1_020_000}
            ],
            "market_maker_accounts": [
                {
                    "id": "mm1",
                    "role": "own",
                    "transacts_only_with_brokers_dealers": True,
                    "carries_customer_accounts": False,
                    "transacts_unlisted_options": False,
                    "cleared_by_another_broker_dealer": True,
                    "positions": [
                        {"id": "m1", "security_class": "equity", "side": "long"}
                        | {"market_value": 40_000},
                        {"id": "m2", "security_class": "equity", "side": "short"}
                        | {"market_value": 15_000},
                    ],
                }
            ],
        }
    )
    loaded = LoadedBook(book=book, positions=compute(book).positions, source="test")
    path = export_computation(compute(book), tmp_path / "echo.xlsx", loaded=loaded)
    blocks = _blocks(openpyxl.load_workbook(path)["Input firm"])
    accounts = blocks["Input market_maker_accounts (market_maker_accounts)"]
    assert [r[0] for r in accounts] == ["id", "mm1"]
    nested = blocks["Input market_maker_accounts: positions (market_maker_accounts.positions)"]
    header = nested[0]
    # two positions of account mm1, each naming its account
    assert [(r[0], r[header.index("id")]) for r in nested[1:]] == [("mm1", "m1"), ("mm1", "m2")]
    assert [r[header.index("market_value")] for r in nested[1:]] == [40_000, 15_000]
    undermargined = blocks["Input undermargined_accounts (balance_sheet.undermargined_accounts)"]
    assert undermargined[1][:2] == ["u1", 12_000]
    repos = blocks["Input reverse_repos (reverse_repos)"]
    assert [r[:3] for r in repos] == [
        ["id", "counterparty", "collateral"],
        ["r1", "bank", "treasury"],
    ]
