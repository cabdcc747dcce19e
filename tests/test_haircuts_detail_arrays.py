"""The array helpers of the haircut detail: noted rows, blank notes, notes appended, labels."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from netcap.rule.haircuts.detail import Labels, append_note, blank_texts, noted_rows

_TEXTS = st.sampled_from(["", "covered", "lesser side of its category", "a; b"])


@given(st.lists(_TEXTS, max_size=40))
def test_noted_rows_are_the_rows_whose_text_is_not_empty(texts: list[str]) -> None:
    notes = np.empty(len(texts), dtype=object)
    notes[:] = texts
    expected = [i for i, t in enumerate(texts) if t != ""]
    assert noted_rows(notes).tolist() == expected


def test_an_empty_string_built_at_run_time_is_still_blank() -> None:
    notes = blank_texts(3)
    notes[1] = "".join([])  # an empty string made here, not a literal
    notes[2] = "x"[:0]
    assert noted_rows(notes).tolist() == []
    # a strided view is read through the slow path and agrees
    assert noted_rows(np.array(["a", "", "b", ""], dtype=object)[::2]).tolist() == [0, 1]


def test_append_note_adds_after_a_separator_only_where_a_note_exists() -> None:
    notes = np.array(["", "covered", ""], dtype=object)
    out = append_note(notes, np.array([True, True, False]), "netted")
    assert out.tolist() == ["netted", "covered; netted", ""]
    assert notes.tolist() == ["", "covered", ""]  # the input is not changed


def test_labels_put_and_text() -> None:
    lab = Labels(np.array([0, 1, -1, 0]), np.array(["(A)", "(B)"], dtype=object))
    assert lab.text().tolist() == ["(A)", "(B)", "", "(A)"]
    assert lab.put(np.array([False, False, True, True]), "(F)(3)").text().tolist() == [
        "(A)",
        "(B)",
        "(F)(3)",
        "(F)(3)",
    ]
    assert Labels.of("(H)", 2).text().tolist() == ["(H)", "(H)"]


def test_a_measure_outside_every_bucket_is_refused_naming_the_position() -> None:
    """The ids are read only to name a row no bucket takes: here the third row given
    (``at`` places the two rows measured at the first and third of the paragraph's)."""
    from datetime import date  # noqa: PLC0415

    import pandas as pd  # noqa: PLC0415
    import pytest  # noqa: PLC0415

    from netcap.rule.haircuts.netting import bucketed_greater_of  # noqa: PLC0415
    from netcap.rule.haircuts.rows import Columns  # noqa: PLC0415
    from netcap.rule.tables import load_schedule  # noqa: PLC0415

    rows = Columns(pd.DataFrame({"id": ["a", "b", "c"]})).rows(np.arange(3))
    schedule = load_schedule("municipal_short_term", date(2024, 6, 28))
    with pytest.raises(ValueError, match=r"positions \['c'\]"):
        bucketed_greater_of(
            rows,
            np.array([1.0, 1.0]),
            np.array([1.0, 1e9]),  # one day; a billion days, beyond every bucket
            schedule,
            np.array(["", ""], dtype=object),
            at=np.array([0, 2]),
        )


def test_rows_compare_a_categorical_by_its_codes_as_its_text_would() -> None:
    import pandas as pd  # noqa: PLC0415

    from netcap.rule.haircuts.rows import Columns  # noqa: PLC0415

    text = ["cash", "future", None, "future", "option"]
    frame = pd.DataFrame({"coded": pd.Categorical(text), "plain": pd.Series(text, dtype=object)})
    rows = Columns(frame).rows(np.array([4, 1, 2, 3]))
    for name in ("coded", "plain"):
        assert rows.equals(name, "future").tolist() == [False, True, False, True]
        assert rows.equals(name, "swap").tolist() == [False] * 4  # no row holds it


def test_a_part_whose_rows_carry_no_citation_leaves_them_blank() -> None:
    from netcap.rule.haircuts import _Coded  # noqa: PLC0415

    coded = _Coded.blank(4, -2)
    coded.extend(np.array([0, 2]), Labels(np.array([-1, -1]), np.array(["x"], dtype=object)))
    coded.extend(np.array([1]), Labels(np.array([0]), np.array(["y"], dtype=object)))
    assert coded.codes.tolist() == [-1, 0, -1, -2]  # row 3 not placed: left as it was
    assert coded.names == ["y"]


def test_an_empty_book_has_the_detail_columns_pandas_gives_empty_text() -> None:
    import pandas as pd  # noqa: PLC0415

    from netcap.book.frame import positions_frame  # noqa: PLC0415
    from netcap.rule.haircuts import compute_haircuts  # noqa: PLC0415
    from tests.conftest import AS_OF  # noqa: PLC0415

    detail = compute_haircuts(positions_frame([], AS_OF), AS_OF).detail
    assert len(detail) == 0
    assert detail["id"].dtype == pd.Series(np.zeros(0, dtype=object)).dtype
    assert detail["note"].dtype == pd.Series(np.zeros(0, dtype=object)).dtype


def test_totals_by_stage_follow_the_detail_they_are_read_from() -> None:
    """A result rebuilt with another detail (``dataclasses.replace``) is summed afresh."""
    import dataclasses  # noqa: PLC0415

    from netcap.book.frame import positions_frame  # noqa: PLC0415
    from netcap.book.model import Position  # noqa: PLC0415
    from netcap.rule.haircuts import compute_haircuts  # noqa: PLC0415
    from tests.conftest import AS_OF  # noqa: PLC0415

    # equity long 100k: (J) 15% = 15,000 ((M) not reached against 10mm of capital)
    frame = positions_frame(
        [Position(id="e", security_class="equity", side="long", market_value=100_000.0)], AS_OF
    )
    result = compute_haircuts(frame, AS_OF, net_capital_before_haircuts=10_000_000.0)
    assert result.by_stage["securities"] == 15_000.0
    doubled = result.detail.assign(charge=result.detail["charge"] * 2)
    again = dataclasses.replace(result, detail=doubled)
    assert again.by_stage["securities"] == 30_000.0
    assert again.by_paragraph["charge"].tolist() == [30_000.0]
