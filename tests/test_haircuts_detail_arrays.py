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
