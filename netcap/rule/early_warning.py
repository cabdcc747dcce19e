"""Early warning: the notices of Rule 17a-11 and the withdrawal limits of 15c3-1(e)(2).

Rule 17a-11 (17 CFR 240.17a-11) requires notice

* the same day when net capital is below the 15c3-1 minimum, (b)(1);
* within 24 hours when
  - AI exceeds 1200% of net capital (a firm under the AI standard), (c)(1);
  - net capital is below 5% of aggregate debit items (a firm under the
    alternative standard), (c)(2);
  - net capital is below 120% of the required minimum net capital, (c)(3);
  - money payable against securities loaned and repos, or the contract value of
    securities borrowed and reverse repos, exceeds 2500% of tentative net
    capital, government securities left out, (c)(5).

15c3-1(e)(2) forbids withdrawals of equity capital that would leave net capital
below 120% of the minimum dollar amount ((e)(2)(i)) or below 25% of the
(c)(2)(vi) deductions ((e)(2)(iii)), or while AI exceeds 1000% of net capital
((e)(2)(v)) or net capital is below 5% of aggregate debit items ((e)(2)(vi)),
or subordinated debt exceeds 70% of the debt-equity total ((e)(2)(iv), (d)).

Thresholds are strict, as the text words them: "in excess of" and "less than".
A figure exactly at the threshold raises no flag.  The percentages live in
``early_warning.csv`` and ``requirements.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.firm import FirmProfile, Leverage
from netcap.rule.requirements import Requirement
from netcap.rule.tables import load_schedule

__all__ = ["FLAG_COLUMNS", "EarlyWarningInputs", "early_warning_flags"]

FLAG_COLUMNS = ("key", "description", "measure", "threshold", "unit", "triggered", "citation")


@dataclass(frozen=True)
class EarlyWarningInputs:
    """Figures of one computation that the tests compare.

    ``haircuts`` is the total of the deductions of (c)(2)(vi) and Appendix A
    only, the base of the (e)(2)(iii) withdrawal test (not the (c)(2)(vii),
    crypto or Appendix B charges).
    """

    net_capital: float
    tentative_net_capital: float
    aggregate_indebtedness: float
    haircuts: float
    subordinated_debt: float
    debt_equity_total: float
    aggregate_debit_items: float | None = None
    leverage: Leverage | None = None


def _ratio_pct(ai: float, nc: float) -> float:
    """AI as a percentage of net capital; infinite when net capital is not positive and AI is."""
    if nc > 0:
        return ai / nc * 100.0
    return np.inf if ai > 0 else 0.0


def early_warning_flags(
    x: EarlyWarningInputs, firm: FirmProfile, req: Requirement, on: date
) -> pd.DataFrame:
    """One row per test: the measure, the threshold, whether it is crossed, and the citation."""
    ew = load_schedule("early_warning", on)
    params = load_schedule("requirements", on)
    nc = x.net_capital
    rows: list[tuple[str, str, float, float, str, bool, str]] = [
        (
            "below_minimum",
            "net capital below the minimum requirement: notice the same day",
            nc,
            req.amount,
            "$",
            nc < req.amount,
            "17a-11(b)(1); 15c3-1(a)",
        )
    ]
    if firm.alternative_standard:
        assert x.aggregate_debit_items is not None
        pct = ew.rate("alternative_debit_pct")
        rows.append(
            (
                "below_5pct_debit_items",
                f"net capital below {pct:.0%} of aggregate debit items: notice within 24 hours",
                nc,
                pct * x.aggregate_debit_items,
                "$",
                nc < pct * x.aggregate_debit_items,
                ew.citation("alternative_debit_pct"),
            )
        )
    else:
        limit = ew.rate("ai_ratio")
        ratio = _ratio_pct(x.aggregate_indebtedness, nc)
        rows.append(
            (
                "ai_over_1200pct",
                f"aggregate indebtedness above {limit * 100:.0f}% of net capital: "
                "notice within 24 hours",
                ratio,
                limit * 100.0,
                "%",
                x.aggregate_indebtedness > limit * nc,
                ew.citation("ai_ratio"),
            )
        )
    pct_min = ew.rate("minimum_pct")
    rows.append(
        (
            "below_120pct_minimum",
            f"net capital below {pct_min:.0%} of the required minimum: notice within 24 hours",
            nc,
            pct_min * req.amount,
            "$",
            nc < pct_min * req.amount,
            ew.citation("minimum_pct"),
        )
    )
    if x.leverage is not None:
        try:
            mult = ew.rate("leverage_tnc")
        except KeyError:
            mult = None
        if mult is not None:
            gross = max(
                x.leverage.payable_securities_loaned_and_repo,
                x.leverage.contract_value_borrowed_and_reverse_repo,
            )
            rows.append(
                (
                    "securities_financing_over_2500pct_tnc",
                    f"securities lending or repo activity above {mult * 100:.0f}% of tentative "
                    "net capital (government securities excluded): notice within 24 hours "
                    "unless reported monthly to the DEA",
                    gross,
                    mult * x.tentative_net_capital,
                    "$",
                    gross > mult * x.tentative_net_capital,
                    ew.citation("leverage_tnc"),
                )
            )
    # withdrawal limits of 15c3-1(e)(2)
    wd = params.rate("withdrawal_minimum_pct")
    rows.append(
        (
            "withdrawal_below_120pct_minimum_dollar",
            f"no equity withdrawal: net capital below {wd:.0%} of the minimum dollar requirement",
            nc,
            wd * req.minimum_dollar,
            "$",
            nc < wd * req.minimum_dollar,
            params.citation("withdrawal_minimum_pct"),
        )
    )
    hp = params.rate("withdrawal_haircut_pct")
    rows.append(
        (
            "withdrawal_below_25pct_haircuts",
            f"no equity withdrawal without approval: net capital below {hp:.0%} of the "
            "securities haircuts",
            nc,
            hp * x.haircuts,
            "$",
            nc < hp * x.haircuts,
            params.citation("withdrawal_haircut_pct"),
        )
    )
    if firm.alternative_standard:
        assert x.aggregate_debit_items is not None
        dp = params.rate("withdrawal_debit_pct")
        rows.append(
            (
                "withdrawal_below_5pct_debit_items",
                f"no equity withdrawal: net capital below {dp:.0%} of aggregate debit items",
                nc,
                dp * x.aggregate_debit_items,
                "$",
                nc < dp * x.aggregate_debit_items,
                params.citation("withdrawal_debit_pct"),
            )
        )
    else:
        r = params.rate("withdrawal_ai_ratio")
        rows.append(
            (
                "withdrawal_ai_over_1000pct",
                f"no equity withdrawal: aggregate indebtedness above {r * 100:.0f}% of net capital",
                _ratio_pct(x.aggregate_indebtedness, nc),
                r * 100.0,
                "%",
                x.aggregate_indebtedness > r * nc,
                params.citation("withdrawal_ai_ratio"),
            )
        )
    if x.debt_equity_total > 0:
        de = params.rate("debt_equity_limit")
        rows.append(
            (
                "debt_equity_over_70pct",
                f"subordinated debt above {de:.0%} of the debt-equity total "
                f"(allowed for at most {params.rate('debt_equity_days'):g} days; "
                "no equity withdrawal)",
                x.subordinated_debt / x.debt_equity_total * 100.0,
                de * 100.0,
                "%",
                x.subordinated_debt > de * x.debt_equity_total,
                "15c3-1(d); 15c3-1(e)(2)(iv)",
            )
        )
    return pd.DataFrame(rows, columns=list(FLAG_COLUMNS))
