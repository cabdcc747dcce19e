"""15c3-1(c)(2)(xii)(A): cash required in undermargined accounts, after recent calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from netcap.book.firm import UndermarginedAccount
from netcap.book.readers import list_sheets, load_book
from netcap.book.template import write_template
from tests.computation_helpers import book, run


def acct(
    aid: str, required: float, call: float = 0.0, days: int | None = None
) -> UndermarginedAccount:
    return UndermarginedAccount(
        id=aid, cash_required=required, call_amount=call, call_business_days=days
    )


@pytest.mark.parametrize(
    ("account", "deduction"),
    [
        (acct("a", 100_000, 60_000, 5), 40_000),  # call 5 business days old: applied, 100k - 60k
        (acct("a", 100_000, 60_000, 6), 100_000),  # 6 days: not applied, all 100k deducted
        (acct("a", 100_000, 60_000, 0), 40_000),  # issued today: applied
        (acct("a", 100_000), 100_000),  # no call outstanding
        (acct("a", 100_000, 150_000, 2), 0.0),  # call exceeds the need: nothing, no credit
    ],
)
def test_c2xiiA_one_account(account: UndermarginedAccount, deduction: float) -> None:
    """15c3-1(c)(2)(xii)(A): calls outstanding 5 business days or less are applied first."""
    r = run(book(1_000_000, undermargined_accounts=(account,)))
    assert r.line("undermargined_accounts") == pytest.approx(-deduction)
    assert r.tentative_net_capital == pytest.approx(1_000_000 - deduction)
    cites = r.lines.set_index("line")["citation"]
    assert cites["undermargined_accounts"] == "15c3-1(c)(2)(xii)(A)"


def test_c2xiiA_accounts_are_summed_each_on_its_own() -> None:
    """15c3-1(c)(2)(xii)(A): per account; one account's excess call does not cover another."""
    accounts = (
        acct("a", 100_000, 60_000, 5),  # 40,000
        acct("b", 50_000, 80_000, 1),  # 0 (the 30,000 excess is not carried to "c")
        acct("c", 70_000, 10_000, 9),  # 70,000: call too old
    )
    r = run(book(1_000_000, undermargined_accounts=accounts))
    assert r.line("undermargined_accounts") == pytest.approx(-110_000)  # 40,000 + 0 + 70,000


def test_c2xiiA_no_line_without_accounts() -> None:
    assert not run(book(1_000_000)).has_line("undermargined_accounts")


def test_c2xiiA_bad_input() -> None:
    with pytest.raises(ValidationError, match="call_business_days"):
        UndermarginedAccount(id="a", cash_required=1, call_amount=1)
    with pytest.raises(ValidationError, match="cash_required"):
        UndermarginedAccount(id="a", cash_required=-1)
    with pytest.raises(ValidationError, match="undermargined account 1: duplicate id 'a'"):
        book(1_000_000, undermargined_accounts=(acct("a", 1), acct("a", 2)))


def test_c2xiiA_read_from_a_csv_folder(tmp_path: Path) -> None:
    assert "undermargined_accounts" in list_sheets()
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\n"
    )
    (folder / "undermargined_accounts.csv").write_text(
        "id,cash_required,call_amount,call_business_days,description\n"
        "a,100000,60000,5,\nb,20000,,,\n"
    )
    r = load_book(folder).compute()
    assert r.line("undermargined_accounts") == pytest.approx(-60_000)  # 40,000 + 20,000
