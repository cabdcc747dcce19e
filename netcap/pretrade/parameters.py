"""The rule parameters the pools read, loaded once for the book's date and elections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from netcap.pretrade.concentration import ConcentrationRules, concentration_rules
from netcap.pretrade.government import GovernmentRules, government_rules
from netcap.rule.haircuts import HaircutOptions
from netcap.rule.haircuts.futures import FuturesOptions
from netcap.rule.haircuts.government import GovernmentOptions
from netcap.rule.tables import Schedule, load_schedule

__all__ = ["Parameters", "parameters"]

Bounds = tuple[list[float], list[float], float]
"""A maturity schedule's lower and upper bounds as lists, and the months per unit."""


@dataclass(frozen=True)
class Parameters:
    """Schedules in force on ``as_of`` and the elections the pools apply.

    ``single`` is the haircut options a trade computed alone is charged under
    (the (A)(2)/(A)(5) elections and the futures membership; no pairs or
    reductions, which name the book's ids).  ``bounds`` are the maturity
    schedules that bucket a trade ((A)/(C) by months, (F)(1) and (B)(2) by years).
    """

    as_of: date
    options: HaircutOptions
    single: HaircutOptions
    government: GovernmentRules
    concentration: ConcentrationRules
    futures: Schedule
    nonconvertible_debt: Schedule
    bounds: tuple[Bounds, ...]
    j_excess: tuple[float, float]  # (J): offset ratio, excess rate
    routing: dict[str, float]


def _bounds(table: Schedule, scale: float) -> Bounds:
    return (
        [float(x) for x in table.column("lower")],
        [float(x) for x in table.column("upper")],
        scale,
    )


def parameters(on: date, options: HaircutOptions) -> Parameters:
    """The parameters in force on ``on`` under ``options``."""
    other = load_schedule("other_securities", on)
    mmi = load_schedule("money_market_instruments_eligibility", on)
    f1 = load_schedule("nonconvertible_debt", on)
    single = HaircutOptions(
        government=GovernmentOptions(
            subcategory_only=options.government.subcategory_only,
            fed_reporting_dealer=options.government.fed_reporting_dealer,
        ),
        futures=FuturesOptions(membership=options.futures.membership),
    )
    return Parameters(
        as_of=on,
        options=options,
        single=single,
        government=government_rules(on, options.government),
        concentration=concentration_rules(load_schedule("concentration", on)),
        futures=load_schedule("futures", on),
        nonconvertible_debt=f1,
        bounds=(
            _bounds(load_schedule("government", on), 1.0),
            _bounds(f1, 12.0),
            _bounds(load_schedule("municipal", on), 12.0),
        ),
        j_excess=(other.rate("j_offset_ratio"), other.rate("j_excess_rate")),
        routing={
            "max_muni_days_at_issue": load_schedule("municipal_short_term_eligibility", on).amount(
                "max_days_at_issue"
            ),
            "max_cp_months_at_issue": mmi.amount("max_months_at_issue"),
            "bank_government_rates_from_months": mmi.amount("bank_government_rates_from_months"),
            "min_market_makers": other.amount("k_min_market_makers"),
        },
    )
