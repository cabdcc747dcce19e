"""netcap: broker-dealer net capital under SEC Rule 15c3-1.

The public API is what ``__all__`` lists; everything else may change.
"""

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
