"""15c3-1(c)(2)(xiv): fidelity bond deductible in excess of what the Examining Authority allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from netcap.book.firm import FidelityBond, OtherDeduction
from netcap.book.readers import load_book
from netcap.book.template import write_template
from tests.computation_helpers import book, run


@pytest.mark.parametrize(
    ("deductible", "allowed", "deduction"),
    [
        (150_000, 100_000, 50_000),  # 150,000 - 100,000
        (100_000, 100_000, 0.0),  # at the allowed amount exactly: nothing
        (25_000, 100_000, 0.0),  # below it: nothing, and no credit
    ],
)
def test_c2xiv_excess_deductible(deductible: float, allowed: float, deduction: float) -> None:
    """15c3-1(c)(2)(xiv): deduct the deductible over the allowed deductible."""
    bond = FidelityBond(deductible=deductible, allowed_deductible=allowed)
    r = run(book(1_000_000, fidelity_bond=bond))
    assert r.line("fidelity_bond_excess_deductible") == pytest.approx(-deduction)
    cites = r.lines.set_index("line")["citation"]
    assert cites["fidelity_bond_excess_deductible"] == "15c3-1(c)(2)(xiv)"
    assert r.tentative_net_capital == pytest.approx(1_000_000 - deduction)


def test_c2xiv_typed_in_deduction_still_works() -> None:
    """15c3-1(c)(2)(xiv) as an other deduction, for a firm that works it out itself."""
    typed = OtherDeduction(label="fidelity bond", amount=3_000, citation="15c3-1(c)(2)(xiv)")
    r = run(book(1_000_000, other_deductions=(typed,)))
    assert r.tentative_net_capital == pytest.approx(997_000)  # 1,000,000 - 3,000
    assert not r.has_line("fidelity_bond_excess_deductible")


def test_c2xiv_both_forms_refused() -> None:
    """15c3-1(c)(2)(xiv) given twice would be deducted twice: an error naming the row."""
    typed = OtherDeduction(label="fidelity bond", amount=3_000, citation="15c3-1(c)(2)(xiv)")
    bond = FidelityBond(deductible=150_000, allowed_deductible=100_000)
    with pytest.raises(ValidationError, match=r"other_deductions 0: .*\(c\)\(2\)\(xiv\)"):
        book(1_000_000, fidelity_bond=bond, other_deductions=(typed,))


def test_c2xiv_negative_amount_refused() -> None:
    with pytest.raises(ValidationError, match="deductible"):
        FidelityBond(deductible=-1, allowed_deductible=0)


def test_c2xiv_read_from_csv_folder_and_json(tmp_path: Path) -> None:
    """The tabular reader finds the dotted fields; the JSON reader the nested object."""
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\n"
        "balance_sheet.fidelity_bond.deductible,150000\n"
        "balance_sheet.fidelity_bond.allowed_deductible,100000\n"
    )
    loaded = load_book(folder)
    assert loaded.compute().line("fidelity_bond_excess_deductible") == pytest.approx(-50_000)

    path = tmp_path / "book.json"
    path.write_text(
        json.dumps(
            {
                "as_of": "2024-06-28",
                "balance_sheet": {
                    "net_worth": 1_000_000,
                    "fidelity_bond": {"deductible": 150_000, "allowed_deductible": 100_000},
                },
            }
        )
    )
    assert load_book(path).compute().line("fidelity_bond_excess_deductible") == pytest.approx(
        -50_000
    )
