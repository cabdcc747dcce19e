"""Outputs never destroy inputs or existing files, and the command line never shows a
Python traceback (issue 14, items 3 and 16 and the top-level handler)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from netcap import cli
from netcap.cli import main
from netcap.report.output import OutputPathError, check_output
from tests.conftest import FIXTURES

SPEC = FIXTURES / "table9" / "strategy_07.json"
BOOK = {
    "as_of": "2024-06-28",
    "balance_sheet": {"net_worth": 5_000_000},
    "positions": [
        {"id": "e1", "security_class": "equity", "side": "long", "market_value": 100_000}
    ],
}


def _book(tmp_path: Path) -> Path:
    path = tmp_path / "book.json"
    path.write_text(json.dumps(BOOK), encoding="utf-8")
    return path


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.json"
    shutil.copy(SPEC, path)
    return path


# -- 3. output over input ------------------------------------------------------------------


def test_compute_xlsx_over_its_own_book_is_refused(tmp_path: Path, capsys: Any) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["template", str(book)]) == 0
    before = book.read_bytes()
    assert main(["compute", str(book), "--xlsx", str(book)]) == 2
    assert "input" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_sweep_csv_over_its_spec_is_refused_even_with_force(tmp_path: Path, capsys: Any) -> None:
    spec = _spec(tmp_path)
    before = spec.read_bytes()
    other = tmp_path / "sub" / ".." / "spec.json"  # the same file, spelt differently
    (tmp_path / "sub").mkdir()
    assert main(["sweep", str(spec), "--n", "3", "--csv", str(other), "--force"]) == 2
    assert "would write over the input" in capsys.readouterr().err
    assert spec.read_bytes() == before


def test_template_on_a_filled_folder_is_refused(tmp_path: Path, capsys: Any) -> None:
    folder = tmp_path / "book"
    assert main(["template", str(folder)]) == 0
    (folder / "firm.csv").write_text("field,value\nas_of,2024-06-28\n", encoding="utf-8")
    assert main(["template", str(folder)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert "2024-06-28" in (folder / "firm.csv").read_text(encoding="utf-8")


def test_existing_output_needs_force_and_says_what_was_written(tmp_path: Path, capsys: Any) -> None:
    spec = _spec(tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    assert main(["sweep", str(spec), "--n", "3", "--csv", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep me"
    capsys.readouterr()
    assert main(["sweep", str(spec), "--n", "3", "--csv", str(out), "--force"]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").startswith("P")


def test_output_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    with pytest.raises(OutputPathError, match="input"):
        check_output(folder / "new.xlsx", inputs=[folder], what="--xlsx")
    with pytest.raises(OutputPathError, match="input"):  # a folder output holding an input
        check_output(tmp_path, inputs=[folder / "a.json"], what="template", folder=True)


def test_output_through_a_symlink_to_the_input_is_refused(tmp_path: Path) -> None:
    book = _book(tmp_path)
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    with pytest.raises(OutputPathError, match="input"):
        check_output(link, inputs=[book], force=True, what="--xlsx")


# -- 16. unwritable paths and broken pipes ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["template", "{tmp}/missing/dir/book.xlsx"],
        ["template", "{tmp}/book.json/sub"],
        ["sweep", "{spec}", "--n", "3", "--csv", "{tmp}/missing/out.csv"],
        ["strategy", "{spec}", "--plot", "{tmp}/missing/out.png"],
        ["strategy", "{spec}", "--plot", "{tmp}/out.notaformat"],
        ["compute", "{book}", "--xlsx", "{tmp}"],
    ],
)
def test_unwritable_output_is_a_clean_error(tmp_path: Path, capsys: Any, argv: list[str]) -> None:
    book, spec = _book(tmp_path), _spec(tmp_path)
    args = [a.format(tmp=tmp_path, spec=spec, book=book) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("netcap: ")


def test_read_only_folder_is_a_clean_error(tmp_path: Path, capsys: Any) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["template", str(locked / "book.xlsx")]) == 2
        assert "cannot write" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    spec = _spec(tmp_path)  # 20,000 rows: far more than a pipe's buffer
    cmd = f"{sys.executable} -m netcap.cli sweep {spec} --n 20000 | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, check=False
    )
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert "Error" not in done.stderr


def test_escaping_bug_is_an_internal_error_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise ZeroDivisionError("float division by zero\nsecond line")

    monkeypatch.setattr(cli, "compute", boom)
    assert main(["compute", str(_book(tmp_path))]) == 70
    err = capsys.readouterr().err
    assert (
        err == "netcap: internal error, please report: ZeroDivisionError: float division by zero\n"
    )
