"""The README's set-up commands and Python examples do what the README says (issue 15, item 6)."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def _expected(line: str) -> str | None:
    """The value a ``print(...)  # value  (remark)`` line promises, if it promises one."""
    if not line.lstrip().startswith("print(") or "#" not in line:
        return None
    comment = line.split("#", 1)[1].strip()
    value = re.split(r"\s{2,}", comment)[0]
    return value if re.match(r"^[\[\d-]", value) else None


def test_readme_first_command_installs_no_dev_tool() -> None:
    lines = README.splitlines()
    first, second = lines[2].strip(), lines[3].strip()
    # .ci/run reads these two lines by number
    assert "netcap compute" in first
    assert "python -m pytest" in second
    extras = re.search(r'pip install -e "\.\[([^\]]*)\]"', first)
    assert extras is not None
    assert set(extras.group(1).split(",")) <= {"plot"}


def test_readme_python_examples_print_what_they_say() -> None:
    blocks = _python_blocks()
    assert blocks
    checked = 0
    for block in blocks:
        tree = ast.parse(block)
        lines = block.splitlines()
        scope: dict[str, Any] = {}
        with contextlib.chdir(ROOT):
            for stmt in tree.body:
                source = ast.get_source_segment(block, stmt)
                assert source is not None
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(compile(ast.Module([stmt], []), "README.md", "exec"), scope)
                want = _expected(lines[stmt.end_lineno - 1 if stmt.end_lineno else 0])
                if want is not None:
                    assert out.getvalue().strip() == want, source
                    checked += 1
    # the README promises at least the increase, the limit, the crossovers and the combination
    assert checked >= 4


@pytest.mark.parametrize(
    "command",
    [line.strip() for line in README.splitlines() if line.startswith("    netcap ")],
)
def test_readme_example_commands_run(command: str, tmp_path: Path) -> None:
    """Every ``netcap ...`` line of the README runs (outputs written to a scratch folder)."""
    text = command
    if text.endswith("\\"):  # a command continued on the next line
        following = README.split(command, 1)[1].splitlines()[1]
        text = text[:-1] + " " + following.strip()
    argv = shlex.split(text)[1:]
    if argv[0] == "template" or "--xlsx" in argv:
        pytest.skip("writes a workbook: covered by the workbook tests")
    argv = [str(tmp_path / a) if a.endswith((".png", ".xlsx")) else a for a in argv]
    env = {**os.environ, "COLUMNS": "100"}
    out = subprocess.run(
        [sys.executable, "-m", "netcap.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
