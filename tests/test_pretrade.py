"""Pre-trade state: every step equals a full recompute, and hand-worked cases."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from netcap.book.firm import BalanceSheet, Book, FirmProfile, FirmType
from netcap.book.frame import BookError
from netcap.book.model import Position
from netcap.pretrade import PreparedTrade, PreTradeState
from netcap.rule.computation import ComputeOptions, compute
from netcap.rule.haircuts import HaircutOptions
from netcap.rule.haircuts.futures import FuturesOptions
from netcap.rule.haircuts.government import GovernmentOptions

AS_OF = date(2024, 6, 28)


def _book(positions: tuple[Position, ...] = (), net_worth: float = 1_000_000.0) -> Book:
    return Book(
        as_of=AS_OF,
        firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
        balance_sheet=BalanceSheet(net_worth=net_worth),
        positions=positions,
    )


CENT_HALF = 0.005


def _close(a: float, b: float, scale: float) -> bool:
    """Within half a cent, or 1e-9 of the scale where figures are very large."""
    return abs(a - b) <= max(CENT_HALF, 1e-9 * abs(scale))


def _assert_matches(state: PreTradeState, positions: list[Position], opts: ComputeOptions) -> None:
    """The state's figures equal a full compute of the same positions, to half a cent."""
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
                "hedged_debt",
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
    if kind == "hedged_debt":
        # (F)(2): short debt hedged by the 2-year long government p0 (window: within 6 months)
        return Position(
            security_class="nonconvertible_debt",
            years_to_maturity=draw(st.sampled_from([1.75, 2.0, 2.25, 4.0])),
            minimal_credit_risk=True,
            hedge_with="p0",
            **{**base, "side": "short"},
        )
    return Position(
        security_class="government",
        instrument="future",
        years_to_maturity=y,
        maintenance_margin=value / 50,
        deliverable_position="p0",
        **{**base, "side": draw(st.sampled_from(["short", "short", "long"]))},
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
    # books WITH links: covered futures on p0 and at most one (F)(2) hedge of it
    hedges = [p.id for p in start if p.hedge_with is not None]
    start = [p for p in start if p.hedge_with is None or p.id == hedges[0]]
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


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
            (batch,) = state.prepare_many([step])
            assert state.check(batch).haircuts_after == pytest.approx(
                what_if.haircuts_after, abs=CENT_HALF
            )
            result = state.add(step)
            assert result.haircuts_after == pytest.approx(what_if.haircuts_after, abs=CENT_HALF)
            current = trial
        else:
            if not current:
                continue
            victim = current[step % len(current)]
            trial = [p for p in current if p.id != victim.id]
            named = {p.deliverable_position for p in trial} | {p.hedge_with for p in trial}
            if victim.id in named or not _valid(trial, opts):
                continue
            state.remove(victim.id)
            current = trial
        _assert_matches(state, current, opts)


# --- hand-worked cases ------------------------------------------------------------------
def _gov(pid: str, side: str, value: float, years: float) -> Position:
    return Position(
        id=pid,
        security_class="government",
        side=side,
        market_value=value,
        years_to_maturity=years,
    )


def test_short_two_year_treasury_nets_against_the_long_in_its_subcategory() -> None:
    state = PreTradeState(_book((_gov("long", "long", 1_000_000.0, 2.0),)))
    # before: 24 months is subcategory 2 years to < 3 years at 2%: 2% x 1,000,000 = 20,000
    assert state.haircuts == pytest.approx(20_000.0)
    r = state.check(_gov("short", "short", 400_000.0, 2.5))
    # after: the short (30 months) is in the same subcategory; net long 600,000 x 2% = 12,000
    assert r.haircuts_after == pytest.approx(12_000.0)
    assert r.haircut_delta == pytest.approx(-8_000.0)
    # net worth 1,000,000 and nothing else deducted: net capital 980,000 -> 988,000
    assert r.net_capital_before == pytest.approx(980_000.0)
    assert r.net_capital_after == pytest.approx(988_000.0)
    assert r.method == "incremental"
    assert [c.paragraph for c in r.changed] == ["15c3-1(c)(2)(vi)(A)(1)"]
    assert state.haircuts == pytest.approx(20_000.0)  # check changed nothing


def test_short_in_another_subcategory_of_the_category_nets_at_half_the_lesser() -> None:
    state = PreTradeState(_book((_gov("long", "long", 1_000_000.0, 1.5),)))
    # long 18 months: 1.5% x 1,000,000 = 15,000
    r = state.add(_gov("short", "short", 1_000_000.0, 2.5))
    # short 30 months: 2% x 1,000,000 = 20,000; category 2: |15,000 - 20,000| + 50% x 15,000
    # = 5,000 + 7,500 = 12,500
    assert r.haircuts_before == pytest.approx(15_000.0)
    assert r.haircuts_after == pytest.approx(12_500.0)
    # removing the long leaves the short alone: 2% x 1,000,000 = 20,000
    assert state.remove("long").haircuts_after == pytest.approx(20_000.0)


def test_adding_to_a_concentrated_equity_issue_raises_j_and_m() -> None:
    x = Position(
        id="x1", security_class="equity", side="long", market_value=150_000.0, security_id="X"
    )
    state = PreTradeState(_book((x,)))
    # (J) 15% x 150,000 = 22,500; (M): threshold max(10,000, 10% x 1,000,000) = 100,000,
    # 15% x (150,000 - 100,000) = 7,500; total 30,000
    assert state.haircuts == pytest.approx(30_000.0)
    r = state.check(x.model_copy(update={"id": "x2", "market_value": 50_000.0}))
    # (J) 15% x 200,000 = 30,000 (+7,500); (M) 15% x (200,000 - 100,000) = 15,000 (+7,500)
    assert r.haircuts_after == pytest.approx(45_000.0)
    deltas = {c.paragraph: c.delta for c in r.changed}
    assert deltas == pytest.approx({"15c3-1(c)(2)(vi)(J)": 7_500.0, "15c3-1(c)(2)(vi)(M)": 7_500.0})


def test_allowed_needs_non_negative_excess_and_no_new_flag() -> None:
    state = PreTradeState(_book(net_worth=200_000.0))
    # a dealer's minimum is $100,000 ((a)(2)(iii)); a (vii) position is deducted in full
    assert state.requirement == 100_000.0

    def nrm(value: float) -> Position:
        return Position(id="n", security_class="no_ready_market", side="long", market_value=value)

    ok = state.check(nrm(50_000.0))  # net capital 150,000: above 120% x 100,000 = 120,000
    assert ok.net_capital_after == pytest.approx(150_000.0)
    assert ok.allowed
    warn = state.check(nrm(90_000.0))  # 110,000: excess 10,000 but below 120,000
    assert warn.excess_after == pytest.approx(10_000.0)
    assert "below_120pct_minimum" in warn.flags_added
    assert not warn.allowed
    short = state.check(nrm(150_000.0))  # 50,000: excess -50,000
    assert short.excess_after == pytest.approx(-50_000.0)
    assert not short.allowed


def test_bad_trades_name_the_field() -> None:
    state = PreTradeState(_book((_gov("long", "long", 1_000.0, 2.0),)))
    with pytest.raises(BookError, match="market_value"):
        state.check({"id": "t", "security_class": "equity", "side": "long", "market_value": -1})
    with pytest.raises(BookError, match="security_class"):
        state.check({"id": "t", "security_class": "bogus", "side": "long", "market_value": 1})
    with pytest.raises(BookError, match="duplicate id"):
        state.check(_gov("long", "short", 1_000.0, 2.0))
    with pytest.raises(BookError, match="deliverable_position"):
        state.check(
            {
                "id": "f",
                "security_class": "government",
                "instrument": "future",
                "side": "short",
                "market_value": 1_000.0,
                "years_to_maturity": 2.0,
                "deliverable_position": "nowhere",
            }
        )
    with pytest.raises(KeyError):
        state.remove("nowhere")


def test_a_covered_future_is_checked_by_a_full_recompute() -> None:
    state = PreTradeState(_book((_gov("inv", "long", 100_000.0, 2.0),)))
    fut = Position(
        id="f",
        security_class="government",
        instrument="future",
        side="short",
        market_value=100_000.0,
        years_to_maturity=2.0,
        maintenance_margin=2_000.0,
        deliverable_position="inv",
    )
    r = state.add(fut)
    # before: 2% x 100,000 = 2,000.  After: the contract covers all 100,000 of the inventory,
    # so neither leg has an (A) exposure, and the contract's Appendix B margin charge applies
    # to its uncovered part only (0 of 100,000): no haircut at all
    assert r.method == "full"
    assert r.haircuts_before == pytest.approx(2_000.0)
    assert r.haircuts_after == pytest.approx(0.0)
    # the book is now linked, but an unlinked trade is still checked incrementally:
    # a long 2-year Treasury of 50,000 alone in the book's (A) pool: 2% x 50,000 = 1,000
    r2 = state.check(_gov("g", "long", 50_000.0, 2.0))
    assert r2.method == "incremental"
    assert r2.haircuts_after == pytest.approx(1_000.0)
    # removing a linked position goes to the full path: the inventory alone again, 2,000
    assert state.check_remove("f").method == "full"
    assert state.check_remove("f").haircuts_after == pytest.approx(2_000.0)


def test_sample_firm_with_links_checks_unlinked_trades() -> None:
    from pathlib import Path  # noqa: PLC0415

    from netcap import load_book  # noqa: PLC0415

    path = Path(__file__).resolve().parents[1] / "fixtures" / "sample_firm" / "book.json"
    loaded = load_book(path)
    frame = loaded.positions
    assert frame["deliverable_position"].notna().any()
    assert frame["hedge_with"].notna().any()
    state = PreTradeState(loaded.book, positions=frame)
    trade = Position(id="zz", security_class="no_ready_market", side="long", market_value=10_000.0)
    r = state.check(trade)
    # (vii): deducted in full, 100% x 10,000 = 10,000, above tentative net capital
    # ((c)(15)), so tentative net capital falls by 10,000 and with it the (M) base of
    # every issue: a full recompute
    assert r.method == "full"
    vii = {c.paragraph: c.delta for c in r.changed}["15c3-1(c)(2)(vii)"]
    assert vii == pytest.approx(10_000.0)
    assert r.tentative_net_capital_after == pytest.approx(r.tentative_net_capital - 10_000.0)
    # a position named by a link cannot be removed while the link stands
    target = str(frame.loc[frame["deliverable_position"].notna(), "deliverable_position"].iloc[0])
    with pytest.raises(ValueError, match="named by the link"):
        state.check_remove(target)
    # agreement with a full compute after an unlinked add and an unlinked removal
    state.add(trade)
    plain = frame.loc[
        ~frame["id"].isin(state._linked) & (frame["security_class"] == "government"), "id"
    ].iloc[0]
    assert state.remove(str(plain)).method == "incremental"
    full = compute(
        loaded.book, positions=state.current_frame().drop(columns=["row"], errors="ignore")
    )
    assert state.haircuts == pytest.approx(full.haircuts.total, abs=CENT_HALF)


def test_cli_pretrade_prints_before_after_and_allowed(tmp_path: Any, capsys: Any) -> None:
    from netcap.cli import main  # noqa: PLC0415

    book = tmp_path / "book.json"
    book.write_text(
        _book((_gov("long", "long", 1_000_000.0, 2.0),)).model_dump_json(), encoding="utf-8"
    )
    trade = tmp_path / "trade.json"
    trade.write_text(
        '{"id": "s", "security_class": "government", "side": "short",'
        ' "market_value": 400000, "years_to_maturity": 2.5}',
        encoding="utf-8",
    )
    assert main(["pretrade", str(book), str(trade), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["trades"][0]
    # as in the first hand-worked case: 20,000 -> 12,000
    assert out["before"]["haircuts"] == pytest.approx(20_000.0)
    assert out["after"]["haircuts"] == pytest.approx(12_000.0)
    assert out["allowed"] is True
    assert main(["pretrade", str(book), str(trade)]) == 0
    assert "allowed" in capsys.readouterr().out


def test_prepare_many_gives_the_same_checks_as_one_by_one() -> None:
    state = PreTradeState(_book((_gov("long", "long", 1_000_000.0, 2.0),)))
    trades = [
        _gov("s1", "short", 400_000.0, 2.5),  # 20,000 -> 12,000 as in the first case
        Position(id="e1", security_class="equity", side="long", market_value=100_000.0),
        Position(id="n1", security_class="no_ready_market", side="long", market_value=5_000.0),
    ]
    batch = state.prepare_many(trades)
    assert [b.id for b in batch] == ["s1", "e1", "n1"]
    # (J) 15% x 100,000 = 15,000 on top of 20,000; (vii) 100% x 5,000 = 5,000 on top
    want = [12_000.0, 35_000.0, 25_000.0]
    for b, t, w in zip(batch, trades, want, strict=True):
        assert state.check(b).haircuts_after == pytest.approx(w)
        assert state.check(t).haircuts_after == pytest.approx(w)


def test_removing_the_priciest_lot_recomputes_the_issue_floor() -> None:
    def lot(pid: str, value: float, qty: float) -> Position:
        return Position(
            id=pid,
            security_class="equity",
            side="long",
            market_value=value,
            quantity=qty,
            security_id="X",
        )

    state = PreTradeState(_book((lot("x1", 100_000.0, 100.0), lot("x2", 500_000.0, 10_000.0))))
    # price of x1 1,000, of x2 50: the issue floor is the greater of $10,000 and 500 shares at
    # the highest price, 500 x 1,000 = 500,000 (above 10% x 1,000,000 = 100,000).
    # (J) 15% x 600,000 = 90,000; (M) 15% x (600,000 - 500,000) = 15,000; total 105,000
    assert state.haircuts == pytest.approx(105_000.0)
    r = state.remove("x1")
    # x2 alone: floor max(10,000, 500 x 50 = 25,000) = 25,000, threshold 100,000;
    # (J) 15% x 500,000 = 75,000; (M) 15% x (500,000 - 100,000) = 60,000; total 135,000
    assert r.haircuts_after == pytest.approx(135_000.0)
    assert r.method == "incremental"
    assert {c.paragraph: c.after for c in r.changed} == pytest.approx(
        {"15c3-1(c)(2)(vi)(J)": 75_000.0, "15c3-1(c)(2)(vi)(M)": 60_000.0}
    )


def test_an_id_removed_can_come_back_as_a_new_trade() -> None:
    state = PreTradeState(_book((_gov("a", "long", 1_000_000.0, 2.0),)))
    state.remove("a")
    r = state.add(_gov("a", "short", 500_000.0, 0.5))
    # the short alone: 6 months is subcategory 6 to < 9 months at 3/4%: 0.75% x 500,000 = 3,750
    assert r.haircuts_after == pytest.approx(3_750.0)
    assert list(state.current_frame()["id"]) == ["a"]
    assert state.current_frame()["side"].iloc[0] == "short"


# --- fast prepare ----------------------------------------------------------------------
def _pandas_row(state: PreTradeState, p: Position) -> Any:
    return state._trade_row(state._trade_frame([p]))


@st.composite
def twin_trades(draw: Any) -> tuple[Position, Position]:
    """A trade and a second one of the same kind with its own id, value, quantity, issue, term."""
    first = _position(draw, "t1")
    second = _position(draw, "t2")
    if first.security_class != second.security_class or first.instrument != second.instrument:
        second = first.model_copy(update={"id": "t2"})
    update: dict[str, Any] = {
        "market_value": draw(VALUES) + draw(st.sampled_from([0.0, 0.37])),
        "quantity": draw(st.sampled_from([None, 10.0, 777.0])),
        "security_id": draw(st.sampled_from([None, "X1", "Q9", "", " Q9"])),
    }
    if second.years_to_maturity is not None:
        same = first.years_to_maturity if first.years_to_maturity is not None else 1.0
        update["years_to_maturity"] = draw(st.one_of(st.just(same), YEARS))
    if second.principal_amount is None and second.maintenance_margin is None:
        second = second.model_copy(update=update)
    return first, second


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twin_trades())
def test_fast_prepare_equals_the_pandas_prepare(case: Any) -> None:
    first, second = case
    book = (
        _gov("p0", "long", 50_000.0, 2.0),
        Position(id="e", security_class="equity", side="long", market_value=1e6, security_id="X1"),
    )
    state = PreTradeState(_book(book))
    try:
        state.prepare(first)  # the pandas path; its row becomes a template
        want = _pandas_row(state, second)
    except (BookError, ValueError):
        return
    got = state.prepare(second)
    event(f"{second.security_class.value}: {got.method}")
    if want is None:  # a trade carrying a link goes to the full path either way
        assert got.row is None
        return
    assert got.row is not None
    # same pool keys ...
    for name in ("pid", "route", "family", "key", "paragraph", "sub", "m_issue", "m_class"):
        assert getattr(got.row, name) == getattr(want, name), name
    assert got.row.fut_citation == want.fut_citation
    assert got.row.m_note == want.m_note
    # ... and the same contribution (to float rounding)
    for name in ("exposure", "rate", "gross", "fut_gross", "m_rate", "m_price", "signed", "fixed"):
        assert getattr(got.row, name) == pytest.approx(getattr(want, name), rel=1e-12), name
    # and the same check (or the same refusal: an issue described two ways)
    try:
        after = state.check(got).haircuts_after
    except BookError:
        with pytest.raises(BookError):
            state.check(PreparedTrade(second, want))
        return
    assert after == pytest.approx(state.check(PreparedTrade(second, want)).haircuts_after)


def test_a_repeated_shape_is_prepared_fast_and_checked_the_same() -> None:
    state = PreTradeState(_book((_gov("long", "long", 1_000_000.0, 2.0),)))
    first = state.prepare(_gov("s1", "short", 100_000.0, 2.5))
    assert first.method == "pandas"
    # 2.25 years: 27 months, the same (A) subcategory (2 to < 3 years) as 2.5 years
    second = state.prepare(_gov("s2", "short", 400_000.0, 2.25))
    assert second.method == "fast"
    # as in the first hand-worked case: net long 600,000 x 2% = 12,000
    assert state.check(second).haircuts_after == pytest.approx(12_000.0)
    assert state.add(second).haircuts_after == pytest.approx(12_000.0)
    assert list(state.current_frame()["id"]) == ["long", "s2"]


def test_an_option_trade_is_checked_by_a_full_recompute() -> None:
    stock = Position(
        id="stk",
        security_class="equity",
        side="long",
        market_value=100_000.0,
        security_id="XYZ",
    )
    call = Position(
        id="c1",
        security_class="equity",
        instrument="option",
        side="short",
        market_value=2_000.0,
        option_type="call",
        strike=100.0,
        underlying_price=100.0,
        units=1_000.0,
        listed=True,
        expiry=date(2024, 9, 20),
        underlying="XYZ",
        security_id="XYZ-C100",
    )
    state = PreTradeState(_book((stock,)))
    r = state.check(call)
    # the stock: (J) 15% x 100,000 = 15,000.  The short at-the-money listed call, unpaired
    # (15c3-1a(b)(2)(iii)(A)): V = 1,000 x $100 = 100,000, otm 0, so
    # max(15% x 100,000, $250 x 10 contracts, 50% x 15,000) = 15,000; its time value
    # (2,000 market value, nothing in the money) is added back under (b)(2)(ii)(A): -2,000.
    # (M): 100,000 is not above 10% x 1,000,000.  Haircuts 28,000; net capital 972,000.
    assert r.method == "full"
    assert r.haircuts_after == pytest.approx(28_000.0)
    assert r.net_capital_after == pytest.approx(972_000.0)
    state.add(call)
    # removing the option is a full recompute as well: back to the stock's 15,000
    out = state.check_remove("c1")
    assert out.method == "full"
    assert out.haircuts_after == pytest.approx(15_000.0)


def test_a_trade_in_an_issue_the_book_holds_options_on_is_a_full_recompute() -> None:
    # (M)(1) counts options on the issue in its position, which no pool keeps.
    # Book: 4,000 XYZ at 50 = 200,000 long and held calls on 2,000 XYZ (100,000 long).
    # Buying 1,000 more shares (50,000): position 250,000 + 100,000 = 350,000; threshold
    # max(10% x 1,000,000, 10,000, 500 x 50) = 100,000; (M) 15% x 250,000 = 37,500;
    # (J) 15% x 250,000 = 37,500; the calls' (b)(2)(iii)(C) 50% x 3,000 = 1,500:
    # haircuts 76,500, net capital 923,500.
    stock = Position(
        id="stk",
        security_class="equity",
        side="long",
        quantity=4_000,
        price=50.0,
        security_id="XYZ",
    )
    calls = Position(
        id="c1",
        security_class="equity",
        instrument="option",
        side="long",
        market_value=3_000.0,
        option_type="call",
        strike=50.0,
        underlying_price=50.0,
        units=2_000.0,
        listed=True,
        expiry=date(2024, 9, 20),
        underlying="XYZ",
    )
    more = Position(
        id="more",
        security_class="equity",
        side="long",
        quantity=1_000,
        price=50.0,
        security_id="XYZ",
    )
    state = PreTradeState(_book((stock, calls)))
    r = state.check(more)
    assert r.method == "full"
    assert r.haircuts_after == pytest.approx(76_500.0)
    assert r.net_capital_after == pytest.approx(923_500.0)
    full = compute(_book((stock, calls, more)))
    assert r.net_capital_after == pytest.approx(full.net_capital)


def test_unregistered_covered_commodity_inventory_matches_compute() -> None:
    # Appendix B (a)(3)(ix)(B): 1mm of gold covered by a 1mm short future but not registered
    # as deliverable takes 5% x 1,000,000 = 50,000, in the pre-trade state as in compute.
    gold = Position(
        id="g",
        security_class="commodity",
        side="long",
        market_value=1e6,
        registered_deliverable=False,
    )
    cover = Position(
        id="gc",
        security_class="commodity",
        instrument="future",
        side="short",
        market_value=1e6,
        deliverable_position="g",
        maintenance_margin=50_000,
    )
    state = PreTradeState(_book((gold, cover)))
    assert state.haircuts == pytest.approx(50_000.0)
    _assert_matches(state, [gold, cover], ComputeOptions())


def test_the_state_takes_the_routes_the_haircut_core_decided() -> None:
    """The pre-trade facts built from the core's routes equal those it would route itself."""
    from benchmarks.synthetic import AS_OF, book_for, synthetic_frame  # noqa: PLC0415
    from netcap.book.frame import validate_frame  # noqa: PLC0415
    from netcap.pretrade.facts import facts_frame, routes_of  # noqa: PLC0415
    from netcap.pretrade.parameters import parameters  # noqa: PLC0415

    frame = validate_frame(synthetic_frame(3000), AS_OF)
    result = compute(book_for(frame), positions=frame)
    routes = result.haircuts.routes
    assert routes is not None
    params = parameters(AS_OF, HaircutOptions())
    assert list(routes) == list(routes_of(result.positions, params))
    detail = result.haircuts.detail
    ours = facts_frame(result.positions, detail, params, linked=True, routes=routes)
    theirs = facts_frame(result.positions, detail, params, linked=True)
    assert ours.equals(theirs)
