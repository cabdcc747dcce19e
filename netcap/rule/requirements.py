"""Minimum net capital: 15c3-1(a).

The requirement is the greatest of every amount that applies to the firm
(the lead-in of paragraph (a)):

* the ratio requirement of its standard under (a)(1):
  - aggregate indebtedness standard, (a)(1)(i): AI may not exceed 1500% of net
    capital (800% for 12 months after commencing business), so net capital must
    be at least AI / 15 (AI / 8);
  - alternative standard, (a)(1)(ii), where elected: the greater of $250,000
    and 2% of aggregate debit items (Exhibit A to Rule 15c3-3);
* the fixed-dollar minimum of its business type, (a)(2)(i)-(vi) or, for a
  municipal securities brokers' broker, (a)(8)(iii);
* for a market maker, the per-security amount of (a)(4), itself capped at
  $1,000,000 (it never lowers the requirement: it is one more candidate);
* for a futures commission merchant, (a)(1)(iii): 4% of the funds required to
  be segregated under the Commodity Exchange Act, less commodity options
  purchased by option customers (``firm.fcm_segregated_funds``, net of that
  deduction), and its CFTC Rule 1.17 minimum where given (``firm.cftc_minimum``),
  each compared with the ratio requirement (reported with the ratio candidates,
  kind ``ratio``).

On top of the greatest, (a)(9) adds 10% of the collateral in excess of 105%
(Treasuries), 110% (agency and mortgage related) or 120% (other) of the
contract prices of the firm's reverse repurchase agreements with each party
(kind ``additional``: never binding, added to the greatest).

Every candidate is reported, with the one that binds.  The "minimum dollar
requirement" (the FOCUS report's line of that name) is the greatest of the
candidates that are dollar amounts rather than ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from netcap.book.firm import FirmProfile, FirmType, ReverseRepo
from netcap.rule.market_maker import A4Requirement
from netcap.rule.tables import Schedule, load_schedule

__all__ = [
    "LIMITATIONS",
    "Requirement",
    "RequirementInputError",
    "in_first_year",
    "minimum_requirement",
    "reverse_repo_frame",
]

LIMITATIONS: dict[str, str] = {
    "15c3-1(a)(1)(iii)": (
        "the funds required to be segregated are an input (firm.fcm_segregated_funds), net of "
        "customers' purchased commodity options with each customer's deduction capped at the "
        "funds in its account as the firm computes them: netcap takes 4% of the amount given, "
        "it does not compute segregation under the Commodity Exchange Act"
    ),
    "15c3-1(a)(5)": "OTC derivatives dealers compute capital under Appendix F models; out of scope",
    "15c3-1(a)(6)(v)": (
        "the carrying broker's 1000% limit sums (c)(2)(x)(A) deductions and (a)(6)(iii) equity "
        "on options market-maker accounts; netcap computes neither (option positions in a "
        "market-maker account are refused)"
    ),
    "15c3-1(a)(7)": (
        "firms approved to use Appendix E models: VaR and credit-risk models out of scope"
    ),
    "15c3-1(a)(10)": (
        "security-based swap dealers: Rule 18a-1 and swap margin computations out of scope"
    ),
}

REVERSE_REPO_COLUMNS = (
    "counterparty",
    "collateral",
    "market_value",
    "contract_price",
    "pct",
    "excess",
    "charge",
    "citation",
)

_A9_KEYS = {
    "treasury": "a9_treasury_pct",
    "agency_or_mortgage": "a9_agency_pct",
    "other": "a9_other_pct",
}

CANDIDATE_COLUMNS = ("key", "basis", "amount", "citation", "kind", "binding")


class RequirementInputError(ValueError):
    """An input the requirement needs is missing."""


@dataclass(frozen=True)
class Requirement:
    """The minimum net capital and every amount that was compared to reach it."""

    amount: float
    basis: str
    citation: str
    candidates: pd.DataFrame
    minimum_dollar: float
    minimum_dollar_citation: str
    first_year: bool
    warnings: tuple[str, ...] = ()
    reverse_repos: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REVERSE_REPO_COLUMNS))
    )
    additional: float = 0.0

    @property
    def binding_key(self) -> str:
        """Key of the candidate that binds."""
        return str(self.candidates.loc[self.candidates["binding"], "key"].iloc[0])


def in_first_year(firm: FirmProfile, on: date, months: float) -> bool | None:
    """Whether ``on`` falls within ``months`` after the firm commenced business.

    ``None`` when the profile gives neither a start date nor a month count.
    """
    if firm.commenced_business is not None:
        return on < firm.commenced_business + relativedelta(months=int(months))
    if firm.months_in_business is not None:
        return firm.months_in_business < months
    return None


def reverse_repo_frame(repos: Sequence[ReverseRepo], on: date) -> pd.DataFrame:
    """The (a)(9) charge per party and class of securities.

    Agreements with the same party in the same class are added together; the
    excess of their market value over 105% / 110% / 120% of their contract prices
    is charged at 10%.  An excess in one class or with one party is not offset by
    a shortfall in another.
    """
    params = load_schedule("requirements", on)
    given = pd.DataFrame(
        {
            "counterparty": [r.counterparty for r in repos],
            "collateral": [r.collateral.value for r in repos],
            "market_value": np.array([r.market_value for r in repos], dtype=float),
            "contract_price": np.array([r.contract_price for r in repos], dtype=float),
        }
    )
    frame = given.groupby(["counterparty", "collateral"], sort=True, as_index=False)[
        ["market_value", "contract_price"]
    ].sum()
    keys = frame["collateral"].map(_A9_KEYS)
    frame["pct"] = keys.map(lambda k: params.rate(str(k))).astype(float)
    frame["excess"] = np.maximum(
        frame["market_value"].to_numpy() - frame["pct"].to_numpy() * frame["contract_price"], 0.0
    )
    frame["charge"] = params.rate("a9_rate") * frame["excess"]
    frame["citation"] = keys.map(lambda k: params.citation(str(k))).astype(object)
    return frame[list(REVERSE_REPO_COLUMNS)]


def minimum_requirement(
    firm: FirmProfile,
    aggregate_indebtedness: float,
    on: date,
    aggregate_debit_items: float | None = None,
    market_maker: A4Requirement | None = None,
    reverse_repos: Sequence[ReverseRepo] = (),
) -> Requirement:
    """The greatest requirement that applies to ``firm`` on date ``on``, plus (a)(9)."""
    params = load_schedule("requirements", on)
    minimums = load_schedule("minimums", on)
    warnings: list[str] = []
    rows: list[tuple[str, str, float, str, str]] = []
    first_year = False
    if firm.alternative_standard:
        if aggregate_debit_items is None:
            raise RequirementInputError(
                "aggregate_debit_items: required under the alternative standard of 15c3-1(a)(1)(ii)"
            )
        pct = params.rate("alternative_debit_pct")
        rows.append(
            (
                "alternative_debit_items",
                f"{pct:.0%} of aggregate debit items",
                pct * aggregate_debit_items,
                params.citation("alternative_debit_pct"),
                "ratio",
            )
        )
        rows.append(
            (
                "alternative_floor",
                "alternative standard minimum",
                params.amount("alternative_floor"),
                params.citation("alternative_floor"),
                "dollar",
            )
        )
    else:
        start = in_first_year(firm, on, params.rate("first_year_months"))
        if start is None:
            warnings.append(
                "firm.commenced_business not given: the 1500% limit of 15c3-1(a)(1)(i) is "
                "applied, not the 800% limit of the first 12 months"
            )
        first_year = bool(start)
        key = "ai_ratio_limit_first_year" if first_year else "ai_ratio_limit"
        limit = params.rate(key)
        rows.append(
            (
                "aggregate_indebtedness_ratio",
                f"aggregate indebtedness / {limit:g} ({limit * 100:.0f}% limit"
                + (", first 12 months)" if first_year else ")"),
                aggregate_indebtedness / limit,
                params.citation(key),
                "ratio",
            )
        )
    if firm.fcm_segregated_funds is not None:  # (a)(1)(iii): 4% of segregated funds
        seg = params.rate("fcm_segregated_pct")
        rows.append(
            (
                "fcm_segregated_funds",
                f"futures commission merchant: {seg:.0%} of funds required to be segregated "
                "(less customers' purchased commodity options)",
                seg * firm.fcm_segregated_funds,
                params.citation("fcm_segregated_pct"),
                "ratio",
            )
        )
    if firm.cftc_minimum is not None:
        rows.append(
            (
                "cftc_minimum",
                "futures commission merchant: minimum under CFTC Rule 1.17",
                firm.cftc_minimum,
                "15c3-1(a)(1)(iii)",
                "ratio",
            )
        )
    firm_key = firm.firm_type.value
    rows.append(
        (
            "fixed_minimum",
            f"fixed-dollar minimum ({firm_key})",
            minimums.amount(firm_key),
            minimums.citation(firm_key),
            "dollar",
        )
    )
    if market_maker is not None:
        cap_note = ", capped" if market_maker.capped else ""
        rows.append(
            (
                "market_maker",
                "market maker: average markets made over the 30 days before the computation "
                f"date: {market_maker.markets_over_5:,.2f} securities over $5, "
                f"{market_maker.markets_at_or_below_5:,.2f} at $5 or less{cap_note}",
                market_maker.amount,
                market_maker.citation,
                "dollar",
            )
        )
    if market_maker is not None:
        _market_maker_is_dealer(firm, minimums, rows, warnings)
    # dollar amounts first, so that on a tie the fixed-dollar minimum is reported as binding
    rows.sort(key=lambda r: r[4] != "dollar")
    candidates = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS[:-1]))
    best = int(candidates["amount"].to_numpy().argmax())  # first of equal maxima
    candidates["binding"] = [i == best for i in range(len(candidates))]
    dollars = candidates[candidates["kind"] == "dollar"]
    top = int(dollars["amount"].to_numpy().argmax())
    repo_frame = reverse_repo_frame(reverse_repos, on)
    additional = float(repo_frame["charge"].sum())
    if len(repo_frame):
        extra = pd.DataFrame(
            [
                (
                    "reverse_repo_a9",
                    f"{params.rate('a9_rate'):.0%} of excess collateral under reverse "
                    "repurchase agreements (in addition)",
                    additional,
                    params.citation("a9_rate"),
                    "additional",
                    False,
                )
            ],
            columns=list(CANDIDATE_COLUMNS),
        )
        candidates = pd.concat([candidates, extra], ignore_index=True)
    return Requirement(
        amount=float(candidates["amount"].iloc[best]) + additional,
        basis=str(candidates["basis"].iloc[best])
        + (" plus the (a)(9) reverse repurchase addition" if additional else ""),
        citation=str(candidates["citation"].iloc[best])
        + (f"; {params.citation('a9_rate')}" if additional else ""),
        candidates=candidates,
        minimum_dollar=float(dollars["amount"].iloc[top]),
        minimum_dollar_citation=str(dollars["citation"].iloc[top]),
        first_year=first_year,
        warnings=tuple(warnings),
        reverse_repos=repo_frame,
        additional=additional,
    )


MARKET_MAKER_DEALER_CITATION = "15c3-1(a)(2)(iii); 15c3-1(a)(4); 15c3-1(c)(8)"


def _market_maker_is_dealer(
    firm: FirmProfile,
    minimums: Schedule,
    rows: list[tuple[str, str, float, str, str]],
    warnings: list[str],
) -> None:
    """A market maker typed with a fixed minimum below a dealer's: the dealer's applies.

    (c)(8) defines a market maker as "a dealer who" quotes and stands ready to
    trade; (a)(2)(iii) requires a dealer to keep $100,000; and (a)(4) adds that a
    market maker shall "under no circumstances" have net capital less than
    paragraph (a) requires.  The (a)(2)(iv) and (a)(2)(vi) carve-outs from
    (a)(2)(iii) cover a firm-commitment underwriting and riskless principal fills,
    not market making.  So the dealer minimum is a candidate, and a warning names
    the paragraphs.
    """
    dealer = minimums.amount(FirmType.DEALER.value)
    own = minimums.amount(firm.firm_type.value)
    if own >= dealer:
        return
    rows.append(
        (
            "market_maker_dealer_minimum",
            "market maker: a dealer under (c)(8), so the (a)(2)(iii) dealer minimum",
            dealer,
            MARKET_MAKER_DEALER_CITATION,
            "dollar",
        )
    )
    warnings.append(
        f"firm.firm_type {firm.firm_type.value!r} has a fixed minimum of ${own:,.0f}, but the "
        "book makes markets: a market maker is a dealer (15c3-1(c)(8)), a dealer keeps "
        f"${dealer:,.0f} (15c3-1(a)(2)(iii)) and 15c3-1(a)(4) allows a market maker under no "
        "circumstances less than paragraph (a) requires; the dealer minimum is applied"
    )
