"""The cover stage's shortcuts give the text and rows Python's own formatting and pandas give.

Notes of covered futures and their warnings are written for tens of thousands of
rows at once (`netcap.rule.haircuts.note_text`, `netcap.rule.haircuts.columns`);
each shortcut is checked here against the one-by-one way it replaces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcap.book.frame import positions_frame
from netcap.rule.haircuts.columns import IdRows, Links, present_rows, rows_of, values_at
from netcap.rule.haircuts.note_text import money_texts, plain_texts
from tests.conftest import AS_OF, gov, haircut

P = 50_000_000.0


@given(st.lists(st.floats(min_value=0.0, max_value=9e14, allow_nan=False), max_size=50))
def test_money_texts_are_pythons_two_decimal_text_with_commas(values: list[float]) -> None:
    assert money_texts(np.array(values, dtype=float)) == [f"{v:,.2f}" for v in values]


def test_money_texts_at_ties_and_edges() -> None:
    # 0.125, 0.375 and 123,456,789.125 are exact binary ties: half to even gives .12, .38
    # and .12; 0.005 is 0.00500000000000000010... in binary and 999.995 is
    # 999.99500000000000454..., a little above the half cent, so both round up
    values = [0.0, 0.005, 0.125, 0.375, 5e-324, 999.995, 1_000.0, 123_456_789.125, 9.99e14]
    expected = ["0.00", "0.01", "0.12", "0.38", "0.00", "1,000.00", "1,000.00"]
    expected += ["123,456,789.12", "999,000,000,000,000.00"]
    assert money_texts(np.array(values)) == expected
    assert [f"{v:,.2f}" for v in values] == expected


@pytest.mark.parametrize("value", [-1.0, -0.0, float("nan"), float("inf"), 1e15])
def test_money_texts_leave_what_they_cannot_write_to_python(value: float) -> None:
    assert money_texts(np.array([1.0, value])) is None


def test_plain_texts_only_where_repr_just_adds_quotes() -> None:
    ids = np.array(["T-1", "bond 7", "x;y"], dtype=object)
    assert plain_texts(ids) == ["T-1", "bond 7", "x;y"]
    assert [repr(i) for i in ids] == ["'T-1'", "'bond 7'", "'x;y'"]
    for odd in ("it's", "a\\b", "tab\there", "nul\x00"):
        assert plain_texts(np.array(["T-1", odd], dtype=object)) is None
    assert plain_texts(np.array(["T-1", 7], dtype=object)) is None
    assert plain_texts(np.array(["T-1", np.str_("a")], dtype=object)) is None
    assert plain_texts(np.array(["a; b"], dtype=object), avoid=("; ",)) is None


def test_present_rows_are_pandas_notna_rows() -> None:
    values = ["a", None, np.nan, pd.NaT, pd.NA, "", 0, None, "b"]
    col = pd.Series(values, dtype=object)
    assert present_rows(col).tolist() == [0, 5, 6, 8]
    # a column that is a strided view of a wider block
    wide = pd.DataFrame({"x": values, "y": values[::-1]}, dtype=object)
    assert present_rows(wide["y"]).tolist() == np.flatnonzero(pd.notna(wide["y"])).tolist()
    # every other row: "a", NaN, NA, 0, "b"
    assert present_rows(wide.iloc[::2]["x"]).tolist() == [0, 3, 4]


def test_values_at_are_the_column_values_at_those_rows() -> None:
    frame = pd.DataFrame(
        {
            "cat": pd.Categorical(["a", None, "b", "a"]),
            "num": [1.5, 2.5, np.nan, 4.0],
            "text": pd.Series(["p", None, "q", "r"], dtype="str"),
        }
    )
    rows = np.array([3, 1, 0])
    for col, dtype in (("cat", object), ("num", float), ("text", object)):
        got = values_at(frame[col], rows, dtype)
        want = frame[col].to_numpy(dtype=dtype)[rows]
        assert pd.isna(got).tolist() == pd.isna(want).tolist()
        assert [g for g in got if not pd.isna(g)] == [w for w in want if not pd.isna(w)]


def test_links_find_the_same_rows_as_probing_the_ids() -> None:
    positions = [
        gov("c1", "long", P, 2.0),
        gov("c2", "long", P, 5.0),
        gov("f1", "short", P, 2.0, future=True, deliverable="c2"),
        gov("f2", "short", P, 2.0, future=True, deliverable="c1"),
    ]
    frame = positions_frame(positions, AS_OF)
    links = Links(frame)
    assert links.rows("deliverable_position").tolist() == [2, 3]
    assert links.targets("deliverable_position").tolist() == [1, 0]
    ids = frame["id"].astype(str).to_numpy(dtype=object)
    wanted = np.array(["c2", "c1"], dtype=object)
    assert rows_of(ids, wanted, IdRows(ids, wanted)).tolist() == [1, 0]
    # the same frame with plain text ids (no categories in row order)
    plain = frame.assign(id=ids)
    assert Links(plain).targets("deliverable_position").tolist() == [1, 0]
    assert Links(plain).rows("offsets").tolist() == []


def _unchecked_warnings(cash_id: str) -> tuple[str, ...]:
    # a short 2y government future linked, with no contract code, to a long 5y note:
    # the link stands (cover of 50mm) but the legs are in (A) categories 2 and 3
    result = haircut(
        [gov(cash_id, "long", P, 5.0), gov("F", "short", P, 2.0, future=True, deliverable=cash_id)]
    )
    return result.warnings


def test_unchecked_link_warning_with_plain_ids() -> None:
    assert _unchecked_warnings("N5") == (
        "'F' covers 'N5' with no futures_contract given: deliverability unchecked, and the "
        "legs' maturities fall in different categories of 15c3-1(c)(2)(vi)(A) (2 and 3)",
    )


def test_warnings_read_from_the_notes_when_an_id_holds_a_separator_and_a_phrase() -> None:
    # the future's note is "covers 'a; not eligible b' for 50,000,000.00; 'F' covers
    # 'a; not eligible b' with no futures_contract given: ...": split at "; " it has four
    # parts, and the warnings are the two holding "not eligible" or "deliverability
    # unchecked"
    assert _unchecked_warnings("a; not eligible b") == (
        "not eligible b' for 50,000,000.00",
        "not eligible b' with no futures_contract given: deliverability unchecked, and the "
        "legs' maturities fall in different categories of 15c3-1(c)(2)(vi)(A) (2 and 3)",
    )
