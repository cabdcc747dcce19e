"""Every python block of docs/walkthrough.md runs, in order, in one namespace."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

WALKTHROUGH = ROOT / "docs" / "walkthrough.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", WALKTHROUGH.read_text(encoding="utf-8"), re.S)


def test_walkthrough_has_code() -> None:
    assert len(blocks()) >= 8


def test_walkthrough_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "walkthrough"}
    for i, code in enumerate(blocks()):
        try:
            exec(compile(code, f"{WALKTHROUGH.name} block {i}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message names the failing block
            raise AssertionError(f"docs/walkthrough.md python block {i} failed: {exc!r}") from exc
