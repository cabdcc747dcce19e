"""The command line's invariants, for every subcommand (issue 14).

* a malformed input exits 2 with a message naming the file and the field;
* no input ever prints a Python traceback; a bug that escapes every check is reported
  as ``internal error, please report: <ExcType: one line>`` with exit status 70, and
  this test fails on it;
* every flag refuses non-finite, zero, negative, huge and non-numeric values where it
  is parsed.

Subcommands added later are covered by the generic case: each positional argument
given a malformed file, then a missing one.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcap.cli import build_parser, main
from tests.conftest import FIXTURES

EXAMPLES = int(os.environ.get("NETCAP_FUZZ_EXAMPLES", "25"))
SPEC = FIXTURES / "table9" / "strategy_07.json"


def run(argv: list[str]) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``netcap argv``."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def _no_traceback(code: int, err: str) -> None:
    assert "Traceback" not in err
    assert code != 70, err  # an internal error is a bug the test should find


def _write(d: Path, name: str, data: object) -> Path:
    path = d / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _bad_book(d: Path) -> Path:
    return _write(
        d,
        "book.json",
        {
            "as_of": "2024-06-28",
            "balance_sheet": {"net_worth": 1_000_000},
            "positions": [
                {"id": "p", "security_class": "equity", "side": "long", "market_value": "abc"}
            ],
        },
    )


def _good_book(d: Path) -> Path:
    return _write(
        d,
        "good.json",
        {
            "as_of": "2024-06-28",
            "balance_sheet": {"net_worth": 1_000_000},
            "positions": [
                {"id": "p", "security_class": "equity", "side": "long", "market_value": 1000}
            ],
        },
    )


def _bad_spec(d: Path) -> Path:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    spec["margin_rate"] = "lots"
    return _write(d, "spec.json", spec)


def _malformed(d: Path) -> dict[str, tuple[list[str], str, str]]:
    """Subcommand -> (argv, file named, field named) of one malformed input."""
    folder = d / "specs"
    folder.mkdir()
    shutil.copy(_bad_spec(d), folder / "spec.json")
    book, spec = _bad_book(d), _bad_spec(d)
    return {
        "strategy": (["strategy", str(spec)], "spec.json", "margin_rate"),
        "table10": (["table10", str(folder)], "spec.json", "margin_rate"),
        "compute": (["compute", str(book)], "book.json", "market_value"),
        "template": (["template", str(d / "no" / "b.xlsx")], "b.xlsx", "template"),
        "check-tables": (["check-tables", "--dir", str(d / "nowhere")], "nowhere", "tables"),
        "sweep": (["sweep", str(spec)], "spec.json", "margin_rate"),
        "combine": (
            ["combine", str(SPEC), "--book", str(book)],
            "book.json",
            "market_value",
        ),
        "lockup": (
            ["lockup", str(_write(d, "reqs.csv", "date,a\n2024-06-28,abc\n"))],
            "reqs.csv",
            "'a'",
        ),
        "dealer-screen": (
            ["dealer-screen", str(_write(d, "facts.json", {"no_such_fact": 1}))],
            "facts.json",
            "no_such_fact",
        ),
        "pretrade": (
            [
                "pretrade",
                str(_good_book(d)),
                str(_write(d, "trades.json", [{"id": "t", "security_class": "x"}])),
            ],
            "trades.json",
            "security_class",
        ),
        "settle": (["settle", "2024-13-01"], "2024-13-01", "trade_date"),
    }


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_subcommand_refuses_a_malformed_input_naming_file_and_field(
    tmp_path: Path,
) -> None:
    cases = _malformed(tmp_path)
    for name in _subcommands():
        if name not in cases:
            continue  # covered by the generic test below
        argv, file, field = cases[name]
        code, _, err = run(argv)
        _no_traceback(code, err)
        assert code == 2, (name, err)
        assert file in err, (name, err)
        assert field in err, (name, err)


OUTPUT_POSITIONALS = frozenset({"template"})
"""Subcommands whose positional argument is an output path, not an input."""
GARBAGE = [b"", b"\xff\xfe\x00garbage", b"[" * 50_000, b'{"a": 1, "a": 2}', b"null", b"a,b\n1"]


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_every_positional_argument_of_every_subcommand_survives_garbage(
    tmp_path: Path, payload: bytes
) -> None:
    for name, sub in _subcommands().items():
        positionals = [
            a for a in sub._actions if not a.option_strings and a.dest not in ("help", "command")
        ]
        if not positionals:
            continue
        for suffix in (".json", ".csv", ".xlsx", ""):
            path = tmp_path / f"in{suffix}"
            if path.is_dir():
                continue
            path.write_bytes(payload)
            argv = [name, *[str(path)] * len(positionals)]
            code, _, err = run(argv)
            _no_traceback(code, err)
            assert code == 2, (argv, err)
            if name in OUTPUT_POSITIONALS:
                continue  # its argument is where it writes: a missing path is fine
            missing = [name, *[str(tmp_path / "missing.json")] * len(positionals)]
            code, _, err = run(missing)
            _no_traceback(code, err)
            assert code == 2, (missing, err)


# -- every flag with hostile values -------------------------------------------------------

HOSTILE_NUMBERS = [
    "0",
    "-0",
    "-1",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e-300",
    "1e20",
    "1e309",
    "abc",
    "",
    "1,5",
    "0x10",
    "true",
]
NUMBER_FLAGS = {
    "strategy": ["--P"],
    "table10": ["--P"],
    "sweep": ["--from", "--to", "--n"],
    "combine": ["--sizes"],
    "settle": ["--agreed-cycle"],
}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(sorted(NUMBER_FLAGS)), st.data())
def test_number_flags_refuse_hostile_values(command: str, data: st.DataObject) -> None:
    flag = data.draw(st.sampled_from(NUMBER_FLAGS[command]))
    value = data.draw(st.sampled_from(HOSTILE_NUMBERS) | st.text(max_size=6))
    if command == "settle":
        argv = ["settle", "2024-06-28", flag, value]
    elif command == "table10":
        argv = ["table10", str(SPEC.parent), flag, value]
    elif command == "combine":
        argv = ["combine", str(SPEC), flag, value]
    else:
        argv = [command, str(SPEC), flag, value]
    if command == "sweep" and flag != "--n":
        argv += ["--n", "3"]
    code, out, err = run(argv)
    _no_traceback(code, err)
    assert code in (0, 2), err
    if code == 2:
        assert flag in err or flag.lstrip("-") in err or "argument" in err, err
    if code == 0:  # accepted: then it was a sensible number
        assert "nan" not in out.lower() or command == "settle"


def test_escaping_errors_never_print_a_traceback(tmp_path: Path) -> None:
    """A sample of inputs known to have ended in tracebacks before issue 14."""
    far = _write(
        tmp_path,
        "far.json",
        {
            "as_of": "2024-06-28",
            "balance_sheet": {"net_worth": 1_000_000},
            "positions": [
                {
                    "id": "t",
                    "security_class": "government",
                    "side": "long",
                    "market_value": 1000,
                    "maturity": "9999-12-31",
                }
            ],
        },
    )
    control = _write(
        tmp_path,
        "ctl.json",
        {"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1}, "firm": {"name": "a\x01b"}},
    )
    cases: list[list[str]] = [
        ["compute", str(far)],
        ["compute", str(control), "--xlsx", str(tmp_path / "o.xlsx")],
        ["settle", "2080-12-31"],
        ["settle", "9999-12-31"],
        ["strategy", str(SPEC), "--plot", str(tmp_path / "o.unknownformat")],
        ["template", str(tmp_path / "far.json" / "x")],
        ["sweep", str(SPEC), "--n", "3", "--csv", str(tmp_path)],
    ]
    for argv in cases:
        code, _, err = run(argv)
        _no_traceback(code, err)
        assert code == 2, (argv, err)


def test_run_reports_what_it_was_given(capsys: Any) -> None:
    code, out, err = run(["settle", "2024-06-28", "--json"])
    assert code == 0
    assert json.loads(out)["settlement_date"] == "2024-07-01"  # Friday T+1 -> Monday
    assert err == ""
    assert capsys.readouterr().err == ""
