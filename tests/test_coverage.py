"""The rule-coverage page is generated, never edited by hand, and kept current."""

from __future__ import annotations

from tests.conftest import ROOT
from tools.coverage import coverage_rows, render, table_checks, unplaced_citations


def test_coverage_page_is_current() -> None:
    expected = render(coverage_rows(ROOT), table_checks(ROOT))
    actual = (ROOT / "docs" / "coverage.md").read_text("utf-8")
    assert actual == expected, "run: python -m tools.coverage > docs/coverage.md"


def test_government_paragraph_is_implemented_and_its_text_checked() -> None:
    # (A)(1) is implemented and tested; the (A)(2), (A)(3) and (A)(5) elections were read
    # in the eCFR text of (A), so nothing is left open and the
    # page shows (A) as implemented, with its text checked.
    rows = {r.paragraph: r for r in coverage_rows(ROOT)}
    a = rows["15c3-1(c)(2)(vi)(A)"]
    assert a.status == "implemented"
    assert a.text_checked.startswith("yes")
    assert "netcap.rule.haircuts.government" in a.modules
    assert "test_government.py" in a.tests


def test_every_citation_sits_under_a_row_of_the_outline() -> None:
    # A paragraph cited by code or a table but missing from rule_outline.csv would never
    # appear in the matrix; each such citation is listed with the modules that use it.
    assert unplaced_citations(ROOT) == {}


def test_market_maker_paragraphs_cited_by_the_code_have_rows() -> None:
    rows = {r.paragraph: r for r in coverage_rows(ROOT)}
    # net_worth cites (a)(6)(iii) for the carrying firm's deficiency deduction, and
    # market_maker cites (a)(6)(iv) for the undertaking the carrying firm files.
    assert "netcap.rule.net_worth" in rows["15c3-1(a)(6)(iii)"].modules
    assert "netcap.rule.market_maker" in rows["15c3-1(a)(6)(iv)"].modules
    assert "15c3-1(a)(6)(i)" in rows


def test_the_page_checks_do_not_count_as_tests_of_the_rule() -> None:
    for row in coverage_rows(ROOT):
        assert "test_coverage.py" not in row.tests
        assert "test_docgen.py" not in row.tests


def test_every_row_and_table_row_says_whether_its_text_was_checked() -> None:
    # The cell starts with "yes" (and what was read) or "no" (and what is missing).
    for row in coverage_rows(ROOT):
        assert row.text_checked.startswith(("yes", "no")), row.paragraph
    for check in table_checks(ROOT):
        assert check.text_checked.startswith(("yes", "no")), (check.table, check.key)
