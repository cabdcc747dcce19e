"""Net capital, line by line: orchestration only.

    net worth                                   (c)(2)
  + qualified subordinated liabilities          (c)(2)(ii); Appendix D
  - non-allowable assets                        (c)(2)(iv)
  = tentative net capital                       (c)(15)
  - haircuts on securities positions            (c)(2)(vi)
  = net capital
  - minimum requirement                         (a)
  = excess net capital

Each stage is a pure function in its own module; this one calls them in order
and lays the figures out as lines, each with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from netcap.firm import Book
from netcap.frame import positions_frame
from netcap.haircuts import HaircutOptions, HaircutResult, compute_haircuts
from netcap.indebtedness import AI_CITATION, aggregate_indebtedness, liabilities_frame
from netcap.requirements import Requirement, minimum_requirement

__all__ = ["ComputeOptions", "NetCapitalResult", "compute"]


@dataclass(frozen=True)
class ComputeOptions:
    """Elections and inputs outside the book."""

    haircuts: HaircutOptions = field(default_factory=HaircutOptions)
    aggregate_debit_items: float = 0.0


@dataclass(frozen=True)
class NetCapitalResult:
    """The computation: cited lines, haircut detail, requirement."""

    lines: pd.DataFrame
    haircuts: HaircutResult
    requirement: Requirement
    liabilities: pd.DataFrame
    positions: pd.DataFrame

    def line(self, key: str) -> float:
        """Amount of the line with this key."""
        hit = self.lines.loc[self.lines["line"] == key, "amount"]
        if len(hit) != 1:
            raise KeyError(key)
        return float(hit.iloc[0])

    @property
    def net_capital(self) -> float:
        """Net capital, (c)(2)."""
        return self.line("net_capital")

    @property
    def tentative_net_capital(self) -> float:
        """Net capital before haircuts."""
        return self.line("tentative_net_capital")

    @property
    def excess_net_capital(self) -> float:
        """Net capital less the minimum requirement."""
        return self.line("excess_net_capital")


def compute(book: Book, options: ComputeOptions | None = None) -> NetCapitalResult:
    """Compute net capital and the minimum requirement for ``book``."""
    opts = options or ComputeOptions()
    bs = book.balance_sheet
    frame = positions_frame(book.positions, book.as_of)
    tnc = bs.net_worth + bs.subordinated_liabilities - bs.non_allowable_assets
    haircuts = compute_haircuts(frame, book.as_of, opts.haircuts, net_capital_before_haircuts=tnc)
    nc = tnc - haircuts.total
    ai = aggregate_indebtedness(book.liabilities)
    req = minimum_requirement(book.firm, ai, book.as_of, opts.aggregate_debit_items)
    rows = [
        ("net_worth", "Total ownership equity", bs.net_worth, "15c3-1(c)(2)"),
        (
            "subordinated_liabilities",
            "Add: liabilities subordinated to claims of creditors",
            bs.subordinated_liabilities,
            "15c3-1(c)(2)(ii); 15c3-1d",
        ),
        (
            "non_allowable_assets",
            "Deduct: non-allowable assets",
            -bs.non_allowable_assets,
            "15c3-1(c)(2)(iv)",
        ),
        (
            "tentative_net_capital",
            "Net capital before haircuts on securities positions",
            tnc,
            "15c3-1(c)(15)",
        ),
        (
            "haircuts",
            "Deduct: haircuts on securities positions",
            -haircuts.total,
            "15c3-1(c)(2)(vi)",
        ),
        ("net_capital", "Net capital", nc, "15c3-1(c)(2)"),
        ("aggregate_indebtedness", "Aggregate indebtedness", ai, AI_CITATION),
        (
            "minimum_requirement",
            f"Minimum net capital required ({req.basis})",
            req.amount,
            req.citation,
        ),
        ("excess_net_capital", "Excess net capital", nc - req.amount, "15c3-1(a)"),
    ]
    lines = pd.DataFrame(rows, columns=["line", "label", "amount", "citation"])
    return NetCapitalResult(
        lines=lines,
        haircuts=haircuts,
        requirement=req,
        liabilities=liabilities_frame(book.liabilities),
        positions=frame,
    )
