"""The columnar helpers of the haircut core, and a book whose text columns are categoricals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.synthetic import AS_OF, synthetic_book
from netcap.rule.haircuts import compute_haircuts
from netcap.rule.haircuts.columns import IdRows, rows_of, text_codes


def test_rows_of_finds_each_wanted_id_and_minus_one_for_unknown() -> None:
    ids = np.array(["a", "b", "c", "d"], dtype=object)
    # "c" is row 2, "a" row 0, "zz" names no row; a repeated id finds the same row
    got = rows_of(ids, np.array(["c", "a", "zz", "c"], dtype=object))
    assert got.tolist() == [2, 0, -1, 2]


def test_id_rows_probed_once_answer_every_link_column() -> None:
    ids = np.array(["p1", "p2", "f1", "h1"], dtype=object)
    resolve = IdRows(ids, np.array(["p1", "p2", "h1"], dtype=object))
    assert resolve(np.array(["p2"], dtype=object)).tolist() == [1]
    assert resolve(np.array(["h1", "p1"], dtype=object)).tolist() == [3, 0]
    # an id that was not among the linked ones is not found, even if a row has it
    assert resolve(np.array(["f1"], dtype=object)).tolist() == [-1]
    assert resolve(np.array([], dtype=object)).tolist() == []


def test_text_codes_of_plain_and_categorical_columns_agree() -> None:
    plain = pd.Series(["equity", "municipal", "equity", None], dtype=object)
    for col in (plain, plain.astype("category")):
        codes = text_codes(col)
        assert codes.isin(["equity"]).tolist() == [True, False, True, False]
        assert codes.values().tolist() == ["equity", "municipal", "equity", None]


def test_the_detail_citation_columns_are_categoricals_that_compare_as_text() -> None:
    sb = synthetic_book(300, seed=5)
    detail = compute_haircuts(sb.frame, AS_OF, net_capital_before_haircuts=1e9).detail
    for col in ("paragraph", "bucket", "add_on_paragraph"):
        assert isinstance(detail[col].dtype, pd.CategoricalDtype)
    # every paragraph text is a citation of the rule or an appendix
    assert detail["paragraph"].astype(str).str.startswith("15c3-1").all()
    # a row without an add-on carries "" (not a missing value), as before
    assert detail["add_on_paragraph"].notna().all()


@pytest.mark.parametrize("seed", [1, 2])
def test_categorical_class_instrument_and_side_give_the_same_detail(seed: int) -> None:
    """A validated frame whose text columns are categoricals is charged exactly the same."""
    sb = synthetic_book(2_000, seed=seed)
    coded = sb.frame.copy()
    for col in ("security_class", "instrument", "side"):
        coded[col] = coded[col].astype("category")
    a = compute_haircuts(sb.frame, AS_OF, net_capital_before_haircuts=5e8)
    b = compute_haircuts(coded, AS_OF, net_capital_before_haircuts=5e8)
    pd.testing.assert_frame_equal(a.detail, b.detail)
    assert a.total == b.total
