"""Dated receivables of 15c3-1(c)(2)(iv)(B) and (C): ages, periods and deductions.

Settlement-day holidays used below: Memorial Day Monday 2024-05-27, Juneteenth Wednesday
2024-06-19 and Independence Day Thursday 2024-07-04.  An item is n business days old on
the n-th settlement day after its date, and n calendar days old n days after it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.book_json import BookInputError
from netcap.book.book_json import load_book as load_json_book
from netcap.book.firm import NonAllowableAsset
from netcap.book.frame import BookError
from netcap.book.loading import load_book, write_template
from netcap.rule.computation import compute
from netcap.rule.receivables import Receivable, ReceivableKind, _periods, aged_receivables
from netcap.rule.tables import Schedule, TableError, load_schedule
from tests.computation_helpers import book


def _one(kind: str, amount: float, aged_from: date, as_of: date) -> pd.Series:
    r = Receivable(id="r", kind=ReceivableKind(kind), amount=amount, aged_from=aged_from)
    return aged_receivables([r], as_of).detail.iloc[0]


def test_commissions_at_30_calendar_days_kept_at_31_deducted() -> None:
    # (iv)(C): "longer than 30 days" from the date it arose.
    # 2024-05-01 -> 2024-05-31 is 30 days: not longer than 30, nothing deducted
    kept = _one("commissions_receivable", 12_345, date(2024, 5, 1), date(2024, 5, 31))
    assert kept["age_days"] == 30
    assert not kept["aged"]
    assert kept["deduction"] == 0
    # 2024-04-30 -> 2024-05-31 is 31 days: deducted in full, 12,345
    gone = _one("commissions_receivable", 12_345, date(2024, 4, 30), date(2024, 5, 31))
    assert gone["age_days"] == 31
    assert gone["deduction"] == pytest.approx(12_345)
    assert gone["citation"] == "15c3-1(c)(2)(iv)(C)"


def test_dividends_count_from_payable_date_across_leap_february() -> None:
    # payable 2024-02-01; February 2024 has 29 days, so 2024-03-02 is day 30 (kept) and
    # 2024-03-03 day 31 (deducted: 2,500)
    kept = _one("dividends_receivable", 2_500, date(2024, 2, 1), date(2024, 3, 2))
    assert (kept["age_days"], kept["deduction"]) == (30, 0)
    gone = _one("dividends_receivable", 2_500, date(2024, 2, 1), date(2024, 3, 3))
    assert (gone["age_days"], gone["deduction"]) == (31, 2_500)


def test_free_shipment_ages_in_business_days_across_memorial_day() -> None:
    # shipped Tuesday 2024-05-21; settlement days after it: 22, 23, 24, (27 closed), 28, 29,
    # 30, 31 -> 7 on Friday 5/31: not more than 7, kept
    kept = _one("free_shipment", 4_000, date(2024, 5, 21), date(2024, 5, 31))
    assert kept["day_count"] == "business"
    assert (kept["age_days"], kept["deduction"]) == (7, 0)
    # Monday 6/3 is the 8th: deducted, 4,000
    gone = _one("free_shipment", 4_000, date(2024, 5, 21), date(2024, 6, 3))
    assert (gone["age_days"], gone["deduction"]) == (8, 4_000)
    assert gone["citation"] == "15c3-1(c)(2)(iv)(B)"


def test_free_shipment_over_5000_is_deducted_at_once() -> None:
    # (iv)(B): a shipment in excess of $5,000 is deducted whatever its age
    on = date(2024, 6, 3)
    big = _one("free_shipment", 5_001, on, on)
    assert (big["age_days"], big["deduction"]) == (0, 5_001)
    assert big["reason"] == "over the per-item amount"
    # exactly $5,000 is not in excess of it
    assert _one("free_shipment", 5_000, on, on)["deduction"] == 0


def test_mutual_fund_redemption_16_business_days_across_juneteenth() -> None:
    # shipped Monday 2024-06-03: June 4-7 (4), 10-14 (9), 17, 18, 20, 21 (13; 6/19 closed),
    # 24, 25, 26 (16) -> 16 on 6/26, kept; 17 on 6/27, deducted.  No amount limit:
    # a 50,000 redemption within its period is kept.
    kept = _one("mutual_fund_redemption", 50_000, date(2024, 6, 3), date(2024, 6, 26))
    assert (kept["age_days"], kept["deduction"]) == (16, 0)
    gone = _one("mutual_fund_redemption", 50_000, date(2024, 6, 3), date(2024, 6, 27))
    assert (gone["age_days"], gone["deduction"]) == (17, 50_000)


def test_good_faith_deposit_11_business_days_across_july_4() -> None:
    # underwriting settled with the issuer Monday 2024-07-01: 7/2, 7/3, (7/4 closed), 7/5 (3),
    # 7/8-7/12 (8), 7/15, 7/16, 7/17 (11) -> kept on 7/17, deducted on 7/18 (12)
    kept = _one("good_faith_deposit", 75_000, date(2024, 7, 1), date(2024, 7, 17))
    assert (kept["age_days"], kept["deduction"]) == (11, 0)
    gone = _one("good_faith_deposit", 75_000, date(2024, 7, 1), date(2024, 7, 18))
    assert (gone["age_days"], gone["deduction"]) == (12, 75_000)


def test_municipal_good_faith_deposit_60_calendar_days() -> None:
    # 2024-01-02 -> 2024-02-02 is 31 days, -> 2024-03-02 another 29: 60, kept; 3/3: 61
    kept = _one("municipal_good_faith_deposit", 9_000, date(2024, 1, 2), date(2024, 3, 2))
    assert (kept["age_days"], kept["day_count"], kept["deduction"]) == (60, "calendar", 0)
    gone = _one("municipal_good_faith_deposit", 9_000, date(2024, 1, 2), date(2024, 3, 3))
    assert gone["deduction"] == 9_000


def _book_with_receivables() -> object:
    items = (
        # arose 2024-05-20, as of 2024-06-28: 11 + 28 = 39 days (> 30): 18,000
        Receivable(
            id="comm-1", kind="commissions_receivable", amount=18_000, aged_from=date(2024, 5, 20)
        ),
        # arose 2024-05-28: 3 + 28 = 31 days (> 30): 2,000
        Receivable(
            id="comm-2", kind="commissions_receivable", amount=2_000, aged_from=date(2024, 5, 28)
        ),
        # shipped Monday 2024-06-17: 18, (19 closed), 20, 21, 24, 25, 26, 27, 28 = 8 (> 7): 3,200
        Receivable(id="fs", kind="free_shipment", amount=3_200, aged_from=date(2024, 6, 17)),
        # payable 2024-06-14: 14 days, kept
        Receivable(
            id="div", kind="dividends_receivable", amount=7_500, aged_from=date(2024, 6, 14)
        ),
    )
    return book(1_000_000).model_copy(update={"receivables": items})


def test_insurance_claim_without_counsel_opinion_after_7_business_days() -> None:
    # (iv)(D): claims "which, after seven (7) business days from the date the loss giving
    # rise to the claim is discovered, are not covered by an opinion of outside counsel".
    # Loss discovered Friday 2024-06-14; settlement days after it: 17, 18, (19 closed), 20,
    # 21, 24, 25 -> 6 on Tuesday 6/25, 7 on Wednesday 6/26: not yet after 7, kept
    kept = _one("insurance_claim", 25_000, date(2024, 6, 14), date(2024, 6, 26))
    assert (kept["age_days"], kept["deduction"]) == (7, 0)
    # Thursday 6/27 is the 8th: after 7 business days, deducted in full, 25,000
    gone = _one("insurance_claim", 25_000, date(2024, 6, 14), date(2024, 6, 27))
    assert (gone["age_days"], gone["deduction"]) == (8, 25_000)
    assert gone["citation"] == "15c3-1(c)(2)(iv)(D)"


def test_insurance_claim_with_counsel_opinion_after_20_business_days_from_discovery() -> None:
    # (iv)(D): with counsel's opinion but "after twenty (20) business days from the date the
    # loss ... is discovered ... have not been acknowledged in writing by the insurance
    # carrier".  Discovered Friday 2024-05-24: May 28-31 (27 closed) 4 + June 3-7 5 +
    # June 10-14 5 = 14 on 6/14; June 17, 18, 20, 21 (19 closed) = 18 on 6/21; 24, 25 = 20
    # on Tuesday 6/25: kept
    kept = _one("insurance_claim_counsel_opinion", 10_000, date(2024, 5, 24), date(2024, 6, 25))
    assert (kept["age_days"], kept["deduction"]) == (20, 0)
    # Wednesday 6/26 is the 21st: deducted, 10,000
    gone = _one("insurance_claim_counsel_opinion", 10_000, date(2024, 5, 24), date(2024, 6, 26))
    assert (gone["age_days"], gone["deduction"]) == (21, 10_000)


def test_acknowledged_insurance_claim_counts_from_the_acknowledgement() -> None:
    # (iv)(D): "acknowledged in writing by the carrier as due and payable outstanding longer
    # than twenty (20) business days from the date they are so acknowledged".  Acknowledged
    # Monday 2024-06-03: June 4-7 4 + 10-14 5 + 17-21 4 (19 closed) + 24-28 5 = 18 on 6/28
    kept = _one("insurance_claim_acknowledged", 40_000, date(2024, 6, 3), date(2024, 6, 28))
    assert (kept["age_days"], kept["deduction"]) == (18, 0)
    # July 1 (19), 2 (20): kept at 20; July 3 is the 21st: deducted, 40,000
    kept = _one("insurance_claim_acknowledged", 40_000, date(2024, 6, 3), date(2024, 7, 2))
    assert (kept["age_days"], kept["deduction"]) == (20, 0)
    gone = _one("insurance_claim_acknowledged", 40_000, date(2024, 6, 3), date(2024, 7, 3))
    assert (gone["age_days"], gone["deduction"]) == (21, 40_000)


def test_book_takes_one_cited_line_per_kind() -> None:
    r = compute(_book_with_receivables())  # type: ignore[arg-type]
    plain = compute(book(1_000_000))
    # 18,000 + 2,000 + 3,200 = 23,200 off tentative net capital
    assert plain.tentative_net_capital - r.tentative_net_capital == pytest.approx(23_200)
    lines = r.lines.set_index("line")
    assert lines.loc["aged_receivables:commissions_receivable", "amount"] == -20_000
    assert lines.loc["aged_receivables:commissions_receivable", "citation"] == (
        "15c3-1(c)(2)(iv)(C)"
    )
    assert lines.loc["aged_receivables:free_shipment", "amount"] == -3_200
    assert lines.loc["aged_receivables:free_shipment", "citation"] == "15c3-1(c)(2)(iv)(B)"
    assert "aged_receivables:dividends_receivable" not in lines.index  # nothing deducted


def test_every_receivable_is_in_the_detail_once() -> None:
    r = compute(_book_with_receivables())  # type: ignore[arg-type]
    detail = r.aged_items[r.aged_items["source"] == "receivables"]
    assert sorted(detail["id"]) == ["comm-1", "comm-2", "div", "fs"]
    ages = dict(zip(detail["id"], detail["age_days"], strict=True))
    assert ages == {"comm-1": 39, "comm-2": 31, "fs": 8, "div": 14}


def test_pre_aged_entry_still_works_and_double_entry_is_refused() -> None:
    pre = NonAllowableAsset(id="fs", kind="free_shipments", amount=3_200)
    b = book(1_000_000, non_allowable_assets=(pre,))
    r = compute(b)
    assert r.line("nonallowable:free_shipments") == -3_200  # typed in, deducted as typed
    dated = {"id": "fs", "kind": "free_shipment", "amount": 3_200, "aged_from": "2024-06-17"}
    with pytest.raises(ValidationError, match="id 'fs' is also a non-allowable asset"):
        type(b).model_validate({**b.model_dump(), "receivables": [dated]})


def test_dates_after_as_of_and_duplicate_ids_are_refused() -> None:
    b = book(1_000_000)
    base = b.model_dump()
    late = {"id": "x", "kind": "interest_receivable", "amount": 1, "aged_from": "2024-06-29"}
    with pytest.raises(ValidationError, match="aged_from 2024-06-29 is after the as-of date"):
        type(b).model_validate({**base, "receivables": [late]})
    ok = {**late, "aged_from": "2024-06-01"}
    with pytest.raises(ValidationError, match="duplicate id 'x'"):
        type(b).model_validate({**base, "receivables": [ok, ok]})


def test_json_book_error_names_item_and_field(tmp_path: Path) -> None:
    doc = {
        "as_of": "2024-06-28",
        "balance_sheet": {"net_worth": 1_000_000},
        "receivables": [
            {"id": "a", "kind": "interest_receivable", "amount": 10, "aged_from": "2024-06-01"},
            {"id": "b", "kind": "syndicate_profit", "amount": 10, "aged_from": "2024-06-01"},
        ],
    }
    path = tmp_path / "book.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(BookInputError, match=r"receivables\[1\]\.kind"):
        load_json_book(path)


def test_csv_folder_loads_receivables_and_names_bad_row_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    assert (folder / "receivables.csv").is_file()  # the template has the sheet
    (folder / "firm.csv").write_text("field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1e6\n")
    (folder / "receivables.csv").write_text(
        "id,kind,amount,aged_from,description\n"
        "c1,commissions_receivable,18000,2024-05-20,\n"
        "d1,dividends_receivable,7500,2024-06-14,\n"
    )
    loaded = load_book(folder)
    assert [r.id for r in loaded.book.receivables] == ["c1", "d1"]
    # c1: 39 days old (> 30), 18,000; d1: 14 days, kept
    assert loaded.compute().line("aged_receivables:commissions_receivable") == -18_000
    (folder / "receivables.csv").write_text(
        "id,kind,amount,aged_from,description\n"
        "c1,commissions_receivable,18000,2024-05-20,\n"
        "d1,dividends_receivable,7500,14/06/2024,\n"
    )
    with pytest.raises(BookError) as info:
        load_book(folder)
    # header is row 1, so d1 is row 3
    assert {(e.row, e.field) for e in info.value.errors} == {(3, "aged_from")}


def test_xlsx_workbook_loads_receivables(tmp_path: Path) -> None:
    import openpyxl  # noqa: PLC0415

    path = tmp_path / "book.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    for row in wb["firm"].iter_rows(min_row=2):
        if row[0].value == "as_of":
            row[1].value = "2024-06-28"
        if row[0].value == "balance_sheet.net_worth":
            row[1].value = 1_000_000
    wb["receivables"].append(["fs", "free_shipment", 3_200, "2024-06-17", "late shipment"])
    wb.save(path)
    loaded = load_book(path)
    # shipped 2024-06-17, 8 business days old on 6/28 (Juneteenth skipped): 3,200
    assert loaded.compute().line("aged_receivables:free_shipment") == -3_200


def test_bad_period_in_table_names_the_row_and_field() -> None:
    table = load_schedule("receivables", date(2024, 6, 28))
    rows = table.rows.copy()
    rows.loc[rows["key"] == "dividends_receivable", "days"] = "thirty"
    with pytest.raises(TableError, match=r"'dividends_receivable': field 'days'"):
        _periods(Schedule(name="receivables", rows=rows))
    rows = table.rows.copy()
    rows.loc[rows["key"] == "free_shipment", "day_count"] = "weekdays"
    with pytest.raises(TableError, match=r"'free_shipment': field 'day_count'"):
        _periods(Schedule(name="receivables", rows=rows))


@given(
    kind=st.sampled_from(list(ReceivableKind)),
    amount=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 6, 30)),
    gap=st.integers(min_value=0, max_value=200),
    later=st.integers(min_value=0, max_value=200),
)
def test_all_or_nothing_and_once_aged_stays_aged(
    kind: ReceivableKind, amount: float, start: date, gap: int, later: int
) -> None:
    as_of = start + timedelta(days=gap)
    first = _one(kind.value, amount, start, as_of)
    assert first["deduction"] in (0.0, amount)
    again = _one(kind.value, amount, start, as_of + timedelta(days=later))
    assert again["age_days"] >= first["age_days"]
    if first["aged"]:
        assert again["aged"]
