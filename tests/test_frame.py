"""Position-frame validation: every bad row is reported with its row and field."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from netcap.frame import BookError, validate_frame

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
