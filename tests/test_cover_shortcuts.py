"""The cover stage's faster ways give what the plain ways they replace give.

`netcap.rule.haircuts.covered` compares the legs of a link by categorical codes,
keeps the notes it wrote so `cover_warnings` need not read them again, and
`netcap.rule.haircuts.options` numbers labels and option series without hashing a
text per row.  Each is checked here against the direct computation (Python's
own formatting, pandas' factorize, comparisons of the values themselves).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcap.book.frame import BookError, positions_frame
from netcap.book.model import Position
from netcap.rule.haircuts import compute_haircuts
from netcap.rule.haircuts.columns import Links, object_array
from netcap.rule.haircuts.columns import in_at as _in_at
from netcap.rule.haircuts.columns import same_at as _same_at
from netcap.rule.haircuts.covered import cover_notes, cover_warnings
from netcap.rule.haircuts.detail import Labels
from netcap.rule.haircuts.note_text import money_texts
from netcap.rule.haircuts.options import _group_codes, _labels, _units_texts
from netcap.rule.haircuts.options import _in_at as options_in_at
from netcap.rule.tables import load_schedule
from tests.conftest import AS_OF, gov

P = 50_000_000.0

_UNCHECKED = (
    "'F' covers 'N5' with no futures_contract given: deliverability unchecked, and the "
    "legs' maturities fall in different categories of 15c3-1(c)(2)(vi)(A) (2 and 3)"
)


def test_money_texts_by_hand() -> None:
    # groups of three digits after commas, the leading group without zeros, two decimals
    values = [0.0, 12.0, 999.99, 1_000.0, 100_000.0, 1_234_567.5, 12_345_678_901.25]
    assert money_texts(np.array(values)) == [
        "0.00",
        "12.00",
        "999.99",
        "1,000.00",
        "100,000.00",
        "1,234,567.50",
        "12,345,678,901.25",
    ]


def test_money_texts_around_every_group_boundary() -> None:
    # each power of ten up to 10**14, a cent and a half-cent either side: where the
    # number of digits, of groups and of commas changes
    values = []
    for power in range(15):
        for step in (-0.01, -0.005, -0.004, 0.0, 0.004, 0.005, 0.01):
            values.append(max(10.0**power + step, 0.0))
    assert money_texts(np.array(values)) == [f"{v:,.2f}" for v in values]


def _linked_frame() -> pd.DataFrame:
    # a long 5y note covered by a short 2y future with no contract code: covered for
    # 50mm, and unchecked (the legs are in (A) categories 2 and 3)
    return positions_frame(
        [gov("N5", "long", P, 5.0), gov("F", "short", P, 2.0, future=True, deliverable="N5")],
        AS_OF,
    )


def test_cover_warnings_skip_only_the_notes_left_as_written() -> None:
    frame = _linked_frame()
    found = cover_notes(frame, government=load_schedule("government", AS_OF))
    assert found.notes.tolist() == [
        "covered by 'F' for 50,000,000.00",
        f"covers 'N5' for 50,000,000.00; {_UNCHECKED}",
    ]
    assert found.warnings == [_UNCHECKED]
    assert found.clean is not None
    assert found.clean[0].tolist() == [0]
    links, others = np.array([1]), np.array([0])
    assert cover_warnings(found.notes, found, links, others) == (_UNCHECKED,)
    # the covered row's note rewritten with the same text: read again, nothing found
    notes = found.notes.copy()
    notes[0] = "".join(["covered by 'F' ", "for 50,000,000.00"])
    assert cover_warnings(notes, found, links, others) == (_UNCHECKED,)
    # rewritten holding a warning: found, in row order, before the futures row's
    notes[0] = "covered by 'F' for 50,000,000.00; 'X' not eligible here"
    assert cover_warnings(notes, found, links, others) == ("'X' not eligible here", _UNCHECKED)


_VALUES = st.sampled_from(["a", "b", "ab", None, float("nan")])


@given(st.lists(st.tuples(_VALUES, _VALUES, st.booleans()), max_size=30))
def test_legs_compared_by_codes_as_by_values(rows: list[tuple[object, object, bool]]) -> None:
    left = [a for a, _, _ in rows]
    right = [b for _, b, _ in rows]
    n = len(rows)
    a_rows, b_rows = np.arange(n), np.arange(n, 2 * n)
    values = object_array(left + right)
    plain = pd.Series(values, dtype=object)
    coded = pd.Series(pd.Categorical(values))
    # what the links' legs were compared by: the object values at those rows (NaN where
    # a categorical's value is missing, which equals nothing)
    as_read = coded.to_numpy(dtype=object)
    want_same = as_read[a_rows] == as_read[b_rows]
    assert _same_at(coded, a_rows, b_rows).tolist() == want_same.tolist()
    assert _same_at(plain, a_rows, b_rows).tolist() == (values[a_rows] == values[b_rows]).tolist()
    for col, read in ((coded, as_read), (plain, values)):
        assert (
            _in_at(col, a_rows, ("a", "ab")).tolist() == np.isin(read[a_rows], ("a", "ab")).tolist()
        )


@given(st.lists(st.sampled_from(["", "x", "y", "15c3-1a(c)(7)"]), max_size=40), st.data())
def test_labels_numbered_by_object_are_pandas_labels(texts: list[str], data: st.DataObject) -> None:
    # equal texts as one shared object or as distinct objects, mixed
    copies = [t if data.draw(st.booleans()) else "".join([t, ""]) + "" for t in texts]
    column = object_array(copies)
    got, want = _labels(column), Labels.of(column, len(column))
    assert got.codes.tolist() == want.codes.tolist()
    assert got.names.tolist() == want.names.tolist()


_SERIES = st.tuples(
    st.integers(-1, 3),
    st.booleans(),
    st.sampled_from([10.0, 12.5, float("nan")]),
    st.sampled_from(
        [np.datetime64("2024-07-19"), np.datetime64("2024-08-16"), np.datetime64("NaT")]
    ),
)


@given(st.lists(_SERIES, min_size=1, max_size=40))
def test_series_codes_group_as_the_values(
    rows: list[tuple[int, bool, float, np.datetime64]],
) -> None:
    columns = [
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=bool),
        np.array([r[2] for r in rows], dtype=float),
        np.array([r[3] for r in rows], dtype="datetime64[ns]"),
    ]
    key = _group_codes(columns)
    # the groups of the rows' values themselves (a missing value equal to another)
    plain = [tuple("nan" if pd.isna(v) else v for v in r) for r in rows]
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (key[i] == key[j]) == (plain[i] == plain[j])
    assert sorted(set(key.tolist())) == list(range(len(set(plain))))


def test_units_written_as_python_writes_them() -> None:
    units = np.array([100.0, 100.0, 2.5, 1e6, 1234567.0, 0.0, -0.0, float("nan"), 100.0])
    assert _units_texts(units) == [f"{u:g}" for u in units.tolist()]
    # by hand: g writes up to six significant digits, then an exponent
    assert _units_texts(np.array([100.0, 2.5, 1e6, 300.0])) == ["100", "2.5", "1e+06", "300"]
    assert _units_texts(np.array([0.0, -0.0])) == ["0", "-0"]


def test_links_read_once_serve_the_cover() -> None:
    frame = _linked_frame()
    government = load_schedule("government", AS_OF)
    given_links = cover_notes(frame, government=government, links=Links(frame))
    read_here = cover_notes(frame, government=government)
    assert given_links.notes.tolist() == read_here.notes.tolist()
    assert given_links.covered.tolist() == read_here.covered.tolist() == [P, P]


def _covered_call(security_id: str | None) -> list[Position]:
    # a short listed call on XYZ paired (offsets) with 100 long shares: (b)(2)(iii)(D)(3)
    call = Position(
        id="c",
        security_class="equity",
        side="short",
        instrument="option",
        market_value=300.0,
        option_type="call",
        strike=55.0,
        underlying_price=50.0,
        units=100.0,
        listed=True,
        expiry=date(2025, 3, 21),
        underlying="XYZ",
        offsets="s",
    )
    shares = Position(
        id="s",
        security_class="equity",
        side="long",
        quantity=100.0,
        price=50.0,
        security_id=security_id,
    )
    return [call, shares]


def test_an_underlying_of_another_issue_is_refused_and_a_blank_one_taken() -> None:
    as_of = date(2025, 1, 2)
    with pytest.raises(BookError, match="security_id differs from the option's underlying"):
        compute_haircuts(
            positions_frame(_covered_call("ABC"), as_of), as_of, net_capital_before_haircuts=1e9
        )
    for security_id in ("XYZ", None):
        detail = compute_haircuts(
            positions_frame(_covered_call(security_id), as_of),
            as_of,
            net_capital_before_haircuts=1e9,
        ).detail.set_index("id")
        # max(p V - itm, $25 x 1) = max(15% x 5,000 - 0, 25) = 750 on the call; the
        # shares' 100 units all paired, nothing left to charge under (J)
        assert detail.loc["c", "paragraph"] == "15c3-1a(b)(2)(iii)(D)(3)"
        assert detail.loc["c", "charge"] == pytest.approx(750.0)
        assert detail.loc["s", "charge"] == 0.0
        # (the shares' note goes on with what (J) says of the nothing left)
        assert str(detail.loc["s", "note"]).startswith(
            "100 units paired with option 'c' (15c3-1a(b)(2)(iii)(D)(3))"
        )


@given(st.lists(st.sampled_from(["call", "put", None]), min_size=1, max_size=30), st.data())
def test_option_facts_compared_by_codes_or_objects_as_by_values(
    texts: list[str | None], data: st.DataObject
) -> None:
    # the same texts as shared objects or fresh copies, in an object, a categorical and
    # a pandas text column; any subset of the rows, in any order
    copies = [t if t is None or data.draw(st.booleans()) else "".join([t, ""]) for t in texts]
    frame = pd.DataFrame(
        {
            "plain": pd.Series(object_array(copies), dtype=object),
            "coded": pd.Categorical(copies),
            "text": pd.Series(copies, dtype="str"),
        }
    )
    n = len(texts)
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=2 * n)), dtype=np.int64)
    other = rows[::-1].copy()
    for name in ("plain", "coded", "text"):
        read = frame[name].to_numpy(dtype=object)
        assert (
            options_in_at(frame, name, rows, ("call",)).tolist()
            == np.isin(read[rows], ("call",)).tolist()
        )
        assert _same_at(frame[name], rows, other).tolist() == (read[rows] == read[other]).tolist()
