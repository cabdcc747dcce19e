"""Warnings in the text report (the first few, then how many more) and caveats from notes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from netcap.cli.common import CAVEAT_MARK, WARNINGS_SHOWN, caveats, print_warnings


def test_a_long_list_of_warnings_shows_the_first_and_counts_the_rest(capsys: Any) -> None:
    warnings = [f"link {i} unchecked" for i in range(WARNINGS_SHOWN + 5)]
    print_warnings(warnings, 100)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == WARNINGS_SHOWN + 1
    assert lines[0] == "  warning: link 0 unchecked"
    assert lines[WARNINGS_SHOWN - 1] == f"  warning: link {WARNINGS_SHOWN - 1} unchecked"
    # 25 warnings, 20 shown: 5 more, named as such
    assert lines[-1].startswith("  warning: 5 more warnings not shown here")
    assert "--json" in lines[-1]


def test_a_short_list_is_printed_whole(capsys: Any) -> None:
    print_warnings(["one", "two"], 100)
    assert capsys.readouterr().out.splitlines() == ["  warning: one", "  warning: two"]


def test_one_more_warning_is_named_in_the_singular(capsys: Any) -> None:
    print_warnings([f"w{i}" for i in range(WARNINGS_SHOWN + 1)], 100)
    assert "1 more warning not shown" in capsys.readouterr().out


def test_caveats_read_only_the_noted_rows_and_name_each_position() -> None:
    mark = f"margin charge {CAVEAT_MARK}: no margin given"
    detail = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "note": ["", f"covered; {mark}", "lesser side of its category", mark],
        }
    )
    (line,) = caveats(detail)
    assert line.startswith(mark)
    assert "2 positions ('b', 'd')" in line


def test_no_caveat_where_no_note_carries_the_mark() -> None:
    detail = pd.DataFrame({"id": ["a", "b"], "note": ["", "lesser side of its category"]})
    assert caveats(detail) == []
