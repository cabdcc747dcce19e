"""Dealer-status screen for Rules 3a5-4 and 3a44-2 (a documented checklist, not advice).

The two rules (Release 34-99477, effective April 29, 2024) say when a person
buying and selling securities (3a5-4) or government securities (3a44-2) for its
own account does so "as a part of a regular business", and so is a dealer
under Exchange Act section 3(a)(5) or 3(a)(44).  The structure, paragraph by
paragraph (the same in both rules):

* (a)(1): a regular pattern of buying and selling that has the effect of
  providing liquidity to other market participants, by either
  (a)(1)(i) regularly expressing trading interest at or near the best available
  prices on both sides of the market for the same security, communicated and
  represented so that other participants can reach it; or
  (a)(1)(ii) earning revenue primarily from capturing bid-ask spreads (buying at
  the bid, selling at the offer) or from liquidity-supplying incentives offered
  by trading venues;
* (a)(2): unless the person (i) has or controls total assets of less than
  $50 million, (ii) is an investment company registered under the Investment
  Company Act of 1940, or (iii) is a central bank, sovereign entity or
  international financial institution (defined in (b)(3)-(5));
* (c): no one may evade the rule by acting indirectly or by disaggregating
  accounts;
* (d): failing (a) raises no presumption that a person is not a dealer; the
  ordinary dealer analysis still applies.

`screen` turns the facts a firm states into that checklist, each line
with its paragraph, and an overall reading.  Unknown facts stay unknown: the
screen says what is missing instead of guessing.  It informs; it is not legal
advice, and whether a person is a dealer is decided on all the facts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from netcap.rule.tables import TableError, load_schedule

__all__ = [
    "DISCLAIMER",
    "RULES_VACATED",
    "VACATUR",
    "CheckItem",
    "DealerFacts",
    "ScreenResult",
    "Status",
    "screen",
]

DISCLAIMER = (
    "This screen applies the text of Rules 3a5-4 and 3a44-2 to the facts given. It informs and "
    "is not legal advice: dealer status depends on all facts and circumstances and on other "
    "precedent and interpretation (paragraph (d)). Both rules were vacated by a federal court on "
    "2024-11-21 and the SEC dropped its appeal; confirm the current law before relying on this."
)
RULES_VACATED = date(2024, 11, 21)
"""The day a federal court vacated Rules 3a5-4 and 3a44-2 in full (the rows of
``haircut_tables/dealer_definition.csv`` end the day before)."""

VACATUR = (
    "Nat'l Ass'n of Private Fund Managers v. SEC, No. 4:24-cv-00250-O, and Crypto Freedom "
    "Alliance of Texas v. SEC, No. 4:24-cv-00361-O (N.D. Tex. Nov. 21, 2024); the SEC moved to "
    "dismiss its appeal on Feb. 19, 2025"
)
"""The judgments that vacated the rules, and the end of the appeal."""

PRIMARILY_SHARE = 0.5
"""netcap's reading of "primarily" in (a)(1)(ii), used only when a revenue share is given.

The rule does not define "primarily"; netcap reads it as more than half and
says so on the checklist line.  Give ``revenue_primarily_spreads_or_incentives``
to state the conclusion directly instead.
"""


class Status(StrEnum):
    """State of one checklist line."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def _tri(value: bool | None) -> Status:
    return Status.UNKNOWN if value is None else (Status.YES if value else Status.NO)


def _all(values: list[Status]) -> Status:
    if Status.NO in values:
        return Status.NO
    return Status.UNKNOWN if Status.UNKNOWN in values else Status.YES


def _any(values: list[Status]) -> Status:
    if Status.YES in values:
        return Status.YES
    return Status.UNKNOWN if Status.UNKNOWN in values else Status.NO


Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class DealerFacts(BaseModel):
    """Facts about a person's trading, as the person states them (``None``: not known)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "person"
    markets: tuple[str, ...] = Field(
        default=("securities",),
        description="'securities' (Rule 3a5-4) and/or 'government_securities' (Rule 3a44-2)",
    )
    buys_and_sells_for_own_account: bool | None = None
    regular_pattern_providing_liquidity: bool | None = None
    regularly_expresses_trading_interest: bool | None = None
    at_or_near_best_available_prices: bool | None = None
    both_sides_same_security: bool | None = None
    accessible_to_other_participants: bool | None = None
    revenue_primarily_spreads_or_incentives: bool | None = None
    spread_and_incentive_revenue_share: Share | None = None
    total_assets: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        default=None, description="total assets the person has or controls, dollars"
    )
    registered_investment_company: bool | None = None
    central_bank: bool | None = None
    sovereign_entity: bool | None = None
    international_financial_institution: bool | None = None
    acts_through_others_or_split_accounts: bool | None = None


@dataclass(frozen=True)
class CheckItem:
    """One line of the checklist."""

    citation: str
    question: str
    status: Status
    note: str = ""


@dataclass(frozen=True)
class ScreenResult:
    """The checklist and what it adds up to."""

    facts: DealerFacts
    rules: tuple[str, ...]
    items: tuple[CheckItem, ...]
    qualitative: Status
    excluded: Status
    outcome: str
    notes: tuple[str, ...]
    disclaimer: str = DISCLAIMER
    missing: tuple[str, ...] = field(default=())
    in_force: bool = True
    """False when the screen date is on or after `RULES_VACATED`: the checklist then
    shows what the rules required while they stood, and they impose nothing."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.facts.name,
            "rules": list(self.rules),
            "outcome": self.outcome,
            "in_force": self.in_force,
            "qualitative_standard": self.qualitative.value,
            "excluded": self.excluded.value,
            "items": [
                {
                    "citation": i.citation,
                    "question": i.question,
                    "status": i.status.value,
                    "note": i.note,
                }
                for i in self.items
            ],
            "missing_facts": list(self.missing),
            "notes": list(self.notes),
            "disclaimer": self.disclaimer,
        }

    def __str__(self) -> str:
        lines = [f"Dealer-status screen: {self.facts.name} ({', '.join(self.rules)})"]
        lines += [
            f"  [{i.status.value:^7}] {i.citation:<28} {i.question}"
            + (f"  ({i.note})" if i.note else "")
            for i in self.items
        ]
        lines.append(f"  outcome: {self.outcome}")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(f"  {self.disclaimer}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(i.status.value)}</td><td>{html.escape(i.citation)}</td>"
            f"<td>{html.escape(i.question)}</td><td>{html.escape(i.note)}</td></tr>"
            for i in self.items
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<div><b>Dealer-status screen: {html.escape(self.facts.name)}</b>"
            f"<table><tr><th>status</th><th>paragraph</th><th>question</th><th>note</th></tr>"
            f"{rows}</table><p><b>{html.escape(self.outcome)}</b></p><ul>{notes}</ul>"
            f"<p><i>{html.escape(self.disclaimer)}</i></p></div>"
        )


_RULE = {"securities": "3a5-4", "government_securities": "3a44-2"}


def screen(facts: DealerFacts, on: date | None = None) -> ScreenResult:
    """Apply paragraphs (a), (c) and (d) of Rules 3a5-4 / 3a44-2 to ``facts``."""
    unknown = sorted(set(facts.markets) - set(_RULE))
    if unknown or not facts.markets:
        raise ValueError(f"markets: {unknown or '(empty)'}: use {sorted(_RULE)}")
    rules = tuple(_RULE[m] for m in _RULE if m in facts.markets)
    when = on or date.today()
    in_force = True
    try:
        table = load_schedule("dealer_definition", when)
    except TableError:
        if when >= RULES_VACATED:
            in_force = False
            table = load_schedule("dealer_definition", RULES_VACATED - timedelta(days=1))
        else:
            return ScreenResult(
                facts=facts,
                rules=rules,
                items=(),
                qualitative=Status.UNKNOWN,
                excluded=Status.UNKNOWN,
                outcome=(
                    f"Rule{'s' if len(rules) > 1 else ''} {' and '.join(rules)} "
                    f"{'are' if len(rules) > 1 else 'is'} not in force on {when.isoformat()}."
                ),
                notes=(),
            )
    threshold = table.amount("total_assets_exclusion")

    def cite(par: str) -> str:
        return "; ".join(f"{r}{par}" for r in rules)

    items: list[CheckItem] = []
    missing: list[str] = []

    def item(par: str, question: str, status: Status, fact: str | None, note: str = "") -> Status:
        items.append(CheckItem(cite(par), question, status, note))
        if status is Status.UNKNOWN and fact:
            missing.append(fact)
        return status

    own = item(
        "(a)",
        "buys and sells for its own account",
        _tri(facts.buys_and_sells_for_own_account),
        "buys_and_sells_for_own_account",
        "accounts held in its name or for its benefit ((b)(2))",
    )
    pattern = item(
        "(a)(1)",
        "regular pattern of buying and selling that provides liquidity to others",
        _tri(facts.regular_pattern_providing_liquidity),
        "regular_pattern_providing_liquidity",
    )
    f1 = _all(
        [
            item(
                "(a)(1)(i)",
                "regularly expresses trading interest",
                _tri(facts.regularly_expresses_trading_interest),
                "regularly_expresses_trading_interest",
            ),
            item(
                "(a)(1)(i)",
                "at or near the best available prices",
                _tri(facts.at_or_near_best_available_prices),
                "at_or_near_best_available_prices",
            ),
            item(
                "(a)(1)(i)",
                "on both sides of the market for the same security",
                _tri(facts.both_sides_same_security),
                "both_sides_same_security",
            ),
            item(
                "(a)(1)(i)",
                "communicated and represented so other participants can access it",
                _tri(facts.accessible_to_other_participants),
                "accessible_to_other_participants",
            ),
        ]
    )
    revenue = facts.revenue_primarily_spreads_or_incentives
    rev_note = ""
    share = facts.spread_and_incentive_revenue_share
    if revenue is None and share is not None:
        revenue = share > PRIMARILY_SHARE
        rev_note = (
            f"{share:.0%} of revenue from spreads and venue incentives; netcap reads "
            f"'primarily' as more than {PRIMARILY_SHARE:.0%}"
        )
    f2 = item(
        "(a)(1)(ii)",
        "revenue primarily from bid-ask spreads or venue liquidity incentives",
        _tri(revenue),
        "revenue_primarily_spreads_or_incentives",
        rev_note,
    )
    qualitative = _all([own, pattern, _any([f1, f2])])

    if facts.total_assets is None:
        small = item(
            "(a)(2)(i)",
            f"has or controls total assets of less than ${threshold:,.0f}",
            Status.UNKNOWN,
            "total_assets",
        )
    else:
        small = item(
            "(a)(2)(i)",
            f"has or controls total assets of less than ${threshold:,.0f}",
            _tri(facts.total_assets < threshold),
            None,
            f"total assets ${facts.total_assets:,.0f}",
        )
    ric = item(
        "(a)(2)(ii)",
        "is an investment company registered under the Investment Company Act of 1940",
        _tri(facts.registered_investment_company),
        "registered_investment_company",
    )
    official = item(
        "(a)(2)(iii)",
        "is a central bank, sovereign entity or international financial institution",
        _any(
            [
                _tri(facts.central_bank),
                _tri(facts.sovereign_entity),
                _tri(facts.international_financial_institution),
            ]
        ),
        "central_bank / sovereign_entity / international_financial_institution",
        "as defined in (b)(3)-(5)",
    )
    excluded = _any([small, ric, official])

    notes = [
        f"{cite('(c)')}: the rule cannot be evaded by engaging in the activity indirectly or by "
        "disaggregating accounts; the facts above should cover every account and affiliate "
        "through which the person trades.",
        f"{cite('(d)')}: not meeting paragraph (a) raises no presumption that the person is not a "
        "dealer; the established dealer-trader analysis still applies.",
    ]
    if facts.acts_through_others_or_split_accounts:
        notes.insert(
            0,
            f"{cite('(c)')}: activity is conducted indirectly or across split accounts; "
            "aggregate it before relying on this screen.",
        )

    if excluded is Status.YES:
        outcome = (
            "Excluded by paragraph (a)(2): the rule's standard does not apply "
            "(other dealer analysis may still apply, paragraph (d))."
        )
    elif qualitative is Status.YES and excluded is Status.NO:
        outcome = (
            "Paragraph (a) appears to be met: the activity would be 'as a part of a regular "
            "business', and registration as a dealer would follow."
        )
    elif qualitative is Status.NO:
        outcome = (
            "Paragraph (a)(1) does not appear to be met; no presumption follows that the person "
            "is not a dealer (paragraph (d))."
        )
    else:
        outcome = "Undetermined: facts are missing (see the lines marked unknown)."
    if not in_force:
        plural = len(rules) > 1
        outcome = (
            f"Rule{'s' if plural else ''} {' and '.join(rules)} {'were' if plural else 'was'} "
            f"vacated on {RULES_VACATED.isoformat()} ({VACATUR}) and impose nothing on "
            f"{when.isoformat()}. As adopted, the screen read: {outcome}"
        )
    return ScreenResult(
        facts=facts,
        rules=rules,
        items=tuple(items),
        qualitative=qualitative,
        excluded=excluded,
        outcome=outcome,
        notes=tuple(notes),
        missing=tuple(missing),
        in_force=in_force,
    )
