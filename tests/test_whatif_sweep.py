"""Legs of any class in P or dollars; exact sweeps, crossovers and limits (netcap.dealer.curves)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.frame import positions_frame
from netcap.book.model import Instrument, SecurityClass
from netcap.cli import load_strategy
from netcap.dealer.curves import haircut_curve, leg_frame
from netcap.dealer.registration import analyze, sweep
from netcap.dealer.strategy import Leg, Strategy
from netcap.rule.haircuts import compute_haircuts
from tests.conftest import FIXTURES

AS_OF = date(2024, 6, 28)


def spec(*legs: dict, **kw: object) -> Strategy:
    return Strategy.model_validate({"name": "t", "as_of": AS_OF, "legs": list(legs), **kw})


# long P of a 20-year bond (4c, 5.5%) against a fixed short $2mm 30-year bond (4d, 6%)
BOND_VS_FIXED_SHORT = spec(
    {"kind": "treasury", "side": "long", "size": 1, "years": 20},
    {"kind": "treasury", "side": "short", "amount": 2_000_000, "years": 30},
)
# long P of a 10-year note against a fixed short $30mm future deliverable into it
NOTE_VS_FIXED_FUTURE = spec(
    {"kind": "treasury", "side": "long", "size": 1, "years": 10},
    {
        "kind": "treasury_future",
        "side": "short",
        "amount": 30_000_000,
        "years": 10,
        "deliverable_leg": 0,
    },
)


def test_leg_kind_and_class_forms_agree() -> None:
    a = Leg.model_validate({"kind": "treasury_future", "side": "short", "size": 1, "years": 2})
    b = Leg.model_validate(
        {
            "security_class": "government",
            "instrument": "future",
            "side": "short",
            "size": 1,
            "years": 2,
        }
    )
    assert (a.security_class, a.instrument) == (b.security_class, b.instrument)
    assert (a.security_class, a.instrument) == (SecurityClass.GOVERNMENT, Instrument.FUTURE)
    eq = Leg.model_validate({"security_class": "equity", "side": "long", "amount": 5e6})
    assert eq.instrument is Instrument.CASH
    assert eq.value(1e9) == 5e6


@pytest.mark.parametrize(
    ("leg", "message"),
    [
        ({"kind": "treasury", "side": "long", "years": 2}, "exactly one of size"),
        ({"kind": "treasury", "side": "long", "size": 1, "amount": 5, "years": 2}, "exactly one"),
        (
            {"kind": "treasury", "instrument": "future", "side": "long", "size": 1},
            "means instrument",
        ),
        ({"kind": "treasury", "side": "long", "size": 1, "deliverable_leg": 0}, "futures legs"),
    ],
)
def test_bad_legs(leg: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Leg.model_validate(leg)


def test_margin_rate_on_every_leg_or_none() -> None:
    with pytest.raises(ValidationError, match=r"legs \[1\]: margin_rate missing"):
        spec(
            {"kind": "treasury", "side": "long", "size": 1, "years": 2, "margin_rate": 0.01},
            {"kind": "treasury", "side": "short", "size": 1, "years": 3},
        )


def test_dollar_leg_haircut_is_exact_and_bends_once() -> None:
    a = analyze(BOND_VS_FIXED_SHORT)
    # category 4: L = 0.055 P, S = 0.06 x 2mm = 120,000; H = |L - S| + L_or_S_lesser / 2
    # P < 120,000/0.055: H = 120,000 - 0.0275 P;  above: H = 0.055 P - 60,000
    kink = 120_000 / 0.055
    assert a.curves.haircut_method == "analytic"
    assert a.curves.haircut.knots.tolist() == pytest.approx([0.0, kink])
    df = a.requirements([1_000_000, kink, 10_000_000])
    assert df["haircut"].tolist() == pytest.approx([92_500, 60_000, 490_000])


def test_dollar_leg_requirements_crossover_and_limit() -> None:
    a = analyze(BOND_VS_FIXED_SHORT)
    # margin 2% x max(P, 2mm); threshold 5% x P + 30% x 2mm = 600k + 0.05 P; F = 100k
    # AI = 100k + H; MM = max(margin, 100k, 600k + 0.05 P)
    # P = 1mm: AI = 192,500 < MM 650k; margin 40k -> +381.25%
    r = a.at(1_000_000)
    assert (r.dealer, r.non_dealer, r.standard) == (
        pytest.approx(192_500),
        pytest.approx(40_000),
        "aggregate_indebtedness",
    )
    assert r.increase_pct == pytest.approx(381.25)
    # large P: AI = 40k + 0.055 P meets MM = 600k + 0.05 P at P = 560k / 0.005 = 112mm
    (c,) = a.crossovers
    assert pytest.approx(112_000_000, rel=1e-12) == c.P
    assert c.before == ("aggregate_indebtedness", "fixed_minimum_plus_haircut")
    assert c.after == ("market_maker_alternative", "market_maker_threshold")
    # limit: min(0.055, max(0.02, 0.05)) / 0.02 - 1 = 150%
    assert a.increase_pct_limit == pytest.approx(150.0)


def test_cover_of_a_fixed_future_bends_at_equality() -> None:
    a = analyze(NOTE_VS_FIXED_FUTURE)
    # covered = min(P, 30mm); the rest of whichever is larger sits alone in 4a (4.5%):
    # H = 0.045 |P - 30mm|
    assert a.curves.haircut.knots.tolist().count(30_000_000.0) == 1
    df = a.requirements([10_000_000, 30_000_000, 50_000_000])
    assert df["haircut"].tolist() == pytest.approx([900_000, 0, 900_000])


def test_numeric_knot_search_agrees_with_the_analytic_one() -> None:
    s = BOND_VS_FIXED_SHORT
    frame = leg_frame(s, AS_OF)
    curve, method = haircut_curve(s, frame, AS_OF, numeric=True)
    assert method == "numeric"
    kinks = [k for k in curve.knots if k > 0]
    assert kinks == pytest.approx([120_000 / 0.055], rel=1e-12)


def test_sweep_frame_columns_and_attrs() -> None:
    s = load_strategy(FIXTURES / "table9" / "strategy_07.json")
    df = sweep(s, np.geomspace(1e5, 1e9, 50))
    assert list(df.columns) == [
        "P",
        "haircut",
        "threshold",
        "non_dealer",
        "dealer_margin",
        "aggregate_indebtedness",
        "market_maker",
        "dealer",
        "standard",
        "component",
        "increase_pct",
    ]
    assert df.attrs["crossovers"] == pytest.approx([100_000 / 0.35, 100_000 / 0.2775])
    assert df.attrs["increase_pct_limit"] == pytest.approx(262.5)  # 0.0725 / 0.02 - 1


def test_every_leg_in_dollars_is_constant_in_P() -> None:
    s = spec(
        {"kind": "treasury", "side": "long", "amount": 1e6, "years": 20},
        {"kind": "treasury", "side": "short", "amount": 1e6, "years": 30},
    )
    a = analyze(s)
    # |55k - 60k| + 27.5k = 32.5k at every P; margin 2% x 1mm = 20k
    assert a.requirements([1.0, 1e9])["haircut"].tolist() == pytest.approx([32_500, 32_500])
    assert a.increase_pct_limit == pytest.approx((132_500 / 20_000 - 1) * 100)


# --- properties -------------------------------------------------------------------------------

YEARS = st.sampled_from([0.2, 1, 2, 2.5, 3, 5, 7, 10, 12, 15, 20, 22, 25, 30])


@st.composite
def gov_strategies(draw: st.DrawFn) -> Strategy:
    n = draw(st.integers(1, 4))
    legs: list[dict] = []
    for _ in range(n):
        sized = draw(st.booleans())
        leg: dict = {
            "kind": draw(st.sampled_from(["treasury", "agency"])),
            "side": draw(st.sampled_from(["long", "short"])),
            "years": draw(YEARS),
        }
        if sized:
            leg["size"] = draw(st.floats(0.05, 2.0))
        else:
            leg["amount"] = draw(st.floats(1e4, 5e7))
        legs.append(leg)
    if draw(st.booleans()):
        cash = [i for i, leg in enumerate(legs) if leg["kind"] == "treasury"]
        if cash:
            j = draw(st.sampled_from(cash))
            fut: dict = {
                "kind": "treasury_future",
                "side": draw(st.sampled_from(["long", "short"])),
                "years": legs[j]["years"],
                "deliverable_leg": j,
            }
            if draw(st.booleans()):
                fut["size"] = draw(st.floats(0.05, 2.0))
            else:
                fut["amount"] = draw(st.floats(1e4, 5e7))
            legs.append(fut)
    if all("amount" in leg for leg in legs):
        legs.append({"kind": "treasury", "side": "long", "size": 0.5, "years": 4})
    return spec(*legs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=gov_strategies(), P=st.lists(st.floats(1e3, 1e10), min_size=1, max_size=5))
def test_sweep_equals_pointwise_computation(s: Strategy, P: list[float]) -> None:
    a = analyze(s)
    df = a.requirements(P)
    for p, h in zip(P, df["haircut"], strict=True):
        direct = compute_haircuts(positions_frame(s.positions(p), AS_OF), AS_OF).total
        assert h == pytest.approx(direct, rel=1e-9, abs=1e-6)
    # the dealer requirement is the SEC formula applied to the pointwise inputs
    F = s.fixed_minimum
    ai = np.maximum(df["dealer_margin"], F + df["haircut"])
    mm = np.maximum(df["dealer_margin"], np.maximum(F, df["threshold"]))
    assert df["dealer"].to_numpy() == pytest.approx(np.minimum(ai, mm).to_numpy())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=gov_strategies())
def test_limit_equals_sweep_at_very_large_P(s: Strategy) -> None:
    a = analyze(s)
    # past every knot, the gap to the limit is (intercepts) / (slope x P): make it tiny
    scale = float(a.curves.haircut.knots[-1]) + sum(leg.intercept for leg in s.legs)
    big = 1e9 * (scale + s.fixed_minimum)
    assert float(a.requirements([big])["increase_pct"].iloc[0]) == pytest.approx(
        a.increase_pct_limit, abs=1e-3
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=gov_strategies())
def test_binding_constraint_constant_between_crossovers(s: Strategy) -> None:
    a = analyze(s)
    cross = [c.P for c in a.crossovers]
    edges = [0.0, *cross, (cross[-1] if cross else 1e8) * 10]
    grid = np.concatenate([np.linspace(lo, hi, 7)[1:-1] for lo, hi in pairwise(edges)])
    df = a.requirements(grid)
    labels = list(zip(df["standard"], df["component"], strict=True))
    per_interval = [set(labels[i * 5 : (i + 1) * 5]) for i in range(len(edges) - 1)]
    assert all(len(x) == 1 for x in per_interval)
