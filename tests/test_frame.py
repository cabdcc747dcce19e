"""Position-frame validation: every bad row is reported with its row and field."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from netcap.book.frame import LINK_TEXT_COLUMNS, OPTION_COLUMNS, BookError, validate_frame

AS_OF = date(2024, 6, 28)


def _frame(**overrides: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "id": ["a", "b"],
        "security_class": ["government", "government"],
        "side": ["long", "short"],
        "market_value": [100.0, 200.0],
        "maturity": ["2030-01-15", None],
        "years_to_maturity": [None, 3.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_valid_frame_gets_derived_columns() -> None:
    f = validate_frame(_frame(), AS_OF)
    assert list(f["signed_value"]) == [100.0, -200.0]
    # 2024-06-28 -> 2030-01-15: 66 complete months; 3 years -> 36 months
    assert list(f["months_to_maturity"]) == [66.0, 36.0]
    assert list(f["instrument"]) == ["cash", "cash"]


@pytest.mark.parametrize(
    ("overrides", "row", "field"),
    [
        ({"security_class": ["government", "bitcoin"]}, 1, "security_class"),
        ({"side": ["up", "short"]}, 0, "side"),
        ({"market_value": [float("nan"), 1.0]}, 0, "market_value"),
        ({"market_value": [float("inf"), 1.0]}, 0, "market_value"),
        ({"market_value": [-5.0, 1.0]}, 0, "market_value"),
        ({"market_value": ["ten", 1.0]}, 0, "market_value"),
        ({"id": ["a", "a"]}, 1, "id"),
        ({"maturity": ["15/01/2030", None]}, 0, "maturity"),
        ({"maturity": ["2020-01-01", None]}, 0, "maturity"),
        ({"years_to_maturity": [None, None], "maturity": [None, "2030-01-01"]}, 0, "maturity"),
        ({"years_to_maturity": [3.0, 3.0]}, 0, "maturity"),
    ],
)
def test_bad_rows_are_named(overrides: dict, row: int, field: str) -> None:
    with pytest.raises(BookError) as info:
        validate_frame(_frame(**overrides), AS_OF, row_offset=0)
    hits = [(e.row, e.field) for e in info.value.errors]
    assert (row, field) in hits


def test_every_error_is_reported_at_once() -> None:
    bad = _frame(side=["up", "down"], market_value=[-1.0, float("nan")])
    with pytest.raises(BookError) as info:
        validate_frame(bad, AS_OF, row_offset=2)
    got = {(e.row, e.field) for e in info.value.errors}
    assert {(2, "side"), (3, "side"), (2, "market_value"), (3, "market_value")} <= got
    assert "row 2" in str(info.value)


def test_missing_required_column() -> None:
    with pytest.raises(BookError, match="market_value"):
        validate_frame(_frame().drop(columns=["market_value"]), AS_OF)


def test_link_to_unknown_position() -> None:
    f = _frame(instrument=["future", "cash"], deliverable_position=["zzz", None])
    with pytest.raises(BookError, match="zzz"):
        validate_frame(f, AS_OF)


def test_a_bare_number_is_not_a_maturity_date() -> None:
    # 45000 could be an Excel serial day or an epoch offset; netcap guesses neither
    raw = pd.DataFrame(
        {
            "id": ["n", "s", "d"],
            "security_class": ["government"] * 3,
            "side": ["long"] * 3,
            "market_value": [1.0] * 3,
            "maturity": [45000, "2030-01-01", datetime(2031, 1, 1)],
        }
    )
    with pytest.raises(BookError) as err:
        validate_frame(raw, date(2024, 6, 28))
    assert {(e.row, e.field) for e in err.value.errors} == {(0, "maturity")}


PARTIAL_OR_TIMED = ["2031-05", "2031", "2031-05-15T13:45", "20310515", "2031-5-15", "2031-02-30"]


@pytest.mark.parametrize("column", ["maturity", "issue_date", "underwritten_on"])
def test_dates_must_be_exactly_year_month_day(column: str) -> None:
    # Each of these would be completed by a lenient parser (2031-05 -> 1 May 2031, 2031 ->
    # 1 January 2031, a time kept, 20310515 read as a compact date); none may pass.
    n = len(PARTIAL_OR_TIMED) + 3
    good = ["2031-05-15", datetime(2031, 5, 15), date(2031, 5, 15)]
    raw = pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(n)],
            "security_class": ["government"] * n,
            "side": ["long"] * n,
            "market_value": [1.0] * n,
            "years_to_maturity": [None if column == "maturity" else 8.0] * n,
            column: [*PARTIAL_OR_TIMED, *good],
        }
    )
    with pytest.raises(BookError) as err:
        validate_frame(raw, AS_OF)
    # rows 0..5 are the bad cells; rows 6..8 are the same date in three accepted shapes
    assert {(e.row, e.field) for e in err.value.errors} == {(r, column) for r in range(6)}


def test_datetime_cell_with_a_time_is_not_a_date() -> None:
    raw = _frame(maturity=[datetime(2030, 1, 15, 9, 30), None])
    with pytest.raises(BookError) as err:
        validate_frame(raw, AS_OF)
    # a government position needs a maturity, so the bad date is also reported as missing
    assert {(e.row, e.field) for e in err.value.errors} == {(0, "maturity")}
    assert any("not a date" in e.message for e in err.value.errors)


def test_option_expiry_must_be_exactly_year_month_day() -> None:
    raw = pd.DataFrame(
        {
            "id": ["o1", "o2", "u"],
            "security_class": ["equity", "equity", "equity"],
            "instrument": ["option", "option", "cash"],
            "side": ["long", "long", "long"],
            "market_value": [10.0, 10.0, 1000.0],
            "option_type": ["call", "call", None],
            "strike": [50.0, 50.0, None],
            "underlying_price": [55.0, 55.0, None],
            "units": [100.0, 100.0, None],
            "expiry": ["2024-09", "2024-09-20", None],
            "underlying": ["u", "u", None],
        }
    )
    with pytest.raises(BookError) as err:
        validate_frame(raw, AS_OF)
    assert [(e.row, e.field) for e in err.value.errors] == [(0, "expiry")]


def test_ids_come_out_with_their_lookup_built_and_code_as_row() -> None:
    # twenty distinct ids, in reverse order: codes 0..19 are the rows; the categories' hash
    # table was built when validation checked that the ids are distinct (pandas builds it
    # for an index of 16 values or more; a smaller one is scanned), so a later lookup
    # hashes only the ids looked up ("p0" is the last row, 19; "x" no row)
    ids = [f"p{i}" for i in range(19, -1, -1)]
    f = validate_frame(
        pd.DataFrame(
            {
                "id": ids,
                "security_class": ["equity"] * 20,
                "side": ["long"] * 20,
                "market_value": [1.0] * 20,
            }
        ),
        AS_OF,
    )
    categories = f["id"].cat.categories
    assert list(f["id"].cat.codes) == list(range(20))
    assert list(categories) == ids
    assert categories.dtype == object
    assert categories._engine.is_mapping_populated
    assert list(categories.get_indexer(["p0", "x"])) == [19, -1]


def test_link_text_columns_are_categoricals_read_with_isna() -> None:
    f = validate_frame(_frame(hedge_with=[" b ", None]), AS_OF)
    for column in LINK_TEXT_COLUMNS:
        if column not in OPTION_COLUMNS:  # no option row: the option columns are left out
            assert isinstance(f[column].dtype, pd.CategoricalDtype), column
    # the cell " b " is the id b once stripped; the blank cell is missing
    assert list(pd.isna(f["hedge_with"].to_numpy(dtype=object))) == [False, True]
    assert f["hedge_with"].iloc[0] == "b"
    assert not f["deliverable_position"].notna().any()


def test_ids_of_some_rows_of_a_validated_frame_validate_to_codes_by_row() -> None:
    # rows 3, 1 and 4 of a validated frame still carry all five ids as categories; validated
    # again, each id's code is its new row and only the three ids are categories
    whole = validate_frame(
        pd.DataFrame(
            {
                "id": ["a", "b", "c", "d", "e"],
                "security_class": ["equity"] * 5,
                "side": ["long"] * 5,
                "market_value": [1.0, 2.0, 3.0, 4.0, 5.0],
            }
        ),
        AS_OF,
    )
    some = validate_frame(whole.iloc[[3, 1, 4]].reset_index(drop=True), AS_OF)
    assert list(some["id"].cat.codes) == [0, 1, 2]
    assert list(some["id"].cat.categories) == ["d", "b", "e"]
    assert list(some["market_value"]) == [4.0, 2.0, 5.0]
