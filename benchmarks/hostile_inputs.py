"""A battery of hostile inputs against every command and loader, with the outcome of each.

Run: ``python -m benchmarks.hostile_inputs`` (about a minute).  Every case says what a
correct netcap does with it: refuse it (exit 2, the message naming the file or flag) or
accept it with a figure worked out by hand.  Each outcome is counted as

* clear error      refused with exit 2, naming the file, field or flag;
* accepted         exit 0 with the expected figure;
* traceback        a Python traceback or an internal error (exit 70);
* silent drop      accepted (exit 0) where it should have been refused;
* wrong result     exit 0 with another figure than the hand-worked one;
* false refusal    refused where it should have been accepted;
* unclear error    exit 2 without naming the file, field or flag;
* hang             still running after `CASE_SECONDS`.
"""

from __future__ import annotations

import io
import json
import shutil
import signal
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import IllegalCharacterError

from netcap.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "fixtures" / "table9" / "strategy_07.json"
NET_WORTH = 5_000_000
EQUITY = {"id": "e1", "security_class": "equity", "side": "long", "market_value": 100_000}


@dataclass
class Case:
    name: str
    argv: list[str]
    named: str  # what the error message must name (file, field or flag)
    check: Callable[[str], bool] | None = None  # None: must be refused


CASE_SECONDS = 20
"""A case still running after this long counts as a hang."""


class _HangError(BaseException):
    """Raised by the alarm: not an Exception, so netcap's own handler lets it through."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise _HangError


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = int(exc.code or 0)
    except _HangError:
        return -1, "", "hang"
    except BaseException as exc:  # counted as a traceback
        return 70, "", f"Traceback: {type(exc).__name__}: {exc}"
    finally:
        signal.alarm(0)
    return code, out.getvalue(), err.getvalue()


def classify(case: Case) -> str:
    code, out, err = run(case.argv)
    if code == -1:
        return "hang"
    if code == 70 or "Traceback" in err:
        return "traceback"
    if case.check is None:
        if code == 0:
            return "silent drop"
        return "clear error" if code == 2 and case.named in err else "unclear error"
    if code != 0:
        return "false refusal"
    return "accepted" if case.check(out) else "wrong result"


def net_capital_is(expected: float) -> Callable[[str], bool]:
    def check(out: str) -> bool:
        return abs(json.loads(out)["net_capital"] - expected) < 0.5

    return check


# -- book builders in three formats ---------------------------------------------------------


def book_tree(positions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "as_of": "2024-06-28",
        "balance_sheet": {"net_worth": NET_WORTH},
        "positions": positions,
        **extra,
    }


def write_json(d: Path, name: str, tree: Any) -> Path:
    path = d / name
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    return path


FIRM_ROWS: list[list[Any]] = [
    ["field", "value"],
    ["as_of", "2024-06-28"],
    ["balance_sheet.net_worth", NET_WORTH],
]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def write_csv_folder(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    path.mkdir()
    for name, rows in sheets.items():
        text = "\n".join(",".join(_csv(c) for c in r) for r in rows) + "\n"
        (path / (name if "." in name else f"{name}.csv")).write_text(text, encoding="utf-8")
    return path


def _csv(value: Any) -> str:
    text = "" if value is None else str(value)
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def position_formats(d: Path, tag: str, position: dict[str, Any]) -> list[tuple[str, Path]]:
    """The same one-position book as JSON, a CSV folder and a workbook."""
    header = list(position)
    rows = [header, [position[k] for k in header]]
    sheets = {"firm": FIRM_ROWS, "positions": rows}
    out = [
        ("json", write_json(d, f"{tag}.json", book_tree([position]))),
        ("csv", write_csv_folder(d / f"{tag}-csv", sheets)),
    ]
    with suppress(IllegalCharacterError):  # openpyxl refuses to write control characters
        out.append(("xlsx", write_xlsx(d / f"{tag}.xlsx", sheets)))
    return out


def set_dimension(path: Path, index: int, ref: str) -> None:
    part = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    import re  # noqa: PLC0415

    parts[part] = re.sub(
        rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), parts[part]
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


# -- the cases ---------------------------------------------------------------------------------


def book_cases(d: Path) -> list[Case]:
    cases: list[Case] = []
    bad_fields: list[tuple[str, dict[str, Any]]] = [
        ("market_value", {"market_value": v})
        for v in ["abc", True, False, -1, "inf", "nan", 1e14, "1e400", "", "$100"]
    ]
    bad_fields += [
        ("maturity", {"security_class": "government", "maturity": v})
        for v in [
            "9999-12-31",
            "0001-01-01",
            "2262-04-12",
            "2024-06",
            "06/28/2030",
            "2030-02-30",
            "2030-01-01T10:00",
            "20300101",
            "2020-01-01",
        ]
    ]
    bad_fields += [
        ("years_to_maturity", {"years_to_maturity": 3}),
        ("maturity", {"maturity": "2030-01-01"}),
        (
            "in_default",
            {"security_class": "government", "years_to_maturity": 2, "in_default": True},
        ),
        ("fund_assets", {"fund_assets": "debt"}),
        ("security_class", {"security_class": "stonks"}),
        ("side", {"side": "sideways"}),
        ("id", {"id": "a\x01b"}),
        ("id", {"id": "x" * 40_000}),
        ("ready_market", {"ready_market": "maybe"}),
        ("quantity", {"quantity": True}),
        ("market_makers", {"market_makers": 2.5}),
        ("trade_date", {"trade_date": "9999-12-31"}),
        ("settlement_date", {"settlement_date": "2024-13-01"}),
        ("underwritten_on", {"underwritten_on": "1800-01-01"}),
    ]
    for k, (field, change) in enumerate(bad_fields):
        for fmt, path in position_formats(d, f"bad{k}", {**EQUITY, **change}):
            name = f"{fmt} {field}={str(next(iter(change.values())))[:20]!r}"
            value = str(next(iter(change.values())))
            named = "control character" if "\x01" in value else field
            cases.append(Case(name, ["compute", str(path)], named))
    for k, extra in enumerate([{}, {"quantity": 1000, "price": 100}]):
        for fmt, path in position_formats(d, f"good{k}", {**EQUITY, **extra}):
            # (J) 15% x 100,000 = 15,000 off 5,000,000
            cases.append(
                Case(
                    f"{fmt} clean book {k}",
                    ["compute", str(path), "--json"],
                    "",
                    net_capital_is(4_985_000),
                )
            )
    # price next to a market value, tabular formats
    for fmt, path in position_formats(d, "price", {**EQUITY, "quantity": 1000, "price": "abc"})[1:]:
        cases.append(Case(f"{fmt} unreadable price", ["compute", str(path)], "price"))
    # firm-level fields in JSON
    firm_bad: list[tuple[str, dict[str, Any]]] = [
        ("net_worth", {"balance_sheet": {"net_worth": True}}),
        ("commenced_business", {"firm": {"commenced_business": "2024-07-01"}}),
        ("as_of", {"as_of": "9999-12-31"}),
        ("amount", {"liabilities": [{"id": "l", "kind": "other", "amount": False}]}),
        (
            "aged_from",
            {"receivables": [{"id": "r", "kind": "other", "amount": 1, "aged_from": "0001-01-01"}]},
        ),
        ("name", {"firm": {"name": "a\x00b"}}),
    ]
    for k, (field, change) in enumerate(firm_bad):
        path = write_json(d, f"firm{k}.json", {**book_tree([EQUITY]), **change})
        cases.append(Case(f"json firm {field}", ["compute", str(path)], field))
    # the same id on the positions sheet and in a market-maker account
    account = [{**EQUITY}]
    mm_header = [
        "id",
        "transacts_only_with_brokers_dealers",
        "carries_customer_accounts",
        "transacts_unlisted_options",
        "cleared_by_another_broker_dealer",
        "positions",
    ]
    mm = [mm_header, ["a1", False, False, False, False, json.dumps(account)]]
    pos = [list(EQUITY), list(EQUITY.values())]
    for fmt, writer in (("csv", write_csv_folder), ("xlsx", write_xlsx)):
        target = d / ("mm-csv" if fmt == "csv" else "mm.xlsx")
        path = writer(target, {"firm": FIRM_ROWS, "positions": pos, "market_maker_accounts": mm})
        cases.append(Case(f"{fmt} id twice across sheets", ["compute", str(path)], "e1"))
        dup = [mm_header, ["a1", False, False, False, False, '[{"id": "m", "id": "n"}]']]
        target = d / ("dupkey-csv" if fmt == "csv" else "dupkey.xlsx")
        path = writer(target, {"firm": FIRM_ROWS, "positions": pos, "market_maker_accounts": dup})
        cases.append(
            Case(f"{fmt} JSON cell with a repeated key", ["compute", str(path)], "more than once")
        )
    return cases


def workbook_cases(d: Path) -> list[Case]:
    cases: list[Case] = []
    two = [list(EQUITY), list(EQUITY.values()), ["e2", "equity", "long", 100_000]]
    path = write_xlsx(d / "dim-row.xlsx", {"firm": FIRM_ROWS, "positions": two})
    set_dimension(path, 2, "A1:D2")
    cases.append(
        Case(
            "xlsx row outside <dimension>",
            ["compute", str(path), "--json"],
            "",
            net_capital_is(4_970_000),
        )
    )
    col = [[*EQUITY, "ready_market"], [*EQUITY.values(), False]]
    path = write_xlsx(d / "dim-col.xlsx", {"firm": FIRM_ROWS, "positions": col})
    set_dimension(path, 2, "A1:D2")
    # no ready market: (c)(2)(vii) 100% of 100,000
    cases.append(
        Case(
            "xlsx column outside <dimension>",
            ["compute", str(path), "--json"],
            "",
            net_capital_is(4_900_000),
        )
    )
    liab = [["id", "kind", "amount"], ["l1", "other", 5_000_000]]
    path = write_xlsx(
        d / "dim-liab.xlsx", {"firm": FIRM_ROWS, "positions": two[:2], "liabilities": liab}
    )
    set_dimension(path, 3, "A1:C1")
    cases.append(
        Case(
            "xlsx liability outside <dimension>",
            ["compute", str(path), "--json"],
            "",
            lambda out: json.loads(out)["aggregate_indebtedness"] == 5_000_000,
        )
    )
    path = write_xlsx(d / "huge-dim.xlsx", {"firm": FIRM_ROWS, "positions": two[:2]})
    set_dimension(path, 2, "A1:XFD1048576")
    cases.append(
        Case(
            "xlsx declared XFD1048576",
            ["compute", str(path), "--json"],
            "",
            net_capital_is(4_985_000),
        )
    )
    wb = openpyxl.load_workbook(
        write_xlsx(d / "far.xlsx", {"firm": FIRM_ROWS, "positions": two[:2]})
    )
    wb["positions"]["XFD1048576"] = "x"
    wb.save(d / "far.xlsx")
    cases.append(
        Case("xlsx stray cell at XFD1048576", ["compute", str(d / "far.xlsx")], "far.xlsx")
    )
    wb = openpyxl.load_workbook(
        write_xlsx(d / "hidden.xlsx", {"firm": FIRM_ROWS, "positions": two})
    )
    wb["positions"].sheet_state = "hidden"
    wb.save(d / "hidden.xlsx")
    cases.append(
        Case(
            "xlsx hidden positions sheet",
            ["compute", str(d / "hidden.xlsx"), "--json"],
            "",
            net_capital_is(4_970_000),
        )
    )
    dup = [*two, list(two[1])]
    cases.append(
        Case(
            "xlsx duplicate row",
            ["compute", str(write_xlsx(d / "duprow.xlsx", {"firm": FIRM_ROWS, "positions": dup}))],
            "duplicate id",
        )
    )
    formula = [list(EQUITY), ["e1", "equity", "long", "=1+1"]]
    cases.append(
        Case(
            "xlsx formula without a value",
            [
                "compute",
                str(write_xlsx(d / "formula.xlsx", {"firm": FIRM_ROWS, "positions": formula})),
            ],
            "formula",
        )
    )
    folder = write_csv_folder(
        d / "upper", {"firm": FIRM_ROWS, "positions": two[:2], "liabilities.CSV": liab}
    )
    cases.append(
        Case(
            "csv liabilities.CSV",
            ["compute", str(folder), "--json"],
            "",
            lambda out: json.loads(out)["aggregate_indebtedness"] == 5_000_000,
        )
    )
    folder = write_csv_folder(
        d / "stray", {"firm": FIRM_ROWS, "positions": two[:2], "notes.txt": [["x"]]}
    )
    cases.append(Case("csv folder with notes.txt", ["compute", str(folder)], "notes.txt"))
    return cases


HOSTILE = ["0", "-1", "nan", "inf", "-inf", "1e-300", "1e20", "1e309", "abc", "", "0x10", "true"]


def flag_cases(d: Path) -> list[Case]:
    cases: list[Case] = []
    for value in HOSTILE:
        cases.append(Case(f"strategy --P {value!r}", ["strategy", str(SPEC), "--P", value], "--P"))
        cases.append(
            Case(f"table10 --P {value!r}", ["table10", str(SPEC.parent), "--P", value], "--P")
        )
        cases.append(
            Case(
                f"sweep --from {value!r}",
                ["sweep", str(SPEC), "--from", value, "--n", "3"],
                "--from",
            )
        )
        cases.append(
            Case(f"sweep --to {value!r}", ["sweep", str(SPEC), "--to", value, "--n", "3"], "--to")
        )
        cases.append(Case(f"sweep --n {value!r}", ["sweep", str(SPEC), "--n", value], "--n"))
        cases.append(
            Case(f"combine --sizes {value!r}", ["combine", str(SPEC), "--sizes", value], "--sizes")
        )
    cases.append(Case("sweep --n 100000000", ["sweep", str(SPEC), "--n", "100000000"], "--n"))
    cases.append(
        Case(
            "combine --sizes abc,1",
            ["combine", str(SPEC), str(SPEC), "--sizes", "abc,1"],
            "--sizes",
        )
    )
    for value in ["-5", "100000000", "abc"]:
        cases.append(
            Case(
                f"settle --agreed-cycle {value}",
                ["settle", "2024-06-28", "--agreed-cycle", value],
                "agreed",
            )
        )
    cases.append(Case("settle 2080-12-31", ["settle", "2080-12-31"], "trade_date"))
    for day in ["9999-12-31", "1677-09-21", "2024-02-30", "06/28/2024"]:
        cases.append(Case(f"settle {day}", ["settle", day], "trade_date"))
        cases.append(
            Case(
                f"dealer-screen --as-of {day}",
                ["dealer-screen", str(d / "facts.json"), "--as-of", day],
                "--as-of",
            )
        )
    (d / "facts.json").write_text("{}", encoding="utf-8")
    return cases


def output_cases(d: Path) -> list[Case]:
    cases: list[Case] = []
    book = write_xlsx(
        d / "out-book.xlsx", {"firm": FIRM_ROWS, "positions": [list(EQUITY), list(EQUITY.values())]}
    )
    spec = d / "spec.json"
    shutil.copy(SPEC, spec)
    link = d / "spec-link.json"
    link.symlink_to(spec)
    cases.append(Case("compute --xlsx BOOK", ["compute", str(book), "--xlsx", str(book)], "input"))
    cases.append(
        Case(
            "compute --xlsx BOOK --force",
            ["compute", str(book), "--xlsx", str(book), "--force"],
            "input",
        )
    )
    cases.append(Case("sweep --csv SPEC", ["sweep", str(spec), "--csv", str(spec)], "input"))
    cases.append(
        Case(
            "sweep --csv via ./",
            ["sweep", str(spec), "--csv", f"{d}/./spec.json", "--force"],
            "input",
        )
    )
    cases.append(
        Case(
            "sweep --csv via symlink", ["sweep", str(spec), "--csv", str(link), "--force"], "input"
        )
    )
    cases.append(
        Case("strategy --plot SPEC", ["strategy", str(spec), "--plot", str(spec)], "input")
    )
    existing = d / "existing.csv"
    existing.write_text("keep", encoding="utf-8")
    cases.append(
        Case(
            "sweep --csv existing",
            ["sweep", str(spec), "--n", "3", "--csv", str(existing)],
            "--force",
        )
    )
    filled = write_csv_folder(d / "filled", {"firm": FIRM_ROWS})
    cases.append(Case("template on a filled folder", ["template", str(filled)], "already exists"))
    cases.append(
        Case("template in a missing folder", ["template", str(d / "no" / "b.xlsx")], "cannot write")
    )
    cases.append(Case("template under a file", ["template", str(spec / "x")], "cannot write"))
    cases.append(
        Case("--plot unknown format", ["strategy", str(SPEC), "--plot", str(d / "p.zzz")], "p.zzz")
    )
    cases.append(Case("--xlsx a folder", ["compute", str(book), "--xlsx", str(d)], "--xlsx"))
    cases.append(
        Case(
            "sweep --csv new file",
            ["sweep", str(spec), "--n", "3", "--csv", str(d / "new.csv")],
            "",
            lambda out: True,
        )
    )
    return cases


def lockup_cases(d: Path) -> list[Case]:
    texts = {
        "us-date": "date,a\n06/28/2024,100\n",
        "partial": "date,a\n2024-06,100\n",
        "datetime": "date,a\n2024-06-28 10:00,100\n",
        "mixed": "date,a\n2024-06-28,100\n07/01/2024,100\n",
        "long-row": "date,a\n2024-06-28,100,5\n",
        "repeated-col": "date,a,a\n2024-06-28,1,2\n",
        "TRUE": "date,a\n2024-06-28,TRUE\n",
        "huge": "date,a\n2024-06-28,1e308\n2024-06-29,1e308\n",
        "blank": "date,a\n2024-06-28,\n",
        "negative": "date,a\n2024-06-28,-5\n",
        "decreasing": "date,a\n2024-06-29,1\n2024-06-28,1\n",
        "far": "date,a\n9999-12-31,1\n",
        "ctl": "date,a\n2024-06-28,1\x01\n",
    }
    cases = []
    for name, text in texts.items():
        path = d / f"lock-{name}.csv"
        path.write_text(text, encoding="utf-8")
        cases.append(Case(f"lockup {name}", ["lockup", str(path)], path.name))
    good = d / "lock-good.csv"
    good.write_text("date,a,b\n2024-06-28,100,0\n2024-07-01,50,50\n", encoding="utf-8")

    def peaks(out: str) -> bool:
        s = json.loads(out[out.index("{") :])
        return s["peak_separate"] == 150 and s["peak_consolidated"] == 100

    cases.append(Case("lockup clean", ["lockup", str(good)], "", peaks))
    return cases


def combine_and_pretrade_cases(d: Path) -> list[Case]:
    note = {
        "id": "t",
        "security_class": "government",
        "side": "long",
        "market_value": 10_000_000,
        "maturity": "2025-03-01",
    }
    book = write_json(d, "cb.json", book_tree([note]))
    cases = [
        Case("combine --book, dates differ", ["combine", str(SPEC), "--book", str(book)], "as_of"),
        Case(
            "combine --book --as-of",
            ["combine", str(SPEC), "--book", str(book), "--as-of", "2024-06-28", "--json"],
            "",
            lambda out: "rows" in json.loads(out),
        ),
    ]
    stock = {
        "id": "s",
        "security_class": "equity",
        "side": "long",
        "quantity": 100,
        "price": 50.0,
        "security_id": "XYZ",
    }
    call = {
        "id": "c",
        "security_class": "equity",
        "instrument": "option",
        "side": "short",
        "market_value": 700.0,
        "option_type": "call",
        "strike": 45.0,
        "underlying_price": 50.0,
        "units": 100.0,
        "listed": True,
        "expiry": "2024-09-20",
        "underlying": "XYZ",
        "security_id": "XYZ-C45",
        "offsets": "s",
    }
    pbook = write_json(
        d,
        "pt.json",
        {**book_tree([stock]), "firm": {"firm_type": "dealer", "months_in_business": 120}},
    )
    trades = write_json(d, "trades.json", call)

    def covered(out: str) -> bool:
        # 15c3-1a(b)(2)(iii)(D)(3): 15% x 5,000 - 500 in the money = 250; time value
        # 700 - 500 = 200 added back; the stock leaves (J): haircuts 50
        return abs(json.loads(out)["trades"][0]["after"]["haircuts"] - 50) < 0.5

    cases.append(
        Case("pretrade covered call", ["pretrade", str(pbook), str(trades), "--json"], "", covered)
    )
    bool_trade = write_json(d, "bt.json", {**EQUITY, "id": "n", "market_value": True})
    cases.append(
        Case(
            "pretrade true market value", ["pretrade", str(pbook), str(bool_trade)], "market_value"
        )
    )
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    for field, value in [
        ("P", True),
        ("fixed_minimum", False),
        ("as_of", "9999-12-31"),
        ("name", "a\x02"),
    ]:
        path = write_json(d, f"spec-{field}.json", {**spec, field: value})
        named = "control character" if field == "name" else field
        cases.append(Case(f"strategy spec {field}={value!r}", ["strategy", str(path)], named))
    return cases


def main_battery() -> Counter[str]:
    counts: Counter[str] = Counter()
    odd: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        groups = [
            book_cases,
            workbook_cases,
            flag_cases,
            output_cases,
            lockup_cases,
            combine_and_pretrade_cases,
        ]
        for group in groups:
            sub = d / group.__name__
            sub.mkdir()
            for case in group(sub):
                outcome = classify(case)
                counts[outcome] += 1
                if outcome not in ("clear error", "accepted"):
                    odd.append((outcome, case.name))
    total = sum(counts.values())
    print(f"tried {total}")
    for key in (
        "clear error",
        "accepted",
        "traceback",
        "silent drop",
        "wrong result",
        "false refusal",
        "unclear error",
        "hang",
    ):
        print(f"  {key:<14} {counts.get(key, 0)}")
    for outcome, name in odd:
        print(f"  ! {outcome}: {name}")
    return counts


if __name__ == "__main__":
    main_battery()
