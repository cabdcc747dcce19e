"""Pre-trade state: every step equals a full recompute, and hand-worked cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcap.computation import ComputeOptions, compute
from netcap.firm import BalanceSheet, Book, FirmProfile, FirmType
from netcap.frame import BookError
from netcap.haircuts import HaircutOptions
from netcap.haircuts.futures import FuturesOptions
from netcap.haircuts.government import GovernmentOptions
from netcap.model import Position
from netcap.pretrade import PreTradeState

AS_OF = date(2024, 6, 28)
REL = 1e-6


def _book(positions: tuple[Position, ...] = (), net_worth: float = 1_000_000.0) -> Book:
    return Book(
        as_of=AS_OF,
        firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
        balance_sheet=BalanceSheet(net_worth=net_worth),
        positions=positions,
    )


def _close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= REL * max(1.0, abs(scale))


def _assert_matches(state: PreTradeState, positions: list[Position], opts: ComputeOptions) -> None:
    """The state's figures equal a full compute of the same positions, to 1e-6 relative."""
    full = compute(_book(tuple(positions)), opts)
    scale = max(1.0, full.haircuts.total, abs(full.net_capital))
    assert _close(state.haircuts, full.haircuts.total, scale)
    bp = full.haircuts.by_paragraph
    want = dict(zip(bp["paragraph"], bp["charge"], strict=True))
    have = state.by_paragraph
    for p in set(want) | set(have):
        assert _close(have.get(p, 0.0), float(want.get(p, 0.0)), scale), p
    assert _close(state.net_capital, full.net_capital, scale)
    assert state.requirement == full.requirement.amount
    assert _close(state.excess_net_capital, full.excess_net_capital, scale)
    assert set(state.flags) == set(full.flags)


# --- generators: one of each class the engine charges ------------------------------------
VALUES = st.integers(min_value=1, max_value=400).map(lambda k: float(k * 1_000))
SIDES = st.sampled_from(["long", "short"])
YEARS = st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.75, 1.0, 1.99, 2.0, 3.0, 5.0, 9.5, 10.0, 25.0])
ISSUES = st.sampled_from(["X1", "X2", "X3"])


def _position(draw: Any, pid: str) -> Position:
    kind = draw(
        st.sampled_from(
            [
                "gov",
                "agency",
                "canadian",
                "muni",
                "muni_short",
                "mmf",
                "fund",
                "cp",
                "cd_long",
                "debt",
                "conv_below",
                "conv_above",
                "preferred",
                "equity",
                "equity_called",
                "limited",
                "nrm",
                "crypto",
                "commodity",
                "fut_commodity",
                "fut_gov",
                "covered_fut",
            ]
        )
    )
    side = draw(SIDES)
    value = draw(VALUES)
    base: dict[str, Any] = {"id": pid, "side": side, "market_value": value}
    y = draw(YEARS)
    if kind in ("gov", "agency", "canadian"):
        cls = {"gov": "government", "agency": "agency", "canadian": "canadian_government"}[kind]
        return Position(security_class=cls, years_to_maturity=y, **base)
    if kind == "muni":
        return Position(security_class="municipal", years_to_maturity=y, **base)
    if kind == "muni_short":
        days = draw(st.sampled_from([1, 30, 31, 90, 180]))
        return Position(
            security_class="municipal",
            issue_date=AS_OF - timedelta(days=10),
            maturity=AS_OF + timedelta(days=days),
            interest_at_maturity_or_discount=True,
            **base,
        )
    if kind == "mmf":
        return Position(security_class="money_market_fund", **base)
    if kind == "fund":
        assets = draw(st.sampled_from(["government", "debt", "other", "money_market"]))
        return Position(security_class="redeemable_fund", fund_assets=assets, **base)
    if kind == "cp":
        days = draw(st.sampled_from([1, 30, 31, 90, 91, 180, 181, 270]))
        return Position(
            security_class="commercial_paper",
            maturity=AS_OF + timedelta(days=days),
            minimal_credit_risk=draw(st.booleans()),
            **base,
        )
    if kind == "cd_long":
        return Position(
            security_class="certificate_of_deposit",
            years_to_maturity=max(1.0, y),
            minimal_credit_risk=True,
            **base,
        )
    if kind == "debt":
        return Position(
            security_class="nonconvertible_debt",
            years_to_maturity=y,
            minimal_credit_risk=draw(st.booleans()),
            security_id=draw(st.sampled_from(["D1", "D2", None])),
            **base,
        )
    if kind in ("conv_below", "conv_above"):
        principal = value * (1.25 if kind == "conv_below" else 0.8)
        return Position(
            security_class="convertible_debt",
            years_to_maturity=y,
            principal_amount=principal,
            minimal_credit_risk=True,
            security_id="CV" if kind == "conv_above" else None,
            **base,
        )
    if kind == "preferred":
        return Position(security_class="preferred", minimal_credit_risk=True, **base)
    if kind in ("equity", "equity_called"):
        return Position(
            security_class="equity",
            security_id=draw(ISSUES) if kind == "equity" else "CALLED",
            quantity=draw(st.sampled_from([None, 100.0, 1000.0])),
            called_within_90_days=kind == "equity_called",
            **base,
        )
    if kind == "limited":
        return Position(security_class="equity", limited_market=True, market_makers=1, **base)
    if kind == "nrm":
        return Position(security_class="no_ready_market", **base)
    if kind == "crypto":
        return Position(security_class="crypto_non_security", **{**base, "side": "long"})
    if kind == "commodity":
        return Position(security_class="commodity", security_id="GOLD", **base)
    if kind == "fut_commodity":
        return Position(
            security_class="commodity", instrument="future", maintenance_margin=value / 20, **base
        )
    if kind == "fut_gov":
        margin = draw(st.sampled_from([None, value / 50]))
        return Position(
            security_class="government",
            instrument="future",
            years_to_maturity=y,
            maintenance_margin=margin,
            **base,
        )
    return Position(
        security_class="government",
        instrument="future",
        years_to_maturity=y,
        maintenance_margin=value / 50,
        deliverable_position="p0",
        **base,
    )


@st.composite
def scenarios(draw: Any) -> tuple[list[Position], list[Any], ComputeOptions]:
    n = draw(st.integers(min_value=1, max_value=8))
    start = [
        Position(
            id="p0",
            security_class="government",
            side="long",
            market_value=50_000.0,
            years_to_maturity=2.0,
        )
    ]
    start += [_position(draw, f"p{i}") for i in range(1, n)]
    start = [p for p in start if p.deliverable_position is None]
    steps: list[Any] = []
    for k in range(draw(st.integers(min_value=1, max_value=6))):
        if draw(st.booleans()):
            steps.append(_position(draw, f"t{k}"))
        else:
            steps.append(draw(st.integers(min_value=0, max_value=20)))
    opts = ComputeOptions(
        haircuts=HaircutOptions(
            government=GovernmentOptions(subcategory_only=draw(st.booleans())),
            futures=FuturesOptions(account_equity=draw(st.sampled_from([0.0, 5_000.0]))),
        )
    )
    return start, steps, opts


def _valid(positions: list[Position], opts: ComputeOptions) -> bool:
    try:
        compute(_book(tuple(positions)), opts)
    except (BookError, ValueError):
        return False
    return True


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_step_equals_a_full_recompute(case: Any) -> None:
    start, steps, opts = case
    if not _valid(start, opts):
        return
    state = PreTradeState(_book(tuple(start)), opts)
    current = list(start)
    _assert_matches(state, current, opts)
    for step in steps:
        if isinstance(step, Position):
            trial = [*current, step]
            if not _valid(trial, opts):
                with pytest.raises((BookError, ValueError)):
                    state.add(step)
                continue
            before = state.haircuts
            what_if = state.check(step)
            assert state.haircuts == before  # check does not mutate
            result = state.add(step)
            assert result.haircuts_after == pytest.approx(what_if.haircuts_after, rel=REL)
            current = trial
        else:
            if not current:
                continue
            victim = current[step % len(current)]
            trial = [p for p in current if p.id != victim.id]
            if any(p.deliverable_position == victim.id for p in trial) or not _valid(trial, opts):
                continue
            state.remove(victim.id)
            current = trial
        _assert_matches(state, current, opts)
