"""Early-warning and withdrawal flags before and after a trade (15c3-1(e), 17a-11).

A proprietary trade moves only net capital (and, under (c)(2)(vii) or in
non-security crypto, tentative net capital).  Every test of
`netcap.rule.early_warning.early_warning_flags` is linear in net capital or does not
involve it, so each is read once from the book's flag table as a comparison of
net capital with a fixed figure (`flag_rules`); a check then compares, without
calling the full function.  A test netcap does not know, or a trade that moves
tentative net capital, goes through the function itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from netcap.book.firm import Book, LiabilityKind
from netcap.rule.computation import ComputeOptions, NetCapitalResult
from netcap.rule.early_warning import EarlyWarningInputs, early_warning_flags
from netcap.rule.tables import load_schedule

__all__ = ["FlagRule", "FlagTests", "early_warning_inputs", "flag_rules"]

_NC_BELOW = frozenset(
    {
        "below_minimum",
        "below_5pct_debit_items",
        "below_120pct_minimum",
        "withdrawal_below_120pct_minimum_dollar",
        "withdrawal_below_5pct_debit_items",
    }
)
_AI_OVER = frozenset({"ai_over_1200pct", "withdrawal_ai_over_1000pct"})
_FIXED = frozenset({"securities_financing_over_2500pct_tnc", "debt_equity_over_70pct"})

FlagRule = tuple[str, str, float, bool]
"""(key, kind, figure, fixed outcome): kind ``below`` (net capital < figure), ``ai``
(aggregate indebtedness > figure x net capital), ``haircuts`` (net capital < figure x
haircuts) or ``fixed`` (the outcome does not depend on net capital)."""


def early_warning_inputs(
    book: Book, options: ComputeOptions, base: NetCapitalResult
) -> EarlyWarningInputs:
    """The book's early-warning inputs as the full computation had them."""
    li = base.liabilities
    kinds = li["kind"].to_numpy(dtype=object)
    sub = kinds == LiabilityKind.SUBORDINATED.value
    equity_subs = {x.id for x in book.liabilities if x.qualifies_as_equity}
    debt = sub & ~li["id"].isin(equity_subs).to_numpy(dtype=bool)
    amounts = li["amount"].to_numpy(dtype=float)
    adi = (
        options.aggregate_debit_items
        if options.aggregate_debit_items is not None
        else book.aggregate_debit_items
    )
    return EarlyWarningInputs(
        net_capital=base.net_capital,
        tentative_net_capital=base.tentative_net_capital,
        aggregate_indebtedness=base.aggregate_indebtedness,
        haircuts=base.haircuts.securities,
        subordinated_debt=float(amounts[debt].sum()),
        debt_equity_total=float(amounts[sub].sum()) + book.balance_sheet.net_worth,
        aggregate_debit_items=adi,
        leverage=book.leverage,
    )


def flag_rules(table: pd.DataFrame, on: date) -> list[FlagRule] | None:
    """Each early-warning test as a comparison of net capital with a fixed figure.

    None where the table holds a key this module does not know: every check then
    calls `early_warning_flags` itself.
    """
    hp = load_schedule("requirements", on).rate("withdrawal_haircut_pct")
    rules: list[FlagRule] = []
    for key, thr, hit in zip(table["key"], table["threshold"], table["triggered"], strict=True):
        k = str(key)
        if k in _NC_BELOW:
            rules.append((k, "below", float(thr), False))
        elif k in _AI_OVER:
            rules.append((k, "ai", float(thr) / 100.0, False))
        elif k == "withdrawal_below_25pct_haircuts":
            rules.append((k, "haircuts", hp, False))
        elif k in _FIXED:
            rules.append((k, "fixed", 0.0, bool(hit)))
        else:
            return None
    return rules


def _crossed(rule: FlagRule, net_capital: float, haircuts: float, ai: float) -> bool:
    _, kind, thr, fixed = rule
    if kind == "below":
        return net_capital < thr
    if kind == "ai":
        return ai > thr * net_capital
    if kind == "haircuts":
        return net_capital < thr * haircuts
    return fixed


@dataclass(frozen=True)
class FlagTests:
    """The book's flag tests: its inputs, and the rules read from its flag table."""

    book: Book
    base: NetCapitalResult
    inputs: EarlyWarningInputs
    rules: list[FlagRule] | None
    as_of: date

    @classmethod
    def of(cls, book: Book, options: ComputeOptions, base: NetCapitalResult) -> FlagTests:
        """The tests of ``book`` as computed in ``base``."""
        inputs = early_warning_inputs(book, options, base)
        return cls(book, base, inputs, flag_rules(base.early_warning, book.as_of), book.as_of)

    def table(self, net_capital: float, haircuts: float, tnc: float | None = None) -> pd.DataFrame:
        """The early-warning table; ``haircuts`` is the (c)(2)(vi) and Appendix A total."""
        inputs = replace(
            self.inputs,
            net_capital=net_capital,
            tentative_net_capital=self.inputs.tentative_net_capital if tnc is None else tnc,
            haircuts=haircuts,
        )
        return early_warning_flags(inputs, self.book.firm, self.base.requirement, self.as_of)

    def crossed(
        self, net_capital: float, haircuts: float, tnc: float | None = None
    ) -> tuple[str, ...]:
        """Keys crossed; ``haircuts`` is the (c)(2)(vi) and Appendix A total ((e)(2)(iii))."""
        rules = self.rules
        if rules is None or (tnc is not None and tnc != self.inputs.tentative_net_capital):
            flags = self.table(net_capital, haircuts, tnc)
            return tuple(str(k) for k in flags.loc[flags["triggered"], "key"])
        ai = self.inputs.aggregate_indebtedness
        return tuple(r[0] for r in rules if _crossed(r, net_capital, haircuts, ai))
