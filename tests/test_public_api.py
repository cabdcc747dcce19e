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
    "BookError",
    "BookInputError",
    "CapitalContribution",
    "Combination",
    "ComputeOptions",
    "Crossover",
    "DealerCapital",
    "DealerFacts",
    "DeferredTax",
    "FirmProfile",
    "FirmType",
    "GovernmentOptions",
    "HaircutOptions",
    "HaircutResult",
    "Instrument",
    "Leg",
    "LegKind",
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
    "OtherDeduction",
    "Position",
    "PreTradeResult",
    "PreTradeState",
    "PreparedTrade",
    "RegistrationAnalysis",
    "RowError",
    "ScreenResult",
    "SecurityClass",
    "Side",
    "Strategy",
    "__version__",
    "analyze",
    "combine",
    "compute",
    "compute_haircuts",
    "export_computation",
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
