"""The public API: what ``netcap.__all__`` promises, and that it is documented and typed."""

from __future__ import annotations

import importlib
import inspect
import tomllib

import netcap
from tests.conftest import ROOT

# The promised names, sorted.  A branch that adds a public name adds it here, in order.
PUBLIC = [
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


def test_all_is_pinned_and_sorted() -> None:
    assert sorted(PUBLIC) == PUBLIC
    assert list(netcap.__all__) == PUBLIC


def test_every_public_name_imports() -> None:
    module = importlib.import_module("netcap")
    for name in PUBLIC:
        assert hasattr(module, name), name
    namespace: dict[str, object] = {}
    exec("from netcap import *", namespace)
    assert set(PUBLIC) <= set(namespace)


def test_every_public_callable_has_a_docstring() -> None:
    missing = [
        name
        for name in PUBLIC
        if (inspect.isclass(getattr(netcap, name)) or callable(getattr(netcap, name)))
        and not (inspect.getdoc(getattr(netcap, name)) or "").strip()
    ]
    assert missing == []


def test_version_matches_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert netcap.__version__ == project["version"]


def test_package_is_marked_typed_and_ships_its_data() -> None:
    # PEP 561: the marker sits in the package, and the wheel target packages the whole
    # directory, so py.typed and netcap/data/*.csv ship with it.
    assert (ROOT / "netcap" / "py.typed").is_file()
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["hatch"]["build"]
    assert wheel["targets"]["wheel"]["packages"] == ["netcap"]
    assert "haircut_tables" in wheel["targets"]["wheel"]["force-include"]
    assert (ROOT / "netcap" / "data" / "rule_outline.csv").is_file()


def test_a_book_with_the_newer_inputs_builds_from_top_level_names() -> None:
    from datetime import date  # noqa: PLC0415

    book = netcap.Book(
        as_of=date(2024, 6, 28),
        balance_sheet=netcap.BalanceSheet(
            net_worth=1_000_000,
            fidelity_bond=netcap.FidelityBond(deductible=50_000, allowed_deductible=20_000),
            undermargined_accounts=(netcap.UndermarginedAccount(id="u1", cash_required=10_000),),
        ),
        reverse_repos=(
            netcap.ReverseRepo(
                id="r1",
                counterparty="bank",
                collateral=netcap.ReverseRepoCollateral.TREASURY,
                market_value=1_000_000,
                contract_price=1_000_000,
            ),
        ),
        leverage=netcap.Leverage(),
    )
    result = netcap.compute(book)
    # (c)(2)(xiv): deductible 50,000 less the 20,000 allowed = 30,000;
    # (c)(2)(xii)(A): 10,000 of maintenance margin with no call outstanding = 10,000;
    # no positions, so no haircuts: 1,000,000 - 30,000 - 10,000 = 960,000
    assert result.net_capital == 960_000
