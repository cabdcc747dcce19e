"""netcap: broker-dealer net capital under SEC Rule 15c3-1.

The public API is what ``__all__`` lists; everything else may change.

Each public name is imported from its module the first time it is used (PEP 562), so
``import netcap`` (and the ``netcap`` command, which imports the package first) costs
almost nothing until a name is asked for: ``from netcap import compute`` loads the
computation and what it needs, and nothing else.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netcap.book_json import BookInputError
    from netcap.commitments import Commitment
    from netcap.computation import ComputeOptions, NetCapitalResult, compute
    from netcap.currency import CurrencyRate
    from netcap.dealer_screen import DealerFacts, ScreenResult, screen
    from netcap.diff import BookDiff, diff_books
    from netcap.fails import Difference, Fail
    from netcap.firm import (
        AIAddition,
        AIAdditionKind,
        BalanceSheet,
        Book,
        CapitalContribution,
        DeferredTax,
        FidelityBond,
        FirmProfile,
        FirmType,
        Leverage,
        Liability,
        LiabilityKind,
        MarketMakerAccount,
        MarketMaking,
        MarketMakingSecurity,
        NonAllowableAsset,
        NonAllowableKind,
        OtherDeduction,
        RepurchaseAgreement,
        ReverseRepo,
        ReverseRepoCollateral,
        SecuredDemandNote,
        SoleProprietor,
        UndermarginedAccount,
    )
    from netcap.frame import BookError, RowError, positions_frame, validate_frame
    from netcap.haircuts import HaircutOptions, HaircutResult, compute_haircuts
    from netcap.haircuts.government import GovernmentOptions
    from netcap.io import LoadedBook, load_book, write_template
    from netcap.lockup import LockupResult, simulate_lockup
    from netcap.model import FundAssets, Instrument, OptionType, Position, SecurityClass, Side
    from netcap.portfolio import Combination, combine
    from netcap.pretrade import PreparedTrade, PreTradeResult, PreTradeState
    from netcap.receivables import Receivable, ReceivableKind
    from netcap.registration import Crossover, DealerCapital, RegistrationAnalysis, analyze, sweep
    from netcap.report import export_computation
    from netcap.report.focus import FocusReport, focus_report
    from netcap.strategy import Leg, LegKind, Strategy, uncovered_futures_variant

__version__ = "0.1.0"

__all__ = [
    "AIAddition",
    "AIAdditionKind",
    "BalanceSheet",
    "Book",
    "BookDiff",
    "BookError",
    "BookInputError",
    "CapitalContribution",
    "Combination",
    "Commitment",
    "ComputeOptions",
    "Crossover",
    "CurrencyRate",
    "DealerCapital",
    "DealerFacts",
    "DeferredTax",
    "Difference",
    "Fail",
    "FidelityBond",
    "FirmProfile",
    "FirmType",
    "FocusReport",
    "FundAssets",
    "GovernmentOptions",
    "HaircutOptions",
    "HaircutResult",
    "Instrument",
    "Leg",
    "LegKind",
    "Leverage",
    "Liability",
    "LiabilityKind",
    "LoadedBook",
    "LockupResult",
    "MarketMakerAccount",
    "MarketMaking",
    "MarketMakingSecurity",
    "NetCapitalResult",
    "NonAllowableAsset",
    "NonAllowableKind",
    "OptionType",
    "OtherDeduction",
    "Position",
    "PreTradeResult",
    "PreTradeState",
    "PreparedTrade",
    "Receivable",
    "ReceivableKind",
    "RegistrationAnalysis",
    "RepurchaseAgreement",
    "ReverseRepo",
    "ReverseRepoCollateral",
    "RowError",
    "ScreenResult",
    "SecuredDemandNote",
    "SecurityClass",
    "Side",
    "SoleProprietor",
    "Strategy",
    "UndermarginedAccount",
    "__version__",
    "analyze",
    "combine",
    "compute",
    "compute_haircuts",
    "diff_books",
    "export_computation",
    "focus_report",
    "load_book",
    "positions_frame",
    "screen",
    "simulate_lockup",
    "sweep",
    "uncovered_futures_variant",
    "validate_frame",
    "write_template",
]

_MODULE_OF: dict[str, str] = {
    "AIAddition": "netcap.firm",
    "AIAdditionKind": "netcap.firm",
    "BalanceSheet": "netcap.firm",
    "Book": "netcap.firm",
    "BookDiff": "netcap.diff",
    "BookError": "netcap.frame",
    "BookInputError": "netcap.book_json",
    "CapitalContribution": "netcap.firm",
    "Combination": "netcap.portfolio",
    "Commitment": "netcap.commitments",
    "ComputeOptions": "netcap.computation",
    "Crossover": "netcap.registration",
    "CurrencyRate": "netcap.currency",
    "DealerCapital": "netcap.registration",
    "DealerFacts": "netcap.dealer_screen",
    "DeferredTax": "netcap.firm",
    "Difference": "netcap.fails",
    "Fail": "netcap.fails",
    "FidelityBond": "netcap.firm",
    "FirmProfile": "netcap.firm",
    "FirmType": "netcap.firm",
    "FocusReport": "netcap.report.focus",
    "FundAssets": "netcap.model",
    "GovernmentOptions": "netcap.haircuts.government",
    "HaircutOptions": "netcap.haircuts",
    "HaircutResult": "netcap.haircuts",
    "Instrument": "netcap.model",
    "Leg": "netcap.strategy",
    "LegKind": "netcap.strategy",
    "Leverage": "netcap.firm",
    "Liability": "netcap.firm",
    "LiabilityKind": "netcap.firm",
    "LoadedBook": "netcap.io",
    "LockupResult": "netcap.lockup",
    "MarketMakerAccount": "netcap.firm",
    "MarketMaking": "netcap.firm",
    "MarketMakingSecurity": "netcap.firm",
    "NetCapitalResult": "netcap.computation",
    "NonAllowableAsset": "netcap.firm",
    "NonAllowableKind": "netcap.firm",
    "OptionType": "netcap.model",
    "OtherDeduction": "netcap.firm",
    "Position": "netcap.model",
    "PreTradeResult": "netcap.pretrade",
    "PreTradeState": "netcap.pretrade",
    "PreparedTrade": "netcap.pretrade",
    "Receivable": "netcap.receivables",
    "ReceivableKind": "netcap.receivables",
    "RegistrationAnalysis": "netcap.registration",
    "RepurchaseAgreement": "netcap.firm",
    "ReverseRepo": "netcap.firm",
    "ReverseRepoCollateral": "netcap.firm",
    "RowError": "netcap.frame",
    "ScreenResult": "netcap.dealer_screen",
    "SecuredDemandNote": "netcap.firm",
    "SecurityClass": "netcap.model",
    "Side": "netcap.model",
    "SoleProprietor": "netcap.firm",
    "Strategy": "netcap.strategy",
    "UndermarginedAccount": "netcap.firm",
    "analyze": "netcap.registration",
    "combine": "netcap.portfolio",
    "compute": "netcap.computation",
    "compute_haircuts": "netcap.haircuts",
    "diff_books": "netcap.diff",
    "export_computation": "netcap.report",
    "focus_report": "netcap.report.focus",
    "load_book": "netcap.io",
    "positions_frame": "netcap.frame",
    "screen": "netcap.dealer_screen",
    "simulate_lockup": "netcap.lockup",
    "sweep": "netcap.registration",
    "uncovered_futures_variant": "netcap.strategy",
    "validate_frame": "netcap.frame",
    "write_template": "netcap.io",
}
"""The module each public name is imported from on first use."""


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups find it without this function
    return value


def __dir__() -> list[str]:
    """The public names (loaded or not) beside what the module holds already."""
    return sorted({*globals(), *__all__})
