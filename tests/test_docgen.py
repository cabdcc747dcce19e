"""Generated pages: rule pages, CLI reference and book layout are fresh, and every worked
example's figure is the one worked out by hand here."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tools import docgen

# Expected totals worked by hand from the rule and the tables (not from the engine).
HAND: dict[tuple[str, str], float] = {
    # (A)(1): 4y and 4.5y are both in subcategory 3a (36-60 months, 3%): 3% x 400,000 net.
    ("a-government", "Offsetting Treasuries in one subcategory"): 0.03 * (1_000_000 - 600_000),
    # (B)(2)(iv) 3 1/2 to 5 years, 4%, greater side of the bucket only.
    ("b-municipal", "A long and a short in one (B)(2) bucket"): 0.04 * 1_000_000,
    # (C) uses the (A) method: 12y is 4a (4.5%), 26y is 4d (6%), both category 4;
    # net of 450,000 and 360,000 plus 50% of the lesser.
    ("c-canadian", "Canadian debt under the (A) method"): (450_000 - 360_000) + 0.5 * 360_000,
    # (D)(1): 2% of the greater of long 1,000,000 and short 300,000.
    ("d-funds", "Money market fund shares, long and short"): 0.02 * 1_000_000,
    # (E)(2): 2024-06-28 to 2024-08-27 is 60 days, 30-91 days at 1/8%.
    ("e-money-market-instruments", "Commercial paper with 60 days to run"): 0.00125 * 1_000_000,
    # (F)(1)(iv): 3 to 5 years at 6%.
    ("f-nonconvertible-debt", "A four-year corporate bond"): 0.06 * 1_000_000,
    # (F)(3)(i) 1.5% on the hedged 600,000; (F)(1)(iv) 6% on the unhedged 400,000.
    ("f-hedged-debt", "A corporate bond hedged by a Treasury"): 0.015 * 600_000 + 0.06 * 400_000,
    # (G) at or above principal takes the (J) 15%.
    ("g-convertible", "A convertible trading above its principal"): 0.15 * 1_050_000,
    # (H): 10% of the greater side.
    ("h-preferred", "Preferred stock, long and short"): 0.10 * 1_000_000,
    # (J): 15% of the greater, plus 15% of the lesser's excess over 25% of the greater.
    ("jkl-other-securities", "Stocks, long and short, under (J)"): 0.15 * 1_000_000
    + 0.15 * (400_000 - 0.25 * 1_000_000),
    # (K)(ii): 40% of each position, no netting.
    ("jkl-other-securities", "Limited-market stocks under (K)(ii)"): 0.40 * 1_000 + 0.40 * 500,
    # (J) 15% x 200,000 plus (M) 15% of the excess over max(10% x 1,000,000, $10,000).
    ("m-concentration", "One stock above 10% of tentative net capital"): 0.15 * 200_000
    + 0.15 * (200_000 - max(0.10 * 1_000_000, 10_000)),
    # (J) 15% of the greater side; (M)(1) 15% on A above 10% of 1mm; (M)(2) 15% on the short
    # B that (J)'s 25% offset leaves uncharged, above the same 100,000.
    ("m-concentration", "(M)(2): the short side (J) leaves uncharged"): 0.15 * 2_000_000
    + 0.15 * (2_000_000 - 0.10 * 1_000_000)
    + 0.15 * (300_000 - 0.10 * 1_000_000),
    # (J)(2) exempts a called security; (M)(2) excepts (J)'s first proviso: nothing.
    ("m-concentration", "A called security stays outside (M)"): 0.0,
    # (M)(1) options: held calls on 2,000 shares at 50 add 100,000 long to the 200,000 stock;
    # (M) 15% above max(10% of 1mm, 10,000, 500 x 50); (J) 15% of the stock; (C) 50% of 3,000.
    ("m-concentration", "(M)(1): held calls on the issue count in its position"): 0.15
    * (200_000 + 2_000 * 50 - max(0.10 * 1_000_000, 10_000, 500 * 50))
    + 0.15 * 200_000
    + 0.50 * 3_000,
    # written calls on 5,000 shares at 60, at the money: (M) 15% x (300,000 - 100,000);
    # (b)(2)(iii)(A) 15% x 300,000 (otm 0, above the floors); (ii)(A) time value 15,000 back.
    ("m-concentration", "(M)(1): written calls alone, no stock"): 0.15
    * (5_000 * 60 - max(0.10 * 1_000_000, 10_000, 500 * 60))
    + max(0.15 * 5_000 * 60, 250 * 50, 0.5 * 0.15 * 5_000 * 60)
    - 15_000,
    # (c)(2)(vii): 100% of each carrying value.
    ("vii-no-ready-market", "Restricted stock, long and short"): 1_000 + 300,
    # (c)(2)(iv): deducted in full.
    ("crypto", "A non-security crypto asset"): 5_000,
    # Appendix B (a)(3)(xiv)(C): 200% of the greater of maintenance and clearing margin.
    ("appendix-b-futures", "An uncovered commodity future"): 2.0 * max(50_000, 40_000),
    # Appendix B (a)(3)(ix)(C): 20% of the uncovered inventory.
    ("appendix-b-futures", "Commodity inventory with no cover"): 0.20 * 100_000,
    # (a)(1)(i): AI of 3,000,000 may be at most 1500% of net capital, so net capital must be
    # at least 3,000,000 / 15 = 200,000, above the dealer's 100,000 of (a)(2)(iii).
    ("a-minimums", "A dealer whose aggregate indebtedness sets the requirement"): max(
        3_000_000 / 15, 100_000
    ),
    # (c)(1): money borrowed counts in full; the loan against long securities is out under
    # (c)(1)(i); 85% of the investment company payable is out under (c)(1)(xiv).
    ("c1-aggregate-indebtedness", "Included, excluded and partly excluded liabilities"): 500_000
    + (1 - 0.85) * 1_000_000,
    # (c)(2)(iv)(A) fixed assets 100,000 in full; (c)(2)(xiv) 50,000 - 20,000 of deductible.
    ("c2-net-worth-deductions", "Fixed assets and an excess fidelity bond deductible"): 1_000_000
    - 100_000
    - (50_000 - 20_000),
    # (c)(2)(v)(A): business days after 2024-06-03 to 2024-06-28 are June 4-7 (4), 10-14 (5),
    # 17-21 less Juneteenth (4) and 24-28 (5) = 18, in the 14-21 band: 50% of 40,000.
    ("fails-and-differences", "A short securities difference unresolved for 18 business days"): (
        1_000_000 - 0.50 * 40_000
    ),
    # (iv)(C) commission 39 calendar days old (> 30) and (iv)(B) free shipment 8 business
    # days old (> 7) deducted in full; the 14-day-old dividend is kept.
    ("aged-receivables", "A commission, a free shipment and a dividend receivable"): (
        1_000_000 - 18_000 - 3_200
    ),
    # (iv)(D): the claim without counsel's opinion is 9 business days from discovery (after
    # 7) and the one with it 23 (after 20), both deducted; the acknowledged claim is 18
    # business days from the acknowledgement (not longer than 20), kept.
    ("aged-receivables", "Three insurance claims, by what supports them"): (
        1_000_000 - 25_000 - 10_000
    ),
    # (c)(2)(viii): (J) 15% of 1,000,000 = 150,000 on the haircut line; (A) 30% = 300,000
    # plus (C) loss 50,000 = 350,000, 200,000 over the (J) line; (B) adds back 150,000.
    ("c2viii-commitments", "A commitment to buy an unlisted stock at a loss"): (
        20_000_000 - 150_000 - 200_000 + 150_000
    ),
    # (c)(2)(iv)(F)(2): 1,000,000 - 850,000 less 20,000 margin = 130,000; (F)(3): the deficit
    # 400,000 is under 5% x 10,000,000, so (A) is 0; (B) 400,000 - 25% x (1,000,000 - 130,000).
    (
        "f-repo-deficits",
        "A reverse repo short of collateral and a repo over a quarter of net capital",
    ): 1_000_000 - 130_000 - (400_000 - 0.25 * 870_000),
    # 15c3-1d(a)(2)(iii): 600,000 x (1 - 30%) + 100,000 cash against 1,000,000 unpaid.
    ("appendix-d-secured-demand-notes", "A note secured by cash and stock"): 2_000_000
    - (1_000_000 - 100_000 - 0.70 * 600_000),
    # EUR at 1.10: prepaid 2,200 in full; stock 55,000 at 15% under (J); no currency charge.
    ("currency", "A euro stock and a euro prepaid expense"): 1_000_000
    - 2_000 * 1.1
    - 0.15 * 50_000 * 1.1,
    # (c)(8) a market maker is a dealer: (a)(2)(iii) 100,000 over (a)(4) 6,000 and (a)(2)(vi).
    ("a-minimums", "A market maker typed as a $5,000 broker"): max(100_000, 2 * 2_500 + 1_000),
}


def test_every_example_is_worked_by_hand() -> None:
    examples = docgen.rule_examples()
    assert {(e.page, e.title) for e in examples} == set(HAND)


@pytest.mark.parametrize("example", docgen.rule_examples(), ids=lambda e: f"{e.page}:{e.title}")
def test_example_figure_equals_the_hand_working(example: docgen.Example) -> None:
    hand = HAND[(example.page, example.title)]
    assert example.expected == pytest.approx(hand, abs=1e-9)
    assert docgen.example_figure(example) == pytest.approx(hand, abs=1e-6)


def test_each_page_has_an_example_and_shows_its_total() -> None:
    examples = docgen.rule_examples()
    slugs = {p.slug for p in docgen.PAGES}
    assert {e.page for e in examples} == slugs
    for page in docgen.PAGES:
        text = docgen.render_rule_page(page, examples)
        for e in (e for e in examples if e.page == page.slug):
            label = "Total haircut" if e.book is None else docgen.FIGURES[e.figure][0]
            assert f"{label}: **${e.expected:,.2f}**." in text


def test_rule_pages_cite_table_rows_with_dates() -> None:
    text = docgen.render_rule_page(docgen.PAGES[0])
    # The (A) schedule's 3-5 year row: 3%, cited, in force since before 2010.
    assert "| 3a | 36 to under 60 months | 3% |  | 15c3-1(c)(2)(vi)(A)(1) | 2010-01-01 |" in text


def test_generated_files_are_fresh() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in docgen.generated_files(ROOT).items()
        if not path.exists() or path.read_text("utf-8") != text
    ]
    assert stale == [], "run: python -m tools.docgen"


def test_no_stray_rule_pages_and_all_in_nav() -> None:
    expected = {f"{p.slug}.md" for p in docgen.PAGES} | {"index.md"}
    assert {p.name for p in (ROOT / "docs" / "rules").glob("*.md")} == expected
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for name in sorted(expected):
        assert f"rules/{name}" in nav
    for page in ("cli.md", "book-format.md"):
        assert re.search(rf":\s*{re.escape(page)}\s*$", nav, re.MULTILINE), page


def test_cli_page_lists_every_subcommand_and_option() -> None:
    from netcap.cli import build_parser  # noqa: PLC0415

    text = docgen.render_cli()
    parser = build_parser()
    for action in parser._actions:
        for name, sub in (getattr(action, "choices", None) or {}).items():
            assert f"## `netcap {name}`" in text
            for a in sub._actions:
                for opt in a.option_strings:
                    if opt not in ("-h", "--help"):
                        assert f"`{opt}`" in text


def test_book_layout_lists_every_template_column() -> None:
    from netcap.book.template import template_sheets  # noqa: PLC0415

    text = docgen.render_book_layout()
    for sheet, rows in template_sheets().items():
        assert f"### `{sheet}`" in text
        names = [r[0] for r in rows[1:]] if sheet == "firm" else rows[0]
        for column in names:
            assert f"| `{column}` |" in text, (sheet, column)


def test_check_mode_reports_fresh(capsys: pytest.CaptureFixture[str]) -> None:
    assert docgen.main(["--check", "--root", str(ROOT)]) == 0
