"""netcap: broker-dealer net capital under SEC Rule 15c3-1.

The public API is what ``__all__`` lists; everything else may change.

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
