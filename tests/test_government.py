"""Paragraph (A), government and agency securities, against hand-worked figures."""

from __future__ import annotations

from datetime import date

import pytest

from netcap.book.model import Position
from netcap.rule.haircuts import HaircutOptions
from netcap.rule.haircuts.government import GovernmentOptions
from tests.conftest import AS_OF, gov, haircut


@pytest.mark.parametrize(
    ("maturity", "rate"),
    [
        (date(2024, 9, 27), 0.0),  # one day short of 3 months
        (date(2024, 9, 28), 0.005),  # exactly 3 months: "3 months but less than 6"
        (date(2025, 6, 27), 0.01),  # one day short of 1 year
        (date(2025, 6, 28), 0.015),  # exactly 1 year
        (date(2026, 6, 27), 0.015),  # one day short of 2 years
        (date(2026, 6, 28), 0.02),  # exactly 2 years
        (date(2049, 6, 27), 0.055),  # one day short of 25 years
        (date(2049, 6, 28), 0.06),  # exactly 25 years: "25 years or more"
    ],
)
def test_subcategory_boundaries_by_date(maturity: date, rate: float) -> None:
    assert date(2024, 6, 28) == AS_OF
    r = haircut([gov("a", "long", 1_000_000, maturity=maturity)])
    assert r.total == pytest.approx(1_000_000 * rate)


def test_month_end_as_of_clips_to_month_end() -> None:
    # as of 2024-06-28 is not a month end; use years for the month-end case elsewhere
    r = haircut([gov("a", "long", 1_000_000, years=0.25)])  # exactly 3 months
    assert r.total == pytest.approx(5_000)


def test_net_within_subcategory() -> None:
    # long 10mm and short 4mm, both 5-10y (4%): 4% of net 6mm
    r = haircut([gov("a", "long", 10e6, 6), gov("b", "short", 4e6, 7)])
    assert r.total == pytest.approx(240_000)


def test_category_net_plus_half_the_lesser() -> None:
    # cat. 4: long 10mm 10-15y (4.5% -> 450k), short 6mm 25y+ (6% -> 360k)
    # deduction = |450k - 360k| + 50% x 360k = 90k + 180k = 270k
    r = haircut([gov("a", "long", 10e6, 12), gov("b", "short", 6e6, 26)])
    assert r.total == pytest.approx(270_000)
    cats = r.worksheets["government_categories"].set_index("category")
    assert cats.loc[4, "deduction"] == pytest.approx(270_000)
    assert cats.loc[4, "fifty_pct_of_lesser"] == pytest.approx(180_000)


def test_categories_do_not_offset_each_other() -> None:
    # long 3-5y (3%, cat. 3) vs short 1-2y (1.5%, cat. 2): 30k + 15k
    r = haircut([gov("a", "long", 1e6, 4), gov("b", "short", 1e6, 1.5)])
    assert r.total == pytest.approx(45_000)


def test_detail_allocates_exactly_and_cites() -> None:
    r = haircut([gov("a", "long", 10e6, 12), gov("b", "short", 6e6, 26)])
    d = r.detail.set_index("id")
    assert d["charge"].sum() == pytest.approx(270_000)
    # pro rata to gross charges 450k : 360k
    assert d.loc["a", "charge"] == pytest.approx(270_000 * 450 / 810)
    assert set(d["paragraph"]) == {"15c3-1(c)(2)(vi)(A)(1)"}
    assert list(d["bucket"]) == ["4a", "4d"]


def test_covered_futures_partial_cover() -> None:
    # long 10mm 2y note; short 6mm 2y futures deliverable against it.
    # 6mm covered (15c3-1b(a)(3)(ix)(A)); 4mm of the note remains at 2% = 80k
    r = haircut(
        [gov("n", "long", 10e6, 2), gov("f", "short", 6e6, 2, future=True, deliverable="n")]
    )
    assert r.total == pytest.approx(80_000)
    d = r.detail.set_index("id")
    assert d.loc["f", "paragraph"] == "15c3-1b(a)(3)(ix)(A)"
    assert d.loc["n", "exposure"] == pytest.approx(4e6)


def test_cover_takes_precedence_over_subcategory_mismatch() -> None:
    # TY futures (10y deliverable, cat. 4) vs 9.5y note (cat. 3): uncovered, 4% + 4.5%;
    # linked as covered inventory: nothing
    legs = [gov("n", "long", 1e6, 9.5), gov("f", "short", 1e6, 10, future=True)]
    assert haircut(legs).total == pytest.approx(85_000)
    legs[1] = gov("f", "short", 1e6, 10, future=True, deliverable="n")
    assert haircut(legs).total == 0.0


def test_reverse_link_is_not_cover_and_is_reported() -> None:
    r = haircut([gov("n", "short", 1e6, 2), gov("f", "long", 1e6, 3, future=True, deliverable="n")])
    # not covered: short 2-3y vs long 3-5y futures: 2% + 3%
    assert r.total == pytest.approx(50_000)
    assert len(r.warnings) == 1
    assert "not eligible" in r.detail.set_index("id").loc["f", "note"]


def test_a2_subcategory_only_election() -> None:
    legs = [gov("a", "long", 10e6, 12), gov("b", "short", 6e6, 26)]
    opts = HaircutOptions(government=GovernmentOptions(subcategory_only=True))
    assert haircut(legs, opts).total == pytest.approx(450_000 + 360_000)


def test_a2_as_worded_is_the_subcategory_sum_and_never_below_a1() -> None:
    # (A)(2): "may elect to deduct, in lieu of the computation required under paragraph
    # (c)(2)(vi)(A)(1) ..., the applicable percentages of the market value of the net long
    # or short positions in each of the subcategories".  Long 1mm 4y (3a, 3%) and short 1mm
    # 7y (3b, 4%), both Category 3:
    #   (A)(1): |30,000 - 40,000| + 50% x 30,000 = 25,000
    #   (A)(2): 30,000 + 40,000 = 70,000 (no netting within the category)
    #   (A)(5) on (A)(1): 75% x 25,000 = 18,750
    legs = [gov("a", "long", 1e6, 4), gov("b", "short", 1e6, 7)]
    assert haircut(legs).total == pytest.approx(25_000)
    a2 = HaircutOptions(government=GovernmentOptions(subcategory_only=True))
    assert haircut(legs, a2).total == pytest.approx(70_000)
    a5 = HaircutOptions(government=GovernmentOptions(fed_reporting_dealer=True))
    assert haircut(legs, a5, net_capital_before_haircuts=5e7).total == pytest.approx(18_750)


def test_a3_pairing_moves_the_smaller_security() -> None:
    # long 5mm 2.5y (cat. 2, 2%) and short 4mm 3.25y (cat. 3, 3%): within 2-4y and 1 year.
    # unpaired: 100k + 120k = 220k. Paired: net 1mm long stays in cat. 2 at 2% = 20k.
    legs = [gov("a", "long", 5e6, 2.5), gov("b", "short", 4e6, 3.25)]
    assert haircut(legs).total == pytest.approx(220_000)
    opts = HaircutOptions(government=GovernmentOptions(pairs=(("a", "b"),)))
    assert haircut(legs, opts).total == pytest.approx(20_000)


@pytest.mark.parametrize(
    ("years_a", "years_b"),
    [(2.5, 3.75), (1.5, 3.0), (5.0, 6.0)],  # gap over 1 year; outside 2-4y; same category
)
def test_a3_pairing_rejects_ineligible_pairs(years_a: float, years_b: float) -> None:
    legs = [gov("a", "long", 5e6, years_a), gov("b", "short", 4e6, years_b)]
    opts = HaircutOptions(government=GovernmentOptions(pairs=(("a", "b"),)))
    with pytest.raises(ValueError, match=r"\(A\)\(3\)"):
        haircut(legs, opts)


def test_a5_fed_dealer_factor() -> None:
    legs = [gov("a", "long", 1e6, 4)]  # 3% = 30k
    opts = HaircutOptions(government=GovernmentOptions(fed_reporting_dealer=True))
    assert haircut(legs, opts, net_capital_before_haircuts=60e6).total == pytest.approx(22_500)
    with pytest.raises(ValueError, match="below"):
        haircut(legs, opts, net_capital_before_haircuts=49e6)


def test_offsetting_the_smaller_side_can_raise_the_haircut() -> None:
    """The (A)(1) formula is max(L, S) - L_or_S_lesser / 2: shrinking the lesser side raises it.

    long 1mm 20-25y (5.5%) vs short 1mm 25y+ (6%): |55k - 60k| + 27.5k = 32.5k.
    Covering the long with a deliverable short future leaves the short alone: 60k.
    """
    legs = [gov("l", "long", 1e6, 22), gov("s", "short", 1e6, 30)]
    assert haircut(legs).total == pytest.approx(32_500)
    legs.append(gov("f", "short", 1e6, 22, future=True, deliverable="l"))
    assert haircut(legs).total == pytest.approx(60_000)


def test_agency_nets_with_government() -> None:
    agency = Position(
        id="g", security_class="agency", side="short", market_value=1e6, years_to_maturity=6
    )
    r = haircut([gov("t", "long", 1e6, 7), agency])
    assert r.total == 0.0
