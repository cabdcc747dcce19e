"""Book items computed from the agreements themselves, worked by hand from the paragraphs.

* 15c3-1(c)(2)(iv)(F): reverse repurchase and repurchase agreement deficits;
* Appendix D, 15c3-1d(a)(2)(iii) and (b)(6), with 15c3-1(c)(2)(iv)(B): secured
  demand note collateral value and collateral deficiency;
* 15c3-1(a)(4) with (a)(2)(iii) and (c)(8): a market maker typed below a dealer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.firm import (
    Book,
    MarketMaking,
    RepurchaseAgreement,
    ReverseRepo,
    SecuredDemandNote,
)
from netcap.book.frame import BookError
from netcap.book.model import Position
from netcap.book.readers import load_book
from netcap.book.template import write_template
from netcap.report import export_computation
from netcap.rule.repos import repo_deficits
from tests.computation_helpers import AS_OF, book, run
from tests.test_report_focus import _recompute, _rows, assert_workbook_ties


def rr(rid: str, party: str, collateral: str, mv: float, cp: float, **kw: Any) -> ReverseRepo:
    return ReverseRepo(
        id=rid, counterparty=party, collateral=collateral, market_value=mv, contract_price=cp, **kw
    )


def rp(
    rid: str, party: str, collateral: str, mv: float, cp: float, **kw: Any
) -> RepurchaseAgreement:
    return RepurchaseAgreement(
        id=rid, counterparty=party, collateral=collateral, market_value=mv, contract_price=cp, **kw
    )


def with_(b: Book, **items: Any) -> Book:
    return b.model_copy(update=items)


# --- 15c3-1(c)(2)(iv)(F)(2): reverse repurchase agreements -------------------------------------


def test_reverse_deficit_reduced_by_each_clause_of_f2ii() -> None:
    """(F)(2)(i): the deduction equals the deficit; (F)(2)(ii)(A)-(D) reduce it."""
    b = with_(
        book(1_000_000),
        reverse_repos=(
            # (F)(1)(i): contract price 1,000,000 less market value 850,000 = deficit 150,000;
            # (A) margin held 20,000 and (D) calls outstanding one business day 5,000
            rr(
                "a",
                "P",
                "other",
                850_000,
                1_000_000,
                margin_held=20_000,
                calls_one_business_day=5_000,
            ),
            # (B) excess market value over contract price of another reverse with P: 30,000
            rr("b", "P", "treasury", 530_000, 500_000),
        ),
        # (C) a repurchase agreement with P whose market value 390,000 is below its contract
        # price 400,000: 10,000
        repurchase_agreements=(rp("c", "P", "other", 390_000, 400_000),),
    )
    r = run(b)
    # 150,000 - 20,000 - 30,000 - 10,000 - 5,000 = 85,000
    assert r.line("repo_deficits:reverse") == pytest.approx(-85_000)
    # the repurchase agreement has no deficit (market value below contract price): (F)(3) is 0
    assert r.line("repo_deficits:repurchase") == pytest.approx(0)
    assert r.net_capital == pytest.approx(915_000)
    cites = r.lines.set_index("line")["citation"]
    assert cites["repo_deficits:reverse"] == "15c3-1(c)(2)(iv)(F)(2)"
    assert cites["repo_deficits:repurchase"] == "15c3-1(c)(2)(iv)(F)(3)"


def test_reductions_of_one_party_do_not_reach_another() -> None:
    """(F)(2)(ii)(B): the excess must be under an agreement with the same party."""
    b = with_(
        book(1_000_000),
        reverse_repos=(
            rr("a", "P", "other", 900_000, 1_000_000),
            rr("b", "Q", "other", 1.2e6, 1e6),
        ),
    )
    # P's deficit 100,000 stands; Q's excess 200,000 cannot reduce it
    assert run(b).line("repo_deficits:reverse") == pytest.approx(-100_000)


def test_frbny_deficits_are_disregarded() -> None:
    """(F)(1)(iv): deficits with the Federal Reserve Bank of New York are disregarded."""
    b = with_(
        book(1_000_000),
        reverse_repos=(
            rr("a", "FRBNY", "treasury", 900_000, 1e6, federal_reserve_bank_of_new_york=True),
        ),
        repurchase_agreements=(
            rp("b", "FRBNY", "other", 2e6, 1e6, federal_reserve_bank_of_new_york=True),
        ),
    )
    r = run(b)
    assert r.line("repo_deficits:reverse") == 0
    assert r.line("repo_deficits:repurchase") == 0
    assert r.net_capital == pytest.approx(1_000_000)


# --- 15c3-1(c)(2)(iv)(F)(3): repurchase agreements ----------------------------------------------


def test_repo_a_per_agreement_over_its_class_percentage() -> None:
    """(F)(3)(i)(A): the deficit over 5% / 10% / 20% of the contract price."""
    b = with_(
        book(10_000_000),
        repurchase_agreements=(
            # Treasury: deficit 1,080,000 - 1,000,000 = 80,000 over 5% x 1,000,000 = 50,000: 30,000
            rp("t", "P", "treasury", 1_080_000, 1_000_000),
            # agency: deficit 150,000 over 10% x 1,000,000 = 100,000: 50,000
            rp("g", "Q", "agency_or_mortgage", 1_150_000, 1_000_000),
            # other: deficit 150,000 under 20% x 1,000,000 = 200,000: nothing
            rp("o", "R", "other", 1_150_000, 1_000_000),
        ),
    )
    r = run(b)
    # net capital before (c)(2)(vi) is 10,000,000: 25% = 2,500,000 per party, 300% = 30,000,000,
    # far above every deficit, so (B) and (C) add nothing: 30,000 + 50,000 = 80,000
    assert r.repo_deficits is not None
    detail = r.repo_deficits.detail.set_index("id")
    assert detail.loc["t", "deduction"] == pytest.approx(30_000)
    assert detail.loc["g", "deduction"] == pytest.approx(50_000)
    assert detail.loc["o", "deduction"] == pytest.approx(0)
    assert r.line("repo_deficits:repurchase") == pytest.approx(-80_000)


def test_repo_b_party_over_25_percent_less_a() -> None:
    """(F)(3)(i)(B): a party's deficits over 25% of net capital before (c)(2)(vi), less (A)."""
    b = with_(
        book(1_000_000),
        repurchase_agreements=(
            # deficit 400,000 under 5% x 10,000,000 = 500,000: (A) nothing
            rp("t", "P", "treasury", 10_400_000, 10_000_000),
        ),
    )
    r = run(b)
    # (B): 400,000 - 25% x 1,000,000 = 150,000, less (A) 0 = 150,000
    assert r.line("repo_deficits:repurchase") == pytest.approx(-150_000)
    assert r.net_capital == pytest.approx(850_000)


def test_repo_b_does_not_deduct_again_what_a_took() -> None:
    """(F)(3)(i)(B) "(less any deduction taken ... under (A))"."""
    b = with_(
        book(1_000_000),
        # other securities: deficit 600,000 - 20% x 1,000,000 = 400,000 under (A);
        # (B): 600,000 - 250,000 = 350,000, less (A) 400,000: nothing more
        repurchase_agreements=(rp("o", "P", "other", 1_600_000, 1_000_000),),
    )
    assert run(b).line("repo_deficits:repurchase") == pytest.approx(-400_000)


def test_repo_c_aggregate_over_300_percent_if_greater() -> None:
    """(F)(3)(i)(C): aggregate deficits over 300% of net capital before (c)(2)(vi), if greater."""
    agreements = tuple(
        # each: deficit 240,000, under 5% x 5,000,000 = 250,000 ((A) nothing) and under
        # 25% x 1,000,000 = 250,000 for its party ((B) nothing)
        rp(f"t{i}", f"P{i}", "treasury", 5_240_000, 5_000_000)
        for i in range(14)
    )
    r = run(with_(book(1_000_000), repurchase_agreements=agreements))
    # (C): 14 x 240,000 = 3,360,000 - 300% x 1,000,000 = 360,000, greater than (A) + (B) = 0
    assert r.repo_deficits is not None
    assert r.repo_deficits.c_binds
    assert r.line("repo_deficits:repurchase") == pytest.approx(-360_000)


def test_repo_deficit_reduced_by_what_the_reverse_left_unused() -> None:
    """(F)(3)(ii)(A), (C): margin and calls the reverse deficit did not use."""
    b = with_(
        book(10_000_000),
        # reverse with P: deficit 10,000, margin held 50,000 and a 15,000 one-day call
        reverse_repos=(
            rr(
                "r",
                "P",
                "treasury",
                990_000,
                1e6,
                margin_held=50_000,
                calls_one_business_day=15_000,
            ),
        ),
        # repo with P, other securities: deficit 400,000
        repurchase_agreements=(rp("p", "P", "other", 1_400_000, 1_000_000),),
    )
    r = run(b)
    # reverse: 10,000 fully reduced (by margin), (F)(2) deduction 0; left: 40,000 + 15,000
    # repo: 400,000 - 55,000 = 345,000 over 20% x 1,000,000: 145,000
    assert r.line("repo_deficits:reverse") == 0
    assert r.line("repo_deficits:repurchase") == pytest.approx(-145_000)


def test_base_includes_the_reverse_deduction_and_other_deductions() -> None:
    """(F)(3)(i)(B): "net capital before the application of (c)(2)(vi)"."""
    b = with_(
        book(1_000_000),
        reverse_repos=(rr("r", "Q", "other", 800_000, 1_000_000),),  # (F)(2): 200,000
        repurchase_agreements=(rp("t", "P", "treasury", 10_400_000, 10_000_000),),
    )
    r = run(b)
    assert r.repo_deficits is not None
    # before (c)(2)(vi): 1,000,000 - 200,000 = 800,000; (B) 400,000 - 25% x 800,000 = 200,000
    assert r.repo_deficits.base == pytest.approx(800_000)
    assert r.line("repo_deficits:repurchase") == pytest.approx(-200_000)
    assert r.net_capital == pytest.approx(600_000)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P", "Q"]),
            st.sampled_from(["treasury", "agency_or_mortgage", "other"]),
            st.floats(0, 5e6),
            st.floats(0, 5e6),
            st.booleans(),
        ),
        max_size=8,
    ),
    st.floats(-1e6, 2e7),
)
def test_deductions_never_exceed_the_deficits(rows: list[Any], base: float) -> None:
    """Property: reductions never add, and (F)(3) never exceeds the repurchase deficits."""
    reverse = [rr(f"r{i}", p, c, mv, cp) for i, (p, c, mv, cp, is_r) in enumerate(rows) if is_r]
    repos = [rp(f"p{i}", p, c, mv, cp) for i, (p, c, mv, cp, is_r) in enumerate(rows) if not is_r]
    res = repo_deficits(reverse, repos, AS_OF, base)
    d = res.detail
    is_rr = d["agreement"] == "reverse_repo"
    assert 0 <= res.reverse <= d.loc[is_rr, "deficit"].sum() + 1e-6
    assert 0 <= res.repo <= d.loc[~is_rr, "deficit"].sum() + 1e-6


def test_typed_in_and_computed_deficits_are_refused() -> None:
    """No double counting: the typed-in (F) deduction or the agreements, not both."""
    typed = {"id": "NA", "kind": "repo_deficits", "amount": 5}
    agreement = rp("p", "P", "other", 1, 1).model_dump()
    with pytest.raises(ValidationError, match="not both"):
        Book.model_validate(
            {
                "as_of": AS_OF,
                "balance_sheet": {"net_worth": 1, "non_allowable_assets": [typed]},
                "repurchase_agreements": [agreement],
            }
        )


def test_a_typed_in_deficit_alone_still_works() -> None:
    r = run(
        book(
            1_000_000,
            non_allowable_assets=({"id": "NA", "kind": "repo_deficits", "amount": 7_000},),
        )
    )
    assert r.net_capital == pytest.approx(993_000)


# --- Appendix D: secured demand notes ------------------------------------------------------------


def equity(pid: str, mv: float) -> Position:
    return Position(id=pid, security_class="equity", side="long", market_value=mv)


def test_sdn_collateral_value_and_deficiency() -> None:
    """15c3-1d(a)(2)(iii): 30% in lieu of the (J) deduction; (b)(6) and (c)(2)(iv)(B)."""
    notes = (
        # cash 100,000 + equity 600,000 x (1 - 30%) = 420,000 -> 520,000 against 1,000,000:
        # deficiency 480,000 (under (J) alone it would have been 600,000 x 85% = 510,000)
        SecuredDemandNote(
            id="n1",
            unpaid_principal=1_000_000,
            cash_collateral=100_000,
            collateral=(equity("e", 6e5),),
        ),
        # fully secured by cash: no deficiency
        SecuredDemandNote(id="n2", unpaid_principal=100_000, cash_collateral=100_000),
    )
    r = run(with_(book(2_000_000), secured_demand_notes=notes))
    assert r.secured_demand_notes is not None
    per_note = r.secured_demand_notes.notes.set_index("id")
    assert per_note.loc["n1", "collateral_value"] == pytest.approx(420_000)
    assert per_note.loc["n1", "deficiency"] == pytest.approx(480_000)
    assert per_note.loc["n2", "deficiency"] == 0
    assert r.line("sdn_collateral_deficiency") == pytest.approx(-480_000)
    assert r.net_capital == pytest.approx(1_520_000)
    assert (
        r.lines.set_index("line")
        .loc["sdn_collateral_deficiency", "citation"]
        .startswith("15c3-1(c)(2)(iv)(B)")
    )


def test_sdn_collateral_other_than_j_takes_its_own_deduction() -> None:
    """15c3-1d(a)(2)(iii): the (c)(2)(vi) percentage deductions apply to other securities."""
    # a money market fund share: 2% under (c)(2)(vi)(D)(1) -> 500,000 x 98% = 490,000
    mmf = Position(id="m", security_class="money_market_fund", side="long", market_value=500_000)
    note = SecuredDemandNote(id="n", unpaid_principal=500_000, collateral=(mmf,))
    r = run(with_(book(1_000_000), secured_demand_notes=(note,)))
    assert r.line("sdn_collateral_deficiency") == pytest.approx(-10_000)


def test_sdn_typed_and_computed_refused_and_short_collateral_refused() -> None:
    with pytest.raises(ValidationError, match="not both"):
        Book.model_validate(
            {
                "as_of": AS_OF,
                "balance_sheet": {
                    "net_worth": 1,
                    "non_allowable_assets": [
                        {"id": "S", "kind": "sdn_collateral_deficiency", "amount": 1}
                    ],
                },
                "secured_demand_notes": [{"id": "n", "unpaid_principal": 1}],
            }
        )
    with pytest.raises(ValidationError, match="held long"):
        SecuredDemandNote(
            id="n",
            unpaid_principal=1,
            collateral=(Position(id="x", security_class="equity", side="short", market_value=1),),
        )


# --- 15c3-1(a)(4) with (a)(2)(iii) ---------------------------------------------------------------


def test_market_maker_typed_below_a_dealer_gets_the_dealer_minimum() -> None:
    """(c)(8): a market maker is a dealer; (a)(2)(iii): $100,000; (a)(4): never less than (a)."""
    making = MarketMaking(average_markets_over_5=2, average_markets_at_or_below_5=1)
    b = with_(book(1_000_000, firm_type="non_carrying_broker"), market_making=making)
    r = run(b)
    # (a)(4): 2 x 2,500 + 1 x 1,000 = 6,000; (a)(2)(vi): 5,000; the dealer's 100,000 binds
    assert r.requirement.amount == pytest.approx(100_000)
    assert r.requirement.binding_key == "market_maker_dealer_minimum"
    assert any("15c3-1(a)(2)(iii)" in w and "15c3-1(a)(4)" in w for w in r.warnings)


def test_dealer_market_maker_gets_no_extra_candidate() -> None:
    making = MarketMaking(average_markets_over_5=2, average_markets_at_or_below_5=1)
    r = run(with_(book(1_000_000), market_making=making))
    assert "market_maker_dealer_minimum" not in set(r.requirement.candidates["key"])
    assert not any("15c3-1(c)(8)" in w for w in r.warnings)


# --- end to end: CSV folder, workbook, JSON report -----------------------------------------------

FIRM = "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\n"
REVERSE = (
    "id,counterparty,collateral,market_value,contract_price,margin_held\n"
    "r1,P,other,850000,1000000,20000\n"
)
REPURCHASE = (
    "id,counterparty,collateral,market_value,contract_price\np1,Q,treasury,10400000,10000000\n"
)


def _sdn_csv() -> str:
    collateral = json.dumps(
        [{"id": "e", "security_class": "equity", "side": "long"} | {"market_value": 100000}]
    )
    return "id,unpaid_principal,cash_collateral,collateral\n" + (
        f'n1,200000,50000,"{collateral.replace(chr(34), chr(34) * 2)}"\n'
    )


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text(FIRM)
    (folder / "reverse_repos.csv").write_text(REVERSE)
    (folder / "repurchase_agreements.csv").write_text(REPURCHASE)
    (folder / "secured_demand_notes.csv").write_text(_sdn_csv())
    return folder


def _check(r: Any) -> None:
    # reverse: 150,000 - 20,000 margin = 130,000
    assert r.line("repo_deficits:reverse") == pytest.approx(-130_000)
    # SDN: 50,000 cash + 100,000 x 70% = 120,000 against 200,000: 80,000
    assert r.line("sdn_collateral_deficiency") == pytest.approx(-80_000)
    # base 1,000,000 - 130,000 - 80,000 = 790,000; repo deficit 400,000 under 5% x 10,000,000:
    # (A) 0; (B) 400,000 - 25% x 790,000 = 202,500
    assert r.line("repo_deficits:repurchase") == pytest.approx(-202_500)
    assert r.net_capital == pytest.approx(1_000_000 - 130_000 - 80_000 - 202_500)


def test_csv_folder_end_to_end(tmp_path: Path) -> None:
    loaded = load_book(_folder(tmp_path))
    _check(loaded.compute())
    report = loaded.compute().to_dict()
    assert report["repo_deficits"]["repurchase_deduction"] == 202_500
    assert report["secured_demand_notes"]["deficiency"] == 80_000
    keys = [ln["line"] for ln in report["lines"]]
    assert keys.index("sdn_collateral_deficiency") < keys.index("repo_deficits:repurchase")
    assert keys.index("repo_deficits:repurchase") < keys.index("tentative_net_capital")


def test_workbook_and_json_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    for name, text in (
        ("firm", FIRM),
        ("reverse_repos", REVERSE),
        ("repurchase_agreements", REPURCHASE),
    ):
        ws = wb[name]
        ws.delete_rows(1, ws.max_row)
        for line in text.strip().split("\n"):
            ws.append([float(v) if v.replace(".", "").isdigit() else v for v in line.split(",")])
    ws = wb["secured_demand_notes"]
    ws.delete_rows(1, ws.max_row)
    ws.append(["id", "unpaid_principal", "cash_collateral", "collateral"])
    ws.append(
        [
            "n1",
            200000,
            50000,
            json.dumps(
                [{"id": "e", "security_class": "equity", "side": "long", "market_value": 100000}]
            ),
        ]
    )
    wb.save(path)
    _check(load_book(path).compute())
    as_json = tmp_path / "book.json"
    as_json.write_text(
        json.dumps(
            {
                "as_of": "2024-06-28",
                "balance_sheet": {"net_worth": 1_000_000},
                "reverse_repos": [
                    {"id": "r1", "counterparty": "P", "collateral": "other"}
                    | {"market_value": 850_000, "contract_price": 1_000_000, "margin_held": 20_000}
                ],
                "repurchase_agreements": [
                    {"id": "p1", "counterparty": "Q", "collateral": "treasury"}
                    | {"market_value": 10_400_000, "contract_price": 10_000_000}
                ],
                "secured_demand_notes": [
                    {"id": "n1", "unpaid_principal": 200_000, "cash_collateral": 50_000}
                    | {
                        "collateral": [
                            {
                                "id": "e",
                                "security_class": "equity",
                                "side": "long",
                                "market_value": 100_000,
                            }
                        ]
                    }
                ],
            }
        )
    )
    _check(load_book(as_json).compute())


def test_computation_workbook_has_live_formulas(tmp_path: Path) -> None:
    """The three lines are formulas over their own sheets, and recompute to the figures."""
    loaded = load_book(_folder(tmp_path))
    result = loaded.compute()
    path = export_computation(result, tmp_path / "out.xlsx", loaded=loaded)
    wb = openpyxl.load_workbook(path)
    comp = wb["Computation"]
    rows = _rows(comp)
    for key in ("repo_deficits:reverse", "repo_deficits:repurchase", "sdn_collateral_deficiency"):
        assert comp.cell(row=rows[key], column=3).data_type == "f", key
    assert "Repurchase agreements" in wb.sheetnames
    assert "Secured demand notes" in wb.sheetnames
    assert assert_workbook_ties(path, result, _recompute(path)) > 0


def test_bad_agreement_rows_are_all_reported_at_once(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "repurchase_agreements.csv").write_text(
        "id,counterparty,collateral,market_value,contract_price\np1,Q,treasury,,10000000\n"
    )
    (folder / "reverse_repos.csv").write_text(
        "id,counterparty,collateral,market_value,contract_price\nr1,P,bonds,1,1\n"
    )
    (folder / "secured_demand_notes.csv").write_text("id,unpaid_principal\nn1,-5\n")
    with pytest.raises(BookError) as info:
        load_book(folder)
    found = {(Path(e.source).name, e.row, e.field) for e in info.value.errors}
    assert ("repurchase_agreements.csv", 2, "market_value") in found
    assert ("reverse_repos.csv", 2, "collateral") in found
    assert ("secured_demand_notes.csv", 2, "unpaid_principal") in found
