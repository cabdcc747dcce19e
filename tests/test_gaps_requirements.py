"""15c3-1(a)(9) reverse repurchase addition and 15c3-1(a)(1)(iii) CFTC minimum."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from netcap.book.firm import Book, ReverseRepo
from netcap.book.readers import load_book
from netcap.book.template import write_template
from netcap.rule.requirements import LIMITATIONS, reverse_repo_frame
from tests.computation_helpers import AS_OF, book, liability, run


def rr(rid: str, party: str, collateral: str, mv: float, price: float) -> ReverseRepo:
    return ReverseRepo(
        id=rid, counterparty=party, collateral=collateral, market_value=mv, contract_price=price
    )


def with_repos(b: Book, *repos: ReverseRepo) -> Book:
    return b.model_copy(update={"reverse_repos": repos})


REPOS = (
    # X treasury: 1,100,000 over 105% x 1,000,000 = 1,050,000: excess 50,000, 10% = 5,000
    rr("x1", "X", "treasury", 1_100_000, 1_000_000),
    # X agency: 1,100,000 is exactly 110% of 1,000,000: no excess
    rr("x2", "X", "agency_or_mortgage", 1_100_000, 1_000_000),
    # Y other: 1,500,000 over 120% x 1,000,000: excess 300,000, 10% = 30,000
    rr("y1", "Y", "other", 1_500_000, 1_000_000),
    # Y treasury, two agreements added: 1,100,000 over 105% x 1,000,000: 5,000
    rr("y2", "Y", "treasury", 500_000, 500_000),
    rr("y3", "Y", "treasury", 600_000, 500_000),
    # Z treasury under-collateralized: no excess, and no offset against X's
    rr("z1", "Z", "treasury", 900_000, 1_000_000),
)


def test_a9_per_party_and_class() -> None:
    """15c3-1(a)(9)(i)-(iii): 10% of the excess over 105% / 110% / 120% with each party."""
    f = reverse_repo_frame(REPOS, AS_OF).set_index(["counterparty", "collateral"])
    expected = {
        ("X", "treasury"): (50_000, 5_000, "15c3-1(a)(9)(i)"),
        ("X", "agency_or_mortgage"): (0, 0, "15c3-1(a)(9)(ii)"),
        ("Y", "other"): (300_000, 30_000, "15c3-1(a)(9)(iii)"),
        ("Y", "treasury"): (50_000, 5_000, "15c3-1(a)(9)(i)"),
        ("Z", "treasury"): (0, 0, "15c3-1(a)(9)(i)"),
    }
    assert len(f) == len(expected)
    for key, (excess, charge, cite) in expected.items():
        assert f.loc[key, "excess"] == pytest.approx(excess), key
        assert f.loc[key, "charge"] == pytest.approx(charge), key
        assert f.loc[key, "citation"] == cite


def test_a9_is_added_to_the_greatest_requirement() -> None:
    """15c3-1(a)(9): in addition to the (a) requirement, not one more candidate."""
    r = run(with_repos(book(1_000_000), *REPOS))
    # dealer minimum 100,000 (AI is 0) + 5,000 + 30,000 + 5,000 = 140,000
    assert r.requirement.additional == pytest.approx(40_000)
    assert r.requirement.amount == pytest.approx(140_000)
    assert r.requirement.binding_key == "fixed_minimum"
    assert r.line("requirement:reverse_repo_a9") == pytest.approx(40_000)
    assert r.line("net_capital_requirement") == pytest.approx(140_000)
    # z1 is a reverse repurchase agreement deficit of 1,000,000 - 900,000 = 100,000 with no
    # same-party reduction, deducted in full under 15c3-1(c)(2)(iv)(F)(2)(i): net capital
    # 1,000,000 - 100,000 = 900,000, excess 900,000 - 140,000 = 760,000 (this test predates
    # the (F) computation and took net capital as 1,000,000)
    assert r.line("repo_deficits:reverse") == pytest.approx(-100_000)
    assert r.line("excess_net_capital") == pytest.approx(760_000)
    assert r.line("minimum_dollar_requirement") == pytest.approx(100_000)  # unchanged
    cites = r.lines.set_index("line")["citation"]
    assert cites["requirement:reverse_repo_a9"] == "15c3-1(a)(9)"
    assert cites["net_capital_requirement"].endswith("15c3-1(a)(9)")


def test_a9_without_repos_changes_nothing() -> None:
    r = run(book(1_000_000))
    assert r.requirement.additional == 0.0
    assert not r.has_line("requirement:reverse_repo_a9")
    assert r.requirement.amount == pytest.approx(100_000)


def test_a9_bad_input() -> None:
    with pytest.raises(ValidationError, match="collateral"):
        rr("a", "X", "equity", 1, 1)
    with pytest.raises(ValidationError, match="market_value"):
        rr("a", "X", "treasury", -1, 1)
    with pytest.raises(ValidationError, match="reverse repo 1: duplicate id 'a'"):
        Book.model_validate(
            {
                "as_of": AS_OF,
                "balance_sheet": {"net_worth": 1},
                "reverse_repos": [rr("a", "X", "other", 1, 1).model_dump()] * 2,
            }
        )


def test_a9_read_from_a_csv_folder(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\nfirm.cftc_minimum,250000\n"
    )
    (folder / "reverse_repos.csv").write_text(
        "id,counterparty,collateral,market_value,contract_price,description\n"
        "a,X,other,1500000,1000000,\n"
    )
    r = load_book(folder).compute()
    # (a)(9): 10% x (1,500,000 - 1,200,000) = 30,000 on top of the CFTC minimum 250,000
    assert r.requirement.amount == pytest.approx(280_000)


@pytest.mark.parametrize(
    ("cftc", "ai", "binding", "required"),
    [
        # CFTC minimum 500,000 over AI 3,000,000 / 15 = 200,000 and the 100,000 dealer minimum
        (500_000, 3_000_000, "cftc_minimum", 500_000),
        # AI 9,000,000 / 15 = 600,000 is greater than the CFTC minimum
        (500_000, 9_000_000, "aggregate_indebtedness_ratio", 600_000),
        # equal: the (a)(1) ratio requirement is reported as binding (first of equal maxima)
        (200_000, 3_000_000, "aggregate_indebtedness_ratio", 200_000),
    ],
)
def test_a1iii_cftc_minimum_is_a_candidate(
    cftc: float, ai: float, binding: str, required: float
) -> None:
    """15c3-1(a)(1)(iii): an FCM keeps the greater of its (a)(1) requirement and the CFTC's."""
    kw: dict[str, Any] = {"cftc_minimum": cftc}
    r = run(book(10_000_000, liabilities=(liability("ap", ai),), firm=kw))
    assert r.requirement.binding_key == binding
    assert r.requirement.amount == pytest.approx(required)
    assert r.line("requirement:cftc_minimum") == pytest.approx(cftc)
    assert r.lines.set_index("line").loc["requirement:cftc_minimum", "citation"] == (
        "15c3-1(a)(1)(iii)"
    )
    assert r.line("minimum_dollar_requirement") == pytest.approx(100_000)


@pytest.mark.parametrize(
    ("segregated", "ai", "binding", "required"),
    [
        # (a)(1)(iii): "4 percent of the funds required to be segregated": 4% of 10,000,000 =
        # 400,000, over AI 3,000,000 / 15 = 200,000 and the 100,000 dealer minimum
        (10_000_000, 3_000_000, "fcm_segregated_funds", 400_000),
        # AI 9,000,000 / 15 = 600,000 is the greater
        (10_000_000, 9_000_000, "aggregate_indebtedness_ratio", 600_000),
    ],
)
def test_a1iii_four_percent_of_segregated_funds_is_a_candidate(
    segregated: float, ai: float, binding: str, required: float
) -> None:
    """15c3-1(a)(1)(iii): the greater of the (a)(1) requirement or 4% of segregated funds."""
    kw: dict[str, Any] = {"fcm_segregated_funds": segregated}
    r = run(book(10_000_000, liabilities=(liability("ap", ai),), firm=kw))
    assert r.requirement.binding_key == binding
    assert r.requirement.amount == pytest.approx(required)
    assert r.line("requirement:fcm_segregated_funds") == pytest.approx(0.04 * segregated)
    assert r.lines.set_index("line").loc["requirement:fcm_segregated_funds", "citation"] == (
        "15c3-1(a)(1)(iii)"
    )


def test_limitations_declared() -> None:
    for paragraph in ("15c3-1(a)(5)", "15c3-1(a)(6)(v)", "15c3-1(a)(7)", "15c3-1(a)(10)"):
        assert paragraph in LIMITATIONS
