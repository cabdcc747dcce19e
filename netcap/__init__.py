"""netcap: broker-dealer net capital under SEC Rule 15c3-1.

The public API is what ``__all__`` lists; everything else may change.

Each public name is imported from its module the first time it is used (PEP 562), so
``import netcap`` (and the ``netcap`` command, which imports the package first) costs
almost nothing until a name is asked for: ``from netcap import compute`` loads the
computation and what it needs, and nothing else.

The packages follow the flow of a computation::

    file (CSV folder, workbook, JSON)
      |  netcap.book       read, check, turn into a position frame and a Book
      v
    Book + positions
      |  netcap.rule       net worth -> (c)(2) deductions -> haircuts per paragraph
      |                    of (c)(2)(vi) and the appendices -> net capital;
      |                    aggregate indebtedness, requirement, excess, early warning
      v
    NetCapitalResult ----> netcap.report     text, JSON, workbooks, FOCUS boxes, plots, views
      |
      +--> netcap.pretrade   one trade against a prepared state of the book
      +--> netcap.dealer     a strategy sized in P: non-dealer margin against the
                             dealer's requirement (Release 34-99477, Table 10)

``netcap.calendar`` dates settlement for the rule and the reports; ``netcap.cli``
is the command line, one module per command.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netcap.book.book_json import BookInputError
    from netcap.book.currency import CurrencyRate
    from netcap.book.firm import (
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
    from netcap.book.frame import BookError, RowError, positions_frame, validate_frame
    from netcap.book.loading import LoadedBook, load_book, write_template
    from netcap.book.model import FundAssets, Instrument, OptionType, Position, SecurityClass, Side
    from netcap.dealer.lockup import LockupResult, simulate_lockup
    from netcap.dealer.portfolio import Combination, combine
    from netcap.dealer.registration import (
        Crossover,
        DealerCapital,
        RegistrationAnalysis,
        analyze,
        sweep,
    )
    from netcap.dealer.screen import DealerFacts, ScreenResult, screen
    from netcap.dealer.strategy import Leg, LegKind, Strategy, uncovered_futures_variant
    from netcap.pretrade import PreparedTrade, PreTradeResult, PreTradeState
    from netcap.report import export_computation
    from netcap.report.diff import BookDiff, diff_books
    from netcap.report.focus import FocusReport, focus_report
    from netcap.rule.commitments import Commitment
    from netcap.rule.computation import ComputeOptions, NetCapitalResult, compute
    from netcap.rule.fails import Difference, Fail
    from netcap.rule.haircuts import HaircutOptions, HaircutResult, compute_haircuts
    from netcap.rule.haircuts.government import GovernmentOptions
    from netcap.rule.receivables import Receivable, ReceivableKind

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
    "AIAddition": "netcap.book.firm",
    "AIAdditionKind": "netcap.book.firm",
    "BalanceSheet": "netcap.book.firm",
    "Book": "netcap.book.firm",
    "BookDiff": "netcap.report.diff",
    "BookError": "netcap.book.frame",
    "BookInputError": "netcap.book.book_json",
    "CapitalContribution": "netcap.book.firm",
    "Combination": "netcap.dealer.portfolio",
    "Commitment": "netcap.rule.commitments",
    "ComputeOptions": "netcap.rule.computation",
    "Crossover": "netcap.dealer.registration",
    "CurrencyRate": "netcap.book.currency",
    "DealerCapital": "netcap.dealer.registration",
    "DealerFacts": "netcap.dealer.screen",
    "DeferredTax": "netcap.book.firm",
    "Difference": "netcap.rule.fails",
    "Fail": "netcap.rule.fails",
    "FidelityBond": "netcap.book.firm",
    "FirmProfile": "netcap.book.firm",
    "FirmType": "netcap.book.firm",
    "FocusReport": "netcap.report.focus",
    "FundAssets": "netcap.book.model",
    "GovernmentOptions": "netcap.rule.haircuts.government",
    "HaircutOptions": "netcap.rule.haircuts",
    "HaircutResult": "netcap.rule.haircuts",
    "Instrument": "netcap.book.model",
    "Leg": "netcap.dealer.strategy",
    "LegKind": "netcap.dealer.strategy",
    "Leverage": "netcap.book.firm",
    "Liability": "netcap.book.firm",
    "LiabilityKind": "netcap.book.firm",
    "LoadedBook": "netcap.book.loading",
    "LockupResult": "netcap.dealer.lockup",
    "MarketMakerAccount": "netcap.book.firm",
    "MarketMaking": "netcap.book.firm",
    "MarketMakingSecurity": "netcap.book.firm",
    "NetCapitalResult": "netcap.rule.computation",
    "NonAllowableAsset": "netcap.book.firm",
    "NonAllowableKind": "netcap.book.firm",
    "OptionType": "netcap.book.model",
    "OtherDeduction": "netcap.book.firm",
    "Position": "netcap.book.model",
    "PreTradeResult": "netcap.pretrade",
    "PreTradeState": "netcap.pretrade",
    "PreparedTrade": "netcap.pretrade",
    "Receivable": "netcap.rule.receivables",
    "ReceivableKind": "netcap.rule.receivables",
    "RegistrationAnalysis": "netcap.dealer.registration",
    "RepurchaseAgreement": "netcap.book.firm",
    "ReverseRepo": "netcap.book.firm",
    "ReverseRepoCollateral": "netcap.book.firm",
    "RowError": "netcap.book.frame",
    "ScreenResult": "netcap.dealer.screen",
    "SecuredDemandNote": "netcap.book.firm",
    "SecurityClass": "netcap.book.model",
    "Side": "netcap.book.model",
    "SoleProprietor": "netcap.book.firm",
    "Strategy": "netcap.dealer.strategy",
    "UndermarginedAccount": "netcap.book.firm",
    "analyze": "netcap.dealer.registration",
    "combine": "netcap.dealer.portfolio",
    "compute": "netcap.rule.computation",
    "compute_haircuts": "netcap.rule.haircuts",
    "diff_books": "netcap.report.diff",
    "export_computation": "netcap.report",
    "focus_report": "netcap.report.focus",
    "load_book": "netcap.book.loading",
    "positions_frame": "netcap.book.frame",
    "screen": "netcap.dealer.screen",
    "simulate_lockup": "netcap.dealer.lockup",
    "sweep": "netcap.dealer.registration",
    "uncovered_futures_variant": "netcap.dealer.strategy",
    "validate_frame": "netcap.book.frame",
    "write_template": "netcap.book.loading",
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
