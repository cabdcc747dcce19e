"""The rule-coverage page is generated, never edited by hand, and kept current."""

from __future__ import annotations

from netcap.coverage import coverage_rows, render
from tests.conftest import ROOT


def test_coverage_page_is_current() -> None:
    expected = render(coverage_rows(ROOT))
    actual = (ROOT / "docs" / "coverage.md").read_text("utf-8")
    assert actual == expected, "run: python -m netcap.coverage > docs/coverage.md"


def test_government_paragraph_is_implemented() -> None:
    rows = {r.paragraph: r for r in coverage_rows(ROOT)}
    a = rows["15c3-1(c)(2)(vi)(A)"]
    assert a.status == "implemented"
    assert "netcap.haircuts.government" in a.modules
    assert "test_government.py" in a.tests
