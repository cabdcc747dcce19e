"""The firm: who it is, its balance sheet, its liabilities, and the book that holds them.

Everything the net capital computation needs besides the securities positions
is described here as validated data:

* `FirmProfile` -- the business type that sets the fixed-dollar minimum
  of 15c3-1(a)(2) or (a)(8), the ratio standard elected under (a)(1), and the
  start of business (the 800% limit of (a)(1)(i) in the first 12 months);
* `BalanceSheet` -- total ownership equity and the adjustments of
  15c3-1(c)(2)(i)-(v): non-allowable assets tagged with their (c)(2)(iv)
  sub-paragraph, withdrawable capital ((c)(2)(i)(G)), deferred tax items
  ((c)(2)(i)(C)-(E)), and a generic list of other cited deductions;
* `Liability` -- each money liability tagged with the (c)(1) exclusion
  that applies to it (or with the (c)(1) category that includes it);
* market making: the securities counted for 15c3-1(a)(4) and the market-maker
  accounts of 15c3-1(a)(6).

Models are frozen pydantic models that forbid unknown fields, so a misspelt
key in a JSON book is an error naming its path.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from netcap.book.currency import CurrencyCode, CurrencyRate
from netcap.book.model import ExactDate, Money, NonNegMoney, Position
from netcap.rule.commitments import Commitment
from netcap.rule.fails import Difference, Fail
from netcap.rule.receivables import Receivable

__all__ = [
    "AIAddition",
    "AIAdditionKind",
    "BalanceSheet",
    "Book",
    "CapitalContribution",
    "DeferredTax",
    "FidelityBond",
    "FirmProfile",
    "FirmType",
    "Leverage",
    "Liability",
    "LiabilityKind",
    "MarketMakerAccount",
    "MarketMaking",
    "MarketMakingSecurity",
    "NonAllowableAsset",
    "NonAllowableKind",
    "OtherDeduction",
    "RepurchaseAgreement",
    "ReverseRepo",
    "ReverseRepoCollateral",
    "SecuredDemandNote",
    "SoleProprietor",
    "UndermarginedAccount",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
Id = Annotated[str, Field(min_length=1, max_length=200)]


class FirmType(StrEnum):
    """Business types that set the fixed-dollar minimum (15c3-1(a)(2), (a)(8))."""

    CARRYING = "carrying"  # (a)(2)(i)
    CARRYING_K2I = "carrying_k2i"  # (a)(2)(ii)
    DEALER = "dealer"  # (a)(2)(iii)
    INTRODUCING_RECEIVING = "introducing_receiving"  # (a)(2)(iv)
    FUND_SHARE_BROKER = "fund_share_broker"  # (a)(2)(v)
    NON_CARRYING_BROKER = "non_carrying_broker"  # (a)(2)(vi)
    MUNICIPAL_BROKERS_BROKER = "municipal_brokers_broker"  # (a)(8)


class LiabilityKind(StrEnum):
    """What a liability is, for aggregate indebtedness (15c3-1(c)(1)).

    The first group is included in aggregate indebtedness (the (c)(1) lead-in
    names them); every other kind is one exclusion, with the paragraph in the
    comment.  ``haircut_tables/ai_exclusions.csv`` holds the excluded fraction
    and citation of every kind.
    """

    # included in aggregate indebtedness, 15c3-1(c)(1)
    MONEY_BORROWED = "money_borrowed"
    PAYABLE_SECURITIES_LOANED = "payable_securities_loaned"
    PAYABLE_FAILED_TO_RECEIVE = "payable_failed_to_receive"
    FREE_CREDIT_BALANCES = "free_credit_balances"
    SHORT_ACCOUNT_CREDIT_BALANCES = "short_account_credit_balances"
    COMMODITY_ACCOUNT_BALANCES = "commodity_account_balances"
    OTHER = "other"
    # excluded
    COLLATERALIZED_BY_LONG_SECURITIES = "collateralized_by_long_securities"  # (c)(1)(i)
    COLLATERALIZED_BY_SPOT_COMMODITIES = "collateralized_by_spot_commodities"  # (c)(1)(i)
    SECURITIES_LOANED_LONG = "securities_loaned_long"  # (c)(1)(ii)
    FAILED_TO_RECEIVE_COVERED = "failed_to_receive_covered"  # (c)(1)(iii)
    ISSUER_PAYABLE = "issuer_payable"  # (c)(1)(iv), <= 3 business days
    SEGREGATED_COMMODITY_EQUITIES = "segregated_commodity_equities"  # (c)(1)(v)
    REFUND_RESERVE_27D = "refund_reserve_27d"  # (c)(1)(vi), to the extent on deposit
    SPECIAL_RESERVE_ACCOUNT_PAYABLE = "special_reserve_account_payable"  # (c)(1)(vii)
    FIXED_ASSET_SECURED = "fixed_asset_secured"  # (c)(1)(viii)
    OPEN_CONTRACTUAL_COMMITMENTS = "open_contractual_commitments"  # (c)(1)(ix)
    SUBORDINATED = "subordinated"  # (c)(1)(x); added back by (c)(2)(ii)
    EFFECTIVELY_SUBORDINATED = "effectively_subordinated"  # (c)(1)(xi)
    GENERAL_PARTNER_CREDIT_BALANCES = "general_partner_credit_balances"  # (c)(1)(xii)
    DEFERRED_TAX = "deferred_tax"  # (c)(1)(xiii)
    INVESTMENT_COMPANY_PAYABLE = "investment_company_payable"  # (c)(1)(xiv), 85%
    SECURITIES_LOANED_MATCHED_BORROW = "securities_loaned_matched_borrow"  # (c)(1)(xv), 85%
    COMMODITY_ADVANCE_SPOT_COLLATERAL = "commodity_advance_spot_collateral"  # 15c3-1b(a)(2)(i)
    BILLS_OF_LADING_ADVANCES = "bills_of_lading_advances"  # 15c3-1b(a)(2)(ii)
    GENERAL_PARTNER_COMMODITY_EQUITY = "general_partner_commodity_equity"  # 15c3-1b(a)(2)(iii)
    MBB_MUNICIPAL_COLLATERALIZED = "mbb_municipal_collateralized"  # (a)(8)(v)
    SECURED_BY_EXEMPTED_DEDUCTED = "secured_by_exempted_deducted"  # (c)(2)(xiii) election


_DAYS_KINDS = {LiabilityKind.ISSUER_PAYABLE, LiabilityKind.MBB_MUNICIPAL_COLLATERALIZED}
_DEPOSIT_KINDS = {LiabilityKind.REFUND_RESERVE_27D, LiabilityKind.SPECIAL_RESERVE_ACCOUNT_PAYABLE}


class Liability(BaseModel):
    """A money liability of the firm, tagged with how (c)(1) treats it.

    Some exclusions are conditional, and the condition is data:

    * ``issuer_payable`` ((c)(1)(iv)) and ``mbb_municipal_collateralized``
      ((a)(8)(v)) need ``business_days_outstanding``;
    * ``refund_reserve_27d`` ((c)(1)(vi)) needs ``deposit`` (the amount in the
      Rule 27d-1 trust account); ``special_reserve_account_payable``
      ((c)(1)(vii)) needs ``deposit`` and ``required_deposit``;
    * ``fixed_asset_secured`` ((c)(1)(viii)) names the non-allowable asset that
      secures it in ``secured_by_asset`` (the liability also reduces that
      asset's (c)(2)(iv) deduction);
    * ``subordinated`` may set ``qualifies_as_equity`` (the proviso of (d)).
    """

    model_config = _FROZEN

    id: Id
    amount: NonNegMoney
    kind: LiabilityKind = LiabilityKind.OTHER
    description: str = ""
    business_days_outstanding: Annotated[int, Field(ge=0)] | None = None
    deposit: NonNegMoney | None = None
    required_deposit: NonNegMoney | None = None
    secured_by_asset: str | None = None
    qualifies_as_equity: bool = False
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code when the amount is not in US dollars"
    )

    @model_validator(mode="after")
    def _conditions(self) -> Self:
        k = self.kind
        if (self.business_days_outstanding is None) == (k in _DAYS_KINDS):
            if k in _DAYS_KINDS:
                raise ValueError(f"kind {k.value!r} needs business_days_outstanding")
            raise ValueError(f"business_days_outstanding applies only to {sorted(_DAYS_KINDS)}")
        if (self.deposit is None) == (k in _DEPOSIT_KINDS):
            if k in _DEPOSIT_KINDS:
                raise ValueError(f"kind {k.value!r} needs deposit")
            raise ValueError(f"deposit applies only to {sorted(_DEPOSIT_KINDS)}")
        needs_required = k is LiabilityKind.SPECIAL_RESERVE_ACCOUNT_PAYABLE
        if (self.required_deposit is None) == needs_required:
            if needs_required:
                raise ValueError(f"kind {k.value!r} needs required_deposit")
            raise ValueError("required_deposit applies only to special_reserve_account_payable")
        needs_asset = k is LiabilityKind.FIXED_ASSET_SECURED
        if (self.secured_by_asset is None) == needs_asset:
            if needs_asset:
                raise ValueError(f"kind {k.value!r} needs secured_by_asset")
            raise ValueError("secured_by_asset applies only to fixed_asset_secured")
        if self.qualifies_as_equity and k is not LiabilityKind.SUBORDINATED:
            raise ValueError("qualifies_as_equity applies only to subordinated liabilities")
        return self


class AIAdditionKind(StrEnum):
    """Items in aggregate indebtedness that are not on the balance sheet (15c3-1(c)(1))."""

    SECURITIES_BORROWED_UNPAID = "securities_borrowed_unpaid"
    DRAFTS_FOR_IMMEDIATE_CREDIT = "drafts_for_immediate_credit"
    OTHER_UNRECORDED = "other_unrecorded"


class AIAddition(BaseModel):
    """An amount added to aggregate indebtedness beyond the recorded liabilities.

    ``securities_borrowed_unpaid``: the market value of securities borrowed for
    which no equivalent value is paid or credited, other than margin securities
    borrowed from customers under Rule 15c3-3 and from non-customers (15c3-1(c)(1)).
    """

    model_config = _FROZEN

    id: Id
    kind: AIAdditionKind
    amount: NonNegMoney
    description: str = ""


class NonAllowableKind(StrEnum):
    """Assets deducted under 15c3-1(c)(2)(iv), each with its sub-paragraph."""

    FIXED_ASSETS = "fixed_assets"  # (iv)(A)
    EXCHANGE_MEMBERSHIPS = "exchange_memberships"  # (iv)(A)
    PREPAID_ITEMS = "prepaid_items"  # (iv)(A)
    INTANGIBLES = "intangibles"  # (iv)(A) goodwill, organization expenses
    UNSECURED_ADVANCES = "unsecured_advances"  # (iv)(B)
    ACCOUNT_DEFICITS = "account_deficits"  # (iv)(B)
    STOCK_LOANED_EXCESS = "stock_loaned_excess"  # (iv)(B)
    FREE_SHIPMENTS = "free_shipments"  # (iv)(B)
    SDN_COLLATERAL_DEFICIENCY = "sdn_collateral_deficiency"  # (iv)(B)
    AGED_RECEIVABLES = "aged_receivables"  # (iv)(C)
    INSURANCE_CLAIMS = "insurance_claims"  # (iv)(D)
    OTHER_UNSECURED_RECEIVABLES = "other_unsecured_receivables"  # (iv)(E)
    DOUBTFUL_ASSETS = "doubtful_assets"  # (iv)(E)
    FAILS_TO_RECEIVE_EXCESS = "fails_to_receive_excess"  # (iv)(E)
    TRUST_ACCOUNT_EXCESS = "trust_account_excess"  # (iv)(E)
    REPO_DEFICITS = "repo_deficits"  # (iv)(F)
    SECURITIES_BORROWED_LETTER_OF_CREDIT = "securities_borrowed_letter_of_credit"  # (iv)(G)
    AFFILIATE_RECEIVABLES = "affiliate_receivables"  # (iv)(H)
    OTHER_NOT_READILY_CONVERTIBLE = "other_not_readily_convertible"  # (iv) lead-in


class NonAllowableAsset(BaseModel):
    """An asset deducted under 15c3-1(c)(2)(iv).

    ``amount`` is the carrying value, except for
    ``securities_borrowed_letter_of_credit`` where it is the market value of the
    securities borrowed (1% of it is deducted, (iv)(G)) and ``repo_deficits``
    where it is the deduction already computed under (iv)(F).
    """

    model_config = _FROZEN

    id: Id
    kind: NonAllowableKind
    amount: NonNegMoney
    description: str = ""
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code when the amount is not in US dollars"
    )


class CapitalContribution(BaseModel):
    """A capital contribution that may have to be deducted, 15c3-1(c)(2)(i)(G).

    Deducted when the investor may withdraw it at its option ((G)(1)), when it
    is intended to be withdrawn within one year of contribution ((G)(2)), or when
    it was withdrawn within one year of contribution without the written
    approval of the Examining Authority (deemed intended, (G)(2)).
    """

    model_config = _FROZEN

    id: Id
    amount: NonNegMoney
    contributed_on: ExactDate
    withdrawable_at_investor_option: bool = False
    intended_withdrawal_within_one_year: bool = False
    withdrawn_on: ExactDate | None = None
    withdrawal_approved_by_examining_authority: bool = False
    description: str = ""

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.withdrawn_on is not None and self.withdrawn_on < self.contributed_on:
            raise ValueError("withdrawn_on is before contributed_on")
        return self


class DeferredTax(BaseModel):
    """Tax items of 15c3-1(c)(2)(i)(C)-(E).

    (C) adds the lesser of ``deferred_tax_liability`` (the deferred income tax
    liability related to items (1)-(3)) and the sum of ``haircut_tax_effect``
    (1), ``accrued_income_deferred_tax`` (2) and ``appreciation_deferred_tax`` (3).
    (D) adds ``future_tax_benefits`` (benefits from unrealized losses that could
    have reduced accrued tax liabilities on the computation date), capped at
    ``accrued_tax_liabilities``.  (E) adds ``actual_tax_on_deducted_income``.
    """

    model_config = _FROZEN

    deferred_tax_liability: NonNegMoney = 0.0
    haircut_tax_effect: NonNegMoney = 0.0
    accrued_income_deferred_tax: NonNegMoney = 0.0
    appreciation_deferred_tax: NonNegMoney = 0.0
    future_tax_benefits: NonNegMoney = 0.0
    accrued_tax_liabilities: NonNegMoney = 0.0
    actual_tax_on_deducted_income: NonNegMoney = 0.0


class SoleProprietor(BaseModel):
    """Personal items of a sole proprietor, 15c3-1(c)(2)(iii)."""

    model_config = _FROZEN

    non_business_liabilities: NonNegMoney = 0.0
    non_business_assets: NonNegMoney = 0.0


class FidelityBond(BaseModel):
    """Fidelity bond deductible, for the deduction of 15c3-1(c)(2)(xiv).

    ``deductible`` is the deductible of the firm's fidelity bond;
    ``allowed_deductible`` is the largest deductible the Examining Authority's
    fidelity bond rule lets the firm carry without a charge (the firm works it
    out from that rule, which lies outside 15c3-1).  The excess of the first over
    the second is deducted from net worth.
    """

    model_config = _FROZEN

    deductible: NonNegMoney = Field(description="deductible of the firm's fidelity bond")
    allowed_deductible: NonNegMoney = Field(
        description="deductible the Examining Authority's rule allows without a deduction "
        "((c)(2)(xiv))"
    )


class UndermarginedAccount(BaseModel):
    """A customer or non-customer account short of maintenance margin, 15c3-1(c)(2)(xii)(A).

    ``cash_required`` is the cash the account needs to meet the Examining
    Authority's maintenance margin requirement.  ``call_amount`` is the amount of
    the calls for margin, marks to the market or other required deposits issued
    against that need and still outstanding; ``call_business_days`` is how many
    business days the oldest of them has been outstanding.  Calls outstanding
    five business days or less are applied against the cash required; older ones
    are not, so the whole requirement is deducted.
    """

    model_config = _FROZEN

    id: Id
    cash_required: NonNegMoney = Field(
        description="cash needed to meet the maintenance margin requirement ((c)(2)(xii)(A))"
    )
    call_amount: NonNegMoney = Field(
        default=0.0, description="calls for margin or deposits outstanding against it"
    )
    call_business_days: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="business days the outstanding calls have been outstanding"
    )
    description: str = ""

    @model_validator(mode="after")
    def _call_age(self) -> Self:
        if self.call_amount > 0 and self.call_business_days is None:
            raise ValueError("call_amount needs call_business_days (how long it is outstanding)")
        return self


class OtherDeduction(BaseModel):
    """Any other deduction from net worth, with the paragraph that requires it.

    The hook for deductions computed elsewhere: aged fails to deliver
    ((c)(2)(ix)), short securities differences ((c)(2)(v)), undermargined
    accounts ((c)(2)(xii)), fidelity bond deductibles ((c)(2)(xiv)), ...
    """

    model_config = _FROZEN

    label: Annotated[str, Field(min_length=1)]
    amount: NonNegMoney
    citation: Annotated[str, Field(min_length=1)]
    id: str | None = None


class BalanceSheet(BaseModel):
    """Ownership equity and the balance-sheet adjustments of 15c3-1(c)(2).

    ``net_worth`` is total ownership equity as on the statement of financial
    condition, with securities marked to market ((c)(2)(i)(B)).
    ``unrealized_adjustment`` is any unrealized profit (positive) or loss
    (negative) not yet reflected in it ((c)(2)(i)(A)).
    ``third_party_liabilities`` are liabilities or expenses of the business
    assumed by a third party without adequate independent resources
    ((c)(2)(i)(F)).  Subordinated liabilities are listed among the book's
    liabilities (kind ``subordinated``) and added back from there ((c)(2)(ii)).
    """

    model_config = _FROZEN

    net_worth: Money
    unrealized_adjustment: Money = 0.0
    non_allowable_assets: tuple[NonAllowableAsset, ...] = ()
    capital_contributions: tuple[CapitalContribution, ...] = ()
    deferred_tax: DeferredTax = DeferredTax()
    third_party_liabilities: NonNegMoney = 0.0
    sole_proprietor: SoleProprietor | None = None
    fidelity_bond: FidelityBond | None = None
    undermargined_accounts: tuple[UndermarginedAccount, ...] = ()
    other_deductions: tuple[OtherDeduction, ...] = ()

    @field_validator("non_allowable_assets")
    @classmethod
    def _unique_assets(cls, assets: tuple[NonAllowableAsset, ...]) -> tuple[NonAllowableAsset, ...]:
        _check_unique([a.id for a in assets], "non-allowable asset")
        return assets

    @field_validator("undermargined_accounts")
    @classmethod
    def _unique_undermargined(
        cls, accounts: tuple[UndermarginedAccount, ...]
    ) -> tuple[UndermarginedAccount, ...]:
        _check_unique([a.id for a in accounts], "undermargined account")
        return accounts

    @model_validator(mode="after")
    def _one_fidelity_bond_deduction(self) -> Self:
        if self.fidelity_bond is None:
            return self
        for i, d in enumerate(self.other_deductions):
            if d.citation.startswith("15c3-1(c)(2)(xiv)"):
                raise ValueError(
                    f"other_deductions {i}: the (c)(2)(xiv) fidelity bond deduction is computed "
                    "from fidelity_bond; give it there or as an other deduction, not both"
                )
        return self


class FirmProfile(BaseModel):
    """Who the firm is, for the minimum requirement of 15c3-1(a).

    Give ``commenced_business`` (the date it began business as a broker or
    dealer) or ``months_in_business`` (complete months since), not both.
    ``alternative_standard`` is the election of (a)(1)(ii).
    """

    model_config = _FROZEN

    name: str = "firm"
    firm_type: FirmType = FirmType.DEALER
    months_in_business: Annotated[int, Field(ge=0)] | None = None
    commenced_business: ExactDate | None = None
    alternative_standard: bool = False
    cftc_minimum: NonNegMoney | None = Field(
        default=None,
        description="for a futures commission merchant: its minimum adjusted net capital "
        "under CFTC Rule 1.17, compared with the (a)(1) requirement under 15c3-1(a)(1)(iii)",
    )
    fcm_segregated_funds: NonNegMoney | None = Field(
        default=None,
        description="for a futures commission merchant: the funds required to be segregated "
        "under the Commodity Exchange Act less the market value of commodity options purchased "
        "by option customers (each customer's deduction not over the funds in its account); "
        "15c3-1(a)(1)(iii) requires net capital of at least 4% of it",
    )

    @model_validator(mode="after")
    def _start(self) -> Self:
        if self.months_in_business is not None and self.commenced_business is not None:
            raise ValueError("give months_in_business or commenced_business, not both")
        return self


class MarketMakingSecurity(BaseModel):
    """A security in which the firm makes markets (15c3-1(a)(4), (c)(8)).

    ``market_value`` is the value of one unit (share); at $5 or less the
    per-security amount is the lower one.  ``average_markets`` is the fraction of
    the 30 days before the computation date on which the firm made the market
    (default 1: every day).
    """

    model_config = _FROZEN

    security_id: Id
    market_value: NonNegMoney
    average_markets: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 1.0


class MarketMaking(BaseModel):
    """Markets made, for the (a)(4) requirement.

    Either ``securities`` (one row per security with its unit value) or the
    30-day average counts by price band directly (``average_markets_over_5`` and
    ``average_markets_at_or_below_5``), not both.
    """

    model_config = _FROZEN

    securities: tuple[MarketMakingSecurity, ...] = ()
    average_markets_over_5: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    average_markets_at_or_below_5: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        counts = (self.average_markets_over_5, self.average_markets_at_or_below_5)
        given = [c is not None for c in counts]
        if self.securities and any(given):
            raise ValueError("give securities or the average counts by price band, not both")
        if any(given) and not all(given):
            raise ValueError("give both average_markets_over_5 and average_markets_at_or_below_5")
        if not self.securities and not any(given):
            raise ValueError(
                "give the securities made markets in, or the average counts by price band"
            )
        _check_unique([s.security_id for s in self.securities], "market-making security")
        return self


class MarketMakerAccount(BaseModel):
    """A market-maker or specialist account under 15c3-1(a)(6).

    ``role``: ``own`` when the book's firm is the dealer that elected (a)(6) for
    this account (its positions here are not haircut under (c)(2)(vi)); ``carried``
    when the book's firm is the broker-dealer carrying the account of another
    dealer (a collateral deficiency is deducted under (c)(2)(xi)).

    ``credit_balance`` is the money balance in the account, negative for a debit
    balance ((a)(6)(iii)(C)(2)).  The eligibility facts of (a)(6)(ii) and the
    written undertaking of (a)(6)(iv) are stated by the firm and reported.
    """

    model_config = _FROZEN

    id: Id
    role: Literal["own", "carried"] = "own"
    positions: tuple[Position, ...] = ()
    credit_balance: Money = 0.0
    transacts_only_with_brokers_dealers: bool
    carries_customer_accounts: bool
    transacts_unlisted_options: bool
    cleared_by_another_broker_dealer: bool
    undertaking_filed: bool = True

    @field_validator("positions")
    @classmethod
    def _unique_positions(cls, positions: tuple[Position, ...]) -> tuple[Position, ...]:
        _check_unique([p.id for p in positions], "position")
        return positions


class ReverseRepoCollateral(StrEnum):
    """Classes of securities under a reverse repurchase agreement, 15c3-1(a)(9)(i)-(iii)."""

    TREASURY = "treasury"  # (a)(9)(i): Treasury bills, notes and bonds
    AGENCY_OR_MORTGAGE = "agency_or_mortgage"  # (a)(9)(ii): agency or mortgage related
    OTHER = "other"  # (a)(9)(iii)


class ReverseRepo(BaseModel):
    """Reverse repurchase agreements with one party in one class of securities, for (a)(9).

    ``market_value`` is the market value of the securities subject to the
    agreements; ``contract_price`` the contract prices including accrued interest.
    Rows with the same ``counterparty`` and ``collateral`` are added together.
    """

    model_config = _FROZEN

    id: Id
    counterparty: Id
    collateral: ReverseRepoCollateral
    market_value: NonNegMoney
    contract_price: NonNegMoney = Field(description="contract prices including accrued interest")
    description: str = ""
    margin_held: NonNegMoney = Field(
        default=0.0,
        description="margin or other deposits the firm holds on account of the agreement "
        "((c)(2)(iv)(F)(2)(ii)(A))",
    )
    calls_one_business_day: NonNegMoney = Field(
        default=0.0,
        description="calls for margin, marks to the market or other required deposits "
        "outstanding one business day or less ((c)(2)(iv)(F)(2)(ii)(D))",
    )
    federal_reserve_bank_of_new_york: bool = Field(
        default=False,
        description="the counterparty is the Federal Reserve Bank of New York: the deficit is "
        "disregarded ((c)(2)(iv)(F)(1)(iv))",
    )


class RepurchaseAgreement(BaseModel):
    """A repurchase agreement: the firm sold securities and agreed to buy them back.

    For the deduction of 15c3-1(c)(2)(iv)(F)(3).  ``contract_price`` is the
    contract price for repurchase including accrued interest ((F)(1)(iii));
    ``market_value`` the market value of the securities subject to the agreement;
    ``collateral`` their type, which sets the 5%, 10% or 20% of (F)(3)(i)(A).
    """

    model_config = _FROZEN

    id: Id
    counterparty: Id
    collateral: ReverseRepoCollateral
    market_value: NonNegMoney
    contract_price: NonNegMoney = Field(
        description="contract price for repurchase including accrued interest"
    )
    calls_one_business_day: NonNegMoney = Field(
        default=0.0,
        description="calls for margin, marks to the market or other required deposits "
        "outstanding one business day or less ((c)(2)(iv)(F)(3)(ii)(C))",
    )
    federal_reserve_bank_of_new_york: bool = Field(
        default=False,
        description="the counterparty is the Federal Reserve Bank of New York: the deficit is "
        "disregarded ((c)(2)(iv)(F)(1)(iv))",
    )
    description: str = ""


class SecuredDemandNote(BaseModel):
    """A secured demand note contributed under a satisfactory subordination agreement.

    Appendix D (17 CFR 240.15c3-1d).  ``unpaid_principal`` is the unpaid principal
    amount of the note (the subordinated liability itself is listed among the
    liabilities, kind ``subordinated``); ``cash_collateral`` the cash pledged;
    ``collateral`` the securities pledged, each valued at market less the
    (c)(2)(vi) deduction, or 30% for securities of (c)(2)(vi)(J)
    (15c3-1d(a)(2)(iii)).  A shortfall of cash plus collateral value below the
    unpaid principal is deducted under 15c3-1(c)(2)(iv)(B).
    """

    model_config = _FROZEN

    id: Id
    unpaid_principal: NonNegMoney = Field(description="unpaid principal amount of the note")
    cash_collateral: NonNegMoney = Field(default=0.0, description="cash pledged as collateral")
    collateral: tuple[Position, ...] = Field(
        default=(), description="securities pledged as collateral (long positions)"
    )
    description: str = ""

    @field_validator("collateral")
    @classmethod
    def _long_unique(cls, positions: tuple[Position, ...]) -> tuple[Position, ...]:
        _check_unique([p.id for p in positions], "collateral")
        for i, p in enumerate(positions):
            if p.side.value != "long":
                raise ValueError(f"collateral {i} ({p.id!r}): pledged securities are held long")
        return positions


class Leverage(BaseModel):
    """Securities financing totals for the leverage notice of Rule 17a-11(c)(5).

    Government securities (Exchange Act section 3(a)(42)) are left out of both
    totals, as (c)(5) requires.
    """

    model_config = _FROZEN

    payable_securities_loaned_and_repo: NonNegMoney = 0.0
    contract_value_borrowed_and_reverse_repo: NonNegMoney = 0.0


class Book(BaseModel):
    """A firm's book as of one date: everything the net capital computation reads."""

    model_config = _FROZEN

    as_of: ExactDate
    firm: FirmProfile = FirmProfile()
    balance_sheet: BalanceSheet
    positions: tuple[Position, ...] = ()
    liabilities: tuple[Liability, ...] = ()
    ai_additions: tuple[AIAddition, ...] = ()
    aggregate_debit_items: NonNegMoney | None = None
    market_making: MarketMaking | None = None
    market_maker_accounts: tuple[MarketMakerAccount, ...] = ()
    leverage: Leverage | None = None
    reverse_repos: tuple[ReverseRepo, ...] = Field(
        default=(), description="reverse repurchase agreements by party and class ((a)(9))"
    )
    fails: tuple[Fail, ...] = Field(
        default=(), description="open fails to deliver and receive ((c)(2)(ix), (c)(2)(iv)(E))"
    )
    securities_differences: tuple[Difference, ...] = Field(
        default=(), description="unresolved securities differences ((c)(2)(v))"
    )
    receivables: tuple[Receivable, ...] = Field(
        default=(),
        description="dated receivables aged under (c)(2)(iv)(B), (C) and (D) as of as_of",
    )
    commitments: tuple[Commitment, ...] = Field(
        default=(),
        description="open contractual commitments ((c)(2)(viii)): each names the position "
        "stating the net position it contemplates",
    )
    repurchase_agreements: tuple[RepurchaseAgreement, ...] = Field(
        default=(), description="repurchase agreements, for the (c)(2)(iv)(F)(3) deduction"
    )
    secured_demand_notes: tuple[SecuredDemandNote, ...] = Field(
        default=(), description="secured demand notes and their collateral (15c3-1d)"
    )
    currency_rates: tuple[CurrencyRate, ...] = Field(
        default=(),
        description="US dollars per unit of each currency the book uses other than US dollars",
    )

    @field_validator("positions")
    @classmethod
    def _unique_ids(cls, positions: tuple[Position, ...]) -> tuple[Position, ...]:
        seen: set[str] = set()
        for i, p in enumerate(positions):
            if p.id in seen:
                raise ValueError(f"position {i}: duplicate id {p.id!r}")
            seen.add(p.id)
        ids = seen
        for i, p in enumerate(positions):
            if p.deliverable_position is not None and p.deliverable_position not in ids:
                raise ValueError(
                    f"position {i} ({p.id!r}): deliverable_position "
                    f"{p.deliverable_position!r} names no position in the book"
                )
        return positions

    @field_validator("reverse_repos")
    @classmethod
    def _unique_repos(cls, repos: tuple[ReverseRepo, ...]) -> tuple[ReverseRepo, ...]:
        _check_unique([r.id for r in repos], "reverse repo")
        return repos

    @field_validator("repurchase_agreements")
    @classmethod
    def _unique_repurchase(
        cls, repos: tuple[RepurchaseAgreement, ...]
    ) -> tuple[RepurchaseAgreement, ...]:
        _check_unique([r.id for r in repos], "repurchase agreement")
        return repos

    @field_validator("secured_demand_notes")
    @classmethod
    def _unique_notes(cls, notes: tuple[SecuredDemandNote, ...]) -> tuple[SecuredDemandNote, ...]:
        _check_unique([n.id for n in notes], "secured demand note")
        return notes

    @field_validator("currency_rates")
    @classmethod
    def _one_rate_each(cls, rates: tuple[CurrencyRate, ...]) -> tuple[CurrencyRate, ...]:
        seen: set[str] = set()
        for i, r in enumerate(rates):
            if r.currency in seen:
                raise ValueError(f"currency_rates {i}: currency {r.currency!r} has two rates")
            if r.currency == "USD" and r.usd_per_unit != 1:
                raise ValueError(f"currency_rates {i}: currency 'USD' is one dollar per unit")
            seen.add(r.currency)
        return rates

    @model_validator(mode="after")
    def _every_currency_has_a_rate(self) -> Self:
        rated = {r.currency for r in self.currency_rates} | {"USD"}
        lists: list[tuple[str, tuple[Any, ...]]] = [
            ("positions", self.positions),
            ("balance_sheet.non_allowable_assets", self.balance_sheet.non_allowable_assets),
            ("liabilities", self.liabilities),
        ]
        for name, items in lists:
            for i, item in enumerate(items):
                code = item.currency
                if code is not None and code not in rated:
                    raise ValueError(
                        f"{name} {i} ({item.id!r}): currency {code!r} has no rate in currency_rates"
                    )
        nested = [
            (f"market_maker_accounts {a.id!r}", p)
            for a in self.market_maker_accounts
            for p in a.positions
        ] + [
            (f"secured_demand_notes {n.id!r}", p)
            for n in self.secured_demand_notes
            for p in n.collateral
        ]
        for where, p in nested:
            if p.currency not in (None, "USD"):
                raise ValueError(
                    f"{where}: position {p.id!r} gives currency {p.currency!r}; amounts are "
                    "converted for the book's positions, non-allowable assets and liabilities "
                    "only: give this one in US dollars"
                )
        return self

    @model_validator(mode="after")
    def _computed_or_typed(self) -> Self:
        """A deduction netcap computes from the agreements or notes is not typed in as well."""
        typed = {a.kind: a.id for a in self.balance_sheet.non_allowable_assets}
        repo = typed.get(NonAllowableKind.REPO_DEFICITS)
        if repo is not None and (self.reverse_repos or self.repurchase_agreements):
            raise ValueError(
                f"balance_sheet.non_allowable_assets: {repo!r} types in the (c)(2)(iv)(F) "
                "deduction, which netcap computes from reverse_repos and repurchase_agreements; "
                "give the agreements or the typed-in deduction, not both"
            )
        sdn = typed.get(NonAllowableKind.SDN_COLLATERAL_DEFICIENCY)
        if sdn is not None and self.secured_demand_notes:
            raise ValueError(
                f"balance_sheet.non_allowable_assets: {sdn!r} types in the secured demand note "
                "collateral deficiency ((c)(2)(iv)(B)), which netcap computes from "
                "secured_demand_notes; give the notes or the typed-in deficiency, not both"
            )
        return self

    @field_validator("liabilities")
    @classmethod
    def _unique_liabilities(cls, liabilities: tuple[Liability, ...]) -> tuple[Liability, ...]:
        _check_unique([li.id for li in liabilities], "liability")
        return liabilities

    @field_validator("market_maker_accounts")
    @classmethod
    def _unique_accounts(
        cls, accounts: tuple[MarketMakerAccount, ...]
    ) -> tuple[MarketMakerAccount, ...]:
        _check_unique([a.id for a in accounts], "market-maker account")
        return accounts

    @field_validator("receivables")
    @classmethod
    def _unique_receivables(cls, items: tuple[Receivable, ...]) -> tuple[Receivable, ...]:
        _check_unique([r.id for r in items], "receivables")
        return items

    @field_validator("commitments")
    @classmethod
    def _unique_commitments(cls, items: tuple[Commitment, ...]) -> tuple[Commitment, ...]:
        _check_unique([c.id for c in items], "commitments")
        return items

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        began = self.firm.commenced_business
        if began is not None and began > self.as_of:
            raise ValueError(
                f"firm.commenced_business {began.isoformat()} is after the as-of date "
                f"{self.as_of.isoformat()}: a firm cannot be computed before it began business"
            )
        assets = {a.id for a in self.balance_sheet.non_allowable_assets}
        for i, r in enumerate(self.receivables):
            if r.id in assets:
                raise ValueError(
                    f"receivables {i} ({r.id!r}): id {r.id!r} is also a non-allowable asset; "
                    "enter the receivable once, dated here or pre-aged there"
                )
            if r.aged_from > self.as_of:
                raise ValueError(
                    f"receivables {i} ({r.id!r}): aged_from {r.aged_from.isoformat()} is after "
                    "the as-of date"
                )
        for i, li in enumerate(self.liabilities):
            if li.secured_by_asset is not None and li.secured_by_asset not in assets:
                raise ValueError(
                    f"liabilities {i} ({li.id!r}): secured_by_asset {li.secured_by_asset!r} "
                    "names no non-allowable asset"
                )
            if (
                li.kind is LiabilityKind.MBB_MUNICIPAL_COLLATERALIZED
                and self.firm.firm_type is not FirmType.MUNICIPAL_BROKERS_BROKER
            ):
                raise ValueError(
                    f"liabilities {i} ({li.id!r}): the (a)(8)(v) exclusion is only for a "
                    "municipal securities brokers' broker"
                )
        for i, c in enumerate(self.balance_sheet.capital_contributions):
            if c.withdrawn_on is not None and c.withdrawn_on <= self.as_of:
                raise ValueError(
                    f"balance_sheet.capital_contributions {i} ({c.id!r}): withdrawn on "
                    f"{c.withdrawn_on.isoformat()}, on or before the as-of date, so it is not "
                    "part of net worth; leave it out"
                )
            if c.contributed_on > self.as_of:
                raise ValueError(
                    f"balance_sheet.capital_contributions {i} ({c.id!r}): contributed after "
                    "the as-of date"
                )
        ids = {p.id for p in self.positions}
        for a in self.market_maker_accounts:
            for p in a.positions:
                if p.id in ids:
                    raise ValueError(
                        f"market_maker_accounts {a.id!r}: position id {p.id!r} is used twice"
                    )
                ids.add(p.id)
        return self


def _check_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise ValueError(f"{what} {i}: duplicate id {x!r}")
        seen.add(x)
