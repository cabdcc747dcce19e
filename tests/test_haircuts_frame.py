"""The position frame carries the new haircut facts with row and field errors."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from netcap.book.frame import BookError, validate_frame
from netcap.rule.haircuts import compute_haircuts
from tests.conftest import AS_OF


def raw(**cols: Any) -> pd.DataFrame:
    base = {
        "id": ["a", "b"],
        "security_class": ["equity", "nonconvertible_debt"],
        "side": ["long", "short"],
        "market_value": [100.0, 200.0],
        "years_to_maturity": [None, 4.0],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_defaults_and_parsing() -> None:
    f = validate_frame(raw(minimal_credit_risk=["", "yes"], in_default=[None, "0"]), AS_OF)
    assert list(f["minimal_credit_risk"]) == [None, True]
    assert list(f["in_default"]) == [False, False]
    assert list(f["ready_market"]) == [True, True]
    assert f["days_to_maturity"].isna().all()


@pytest.mark.parametrize(
    ("cols", "field"),
    [
        ({"in_default": ["maybe", None]}, "in_default"),
        ({"principal_amount": [None, -5]}, "principal_amount"),
        ({"maintenance_margin": ["x", None]}, "maintenance_margin"),
        ({"market_makers": [1.5, None]}, "market_makers"),
        ({"fund_assets": ["stocks", None]}, "fund_assets"),
        ({"hedge_with": [None, "zz"]}, "hedge_with"),
        ({"hedge_with": ["a", None]}, "hedge_with"),
        ({"issue_date": ["2024-13-01", None]}, "issue_date"),
    ],
)
def test_bad_cells_are_named(cols: dict[str, list[Any]], field: str) -> None:
    with pytest.raises(BookError) as info:
        validate_frame(raw(**cols), AS_OF)
    assert any(e.field == field for e in info.value.errors)


def test_issue_after_maturity() -> None:
    f = raw(
        maturity=[None, "2030-01-01"],
        years_to_maturity=[None, None],
        issue_date=[None, "2031-01-01"],
    )
    with pytest.raises(BookError, match="issue_date"):
        validate_frame(f, AS_OF)


def test_routing_errors_name_the_input_row() -> None:
    f = validate_frame(raw(), AS_OF, row_offset=2)  # the debt row has no credit assessment
    with pytest.raises(BookError) as info:
        compute_haircuts(f, AS_OF, net_capital_before_haircuts=1e9)
    (err,) = info.value.errors
    assert (err.row, err.field) == (3, "minimal_credit_risk")
