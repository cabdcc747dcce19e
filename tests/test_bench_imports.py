"""The import benchmark's rows: what they measure and how they read, never how fast."""

from __future__ import annotations

import re

from benchmarks import bench_imports


def test_importtime_keeps_top_level_imports_only() -> None:
    names = [name for name, _ in bench_imports._importtime("import json.decoder")]
    # json.decoder is imported inside json's own import: one top-level entry, json.decoder
    # (importtime lists the submodule asked for at top level, json beneath it)
    assert "json.decoder" in names
    assert "json" not in names


def test_rows_name_both_commands_with_wall_cpu_and_target() -> None:
    rows = bench_imports.rows(repeat=1)
    assert [r["figure"] for r in rows] == [
        "imports of netcap --help",
        "imports of netcap compute (sample firm)",
    ]
    for r in rows:
        assert re.fullmatch(
            r"\d+\.\d{3} s wall \(\d+\.\d{3} s CPU\); -X importtime \d+\.\d{3} s", r["value"]
        )
        assert r["target"] == "<= 0.5 s"
        assert r["met"] in {"yes", "NO"}


def test_the_modules_timed_are_the_commands_own() -> None:
    # top-level imports only: importing them again imports what they import (pandas under
    # netcap.book.loading), as the command did
    help_only = {n for n, _ in bench_imports.command_imports(["--help"])}
    compute = {n for n, _ in bench_imports.command_imports(["compute", str(bench_imports.SAMPLE)])}
    assert "netcap.cli" in help_only
    assert "netcap.book.loading" not in help_only
    assert "netcap.book.loading" in compute
    # what a bare interpreter imports at start-up is not the command's
    assert "encodings" not in help_only | compute
