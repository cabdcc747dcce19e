"""One JSON reader for every JSON input: duplicate keys, bad text and deep nesting refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.book.book_json import BookInputError, parse_book
from netcap.book.book_json import load_book as load_json_book
from netcap.book.json_file import JsonInputError, parse_json, read_json
from netcap.book.loading import InputLimits


def test_duplicate_top_level_key_is_refused_with_its_path() -> None:
    with pytest.raises(JsonInputError, match=r"^f\.json: key positions is given more than once"):
        parse_json('{"positions": [1], "positions": [2]}', "f.json")


def test_duplicate_nested_key_names_the_full_path() -> None:
    # the second object of "positions" repeats "id": its path is positions[1].id
    text = '{"positions": [{"id": "a"}, {"id": "b", "side": "long", "id": "c"}]}'
    with pytest.raises(JsonInputError, match=r"key positions\[1\]\.id is given more than once"):
        parse_json(text, "f.json")


def test_same_key_in_different_objects_is_not_a_duplicate() -> None:
    assert parse_json('[{"id": 1}, {"id": 2}]', "f") == [{"id": 1}, {"id": 2}]


def test_book_with_positions_twice_is_refused_not_merged(tmp_path: Path) -> None:
    text = (
        '{"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1000},'
        ' "positions": [], "positions": []}'
    )
    with pytest.raises(BookInputError, match="key positions is given more than once"):
        parse_book(text, "b.json")
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BookInputError, match=r"b\.json: key positions"):
        load_json_book(path)


def test_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(b'{"a": "\xff"}')
    # the byte 0xff sits at offset 7: '{' '"' 'a' '"' ':' ' ' '"' are bytes 0-6
    with pytest.raises(JsonInputError, match=r"facts\.json: not UTF-8 text .* at byte 7"):
        read_json(path)


def test_deep_nesting_is_an_input_error_not_recursion(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(JsonInputError, match="nested too deeply"):
        read_json(path)


def test_size_limit_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 50 + "0]", encoding="utf-8")  # 103 bytes
    with pytest.raises(JsonInputError, match="exceeds the limit of 100"):
        read_json(path, InputLimits(max_file_bytes=100))
    with pytest.raises(JsonInputError, match="no such file"):
        read_json(tmp_path / "absent.json")


def test_invalid_json_gives_line_and_column() -> None:
    with pytest.raises(JsonInputError, match="at line 2 column 1"):
        parse_json('{"a": 1,\n}', "f")


# text without the control characters netcap refuses (issue 14: netcap.book.safety.text_problem)
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")))


@settings(max_examples=50, deadline=None)
@given(
    st.recursive(
        st.none() | st.integers() | _TEXT, lambda c: st.lists(c) | st.dictionaries(_TEXT, c)
    )
)
def test_any_json_without_duplicates_round_trips(value: object) -> None:
    assert parse_json(json.dumps(value), "f") == value


@settings(max_examples=30, deadline=None)
@given(st.text(), st.sampled_from(["\x00", "\x08", "\x0b", "\x0c", "\x1f"]), st.text())
def test_control_characters_in_json_text_are_refused(head: str, control: str, tail: str) -> None:
    with pytest.raises(JsonInputError, match="control character"):
        parse_json(json.dumps({"name": head + control + tail}), "f")
