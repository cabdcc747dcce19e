"""A trading strategy sized in $P: legs of any security class, as a fraction of P or in dollars.

This is the shape of the SEC's Table 9 (2024 dealer release): "long $P 5yr
Treasury note, short $0.5P 2yr Treasury note ...".  A leg is worth
``size * P`` (``size`` given) or a fixed ``amount`` of dollars (``amount``
given), so every leg's value is ``a + b*P``.  A `Strategy` turns into
ordinary `Position` objects at any P and is charged by the
same haircut code as a firm's book.

A leg names what it holds either with the Table 9 shorthand ``kind``
(``treasury``, ``treasury_future``, ``agency``) or with ``security_class`` and
``instrument`` (any class of `SecurityClass`).

Margin (the non-dealer baseline, see docs/whatif.md):

* ``margin_rate`` (default 2%, the release's flat rate) times the strategy's
  gross position on its larger side, ``max(long value, short value)``, which is
  P for every Table 9 strategy;
* or, when every leg gives its own ``margin_rate``, the sum of leg value times
  leg rate;
* ``dealer_margin_rate``: the overall margin the firm faces once registered,
  when it differs from the baseline (release notes 587-588: uncovered futures
  raising overall margin from 2% to 3% of P).  Applied to the same basis as
  the flat rate, and never below the non-dealer margin (registering cannot
  lower the margin the firm faces).

JSON form (what ``netcap strategy SPEC.json`` reads)::

    {"name": "Strategy 1", "P": 50000000, "margin_rate": 0.02, "fixed_minimum": 100000,
     "legs": [{"kind": "treasury", "side": "long", "size": 1.0, "years": 2},
              {"kind": "treasury_future", "side": "short", "size": 1.0, "years": 2,
               "deliverable_leg": 0},
              {"security_class": "government", "side": "short", "amount": 5000000,
               "years": 7, "label": "existing hedge"}]}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from netcap.book.model import MATURITY_CLASSES, ExactDate, Instrument, Position, SecurityClass, Side

__all__ = ["Leg", "LegKind", "Strategy", "uncovered_futures_variant"]

UNCOVERED_FUTURES_MARGIN = 0.03
"""Overall margin rate of the release's uncovered-futures example (notes 587-588)."""


class LegKind(StrEnum):
    """Table 9 shorthand for what a leg holds."""

    TREASURY = "treasury"
    TREASURY_FUTURE = "treasury_future"
    AGENCY = "agency"

    @property
    def security_class(self) -> SecurityClass:
        """Security class of the leg (of the deliverable, for a futures leg)."""
        return SecurityClass.AGENCY if self is LegKind.AGENCY else SecurityClass.GOVERNMENT

    @property
    def instrument(self) -> Instrument:
        """Cash security or futures contract."""
        return Instrument.FUTURE if self is LegKind.TREASURY_FUTURE else Instrument.CASH


LEG_OWNED_FIELDS = {
    "id": "ids are leg0, leg1, ...",
    "security_class": "give security_class on the leg",
    "instrument": "give instrument on the leg",
    "side": "give side on the leg",
    "market_value": "the value is size x P or amount",
    "quantity": "the value is size x P or amount",
    "price": "the value is size x P or amount",
    "maturity": "give maturity on the leg",
    "years_to_maturity": "give years on the leg",
    "issuer": "give issuer on the leg",
    "security_id": "give security_id on the leg",
    "deliverable_position": "give deliverable_leg on the leg",
    "hedge_with": "give hedge_leg on the leg",
    "offsets": "give offsets_leg on the leg",
}
"""Position fields a leg sets from its own fields, so not accepted in ``Leg.position``."""

_Rate = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class Leg(BaseModel):
    """One leg: a long or short position of ``size`` x P, or of ``amount`` dollars.

    ``years`` (or ``maturity``) is the time to maturity of the security (of the
    deliverable security, for a futures leg).  ``deliverable_leg`` (futures legs
    only) is the 0-based index of the cash leg deliverable against the contract;
    ``futures_contract`` (futures legs only) the exchange code of the contract
    (``TU``, ``FV``, ``TY``, ``UB`` ...), against whose deliverable grade the
    linked cash leg is then checked (15c3-1b(a)(3)(ix)(A)).
    ``margin_rate`` is the leg's own margin rate (all legs or none).

    ``position`` carries any other `netcap.book.model.Position` fact the
    leg's paragraph needs (``minimal_credit_risk`` for (F), ``fund_assets`` for
    (D), ``principal_amount`` for (G), ``option_type``/``strike``/``expiry``/
    ``underlying_price``/``units`` for Appendix A, ...).  It is checked as a
    Position would check it, so an unknown name or a bad value is an error
    naming ``legs.N`` and ``position.<field>``.  The fields the leg sets itself
    (`LEG_OWNED_FIELDS`) are refused there.  ``hedge_leg`` (the (F)(2)
    election, ``hedge_with``) and ``offsets_leg`` (an option's Appendix A
    pairing, ``offsets``) name another leg by its 0-based index.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: LegKind | None = None
    security_class: SecurityClass
    instrument: Instrument = Instrument.CASH
    side: Side
    size: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    amount: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    years: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    maturity: ExactDate | None = None
    issuer: str | None = None
    security_id: str | None = None
    deliverable_leg: Annotated[int, Field(ge=0)] | None = None
    futures_contract: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    margin_rate: _Rate | None = None
    hedge_leg: Annotated[int, Field(ge=0)] | None = None
    offsets_leg: Annotated[int, Field(ge=0)] | None = None
    position: dict[str, Any] = Field(
        default_factory=dict,
        description="other Position fields of the leg (e.g. minimal_credit_risk, strike)",
    )
    label: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_kind(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("kind") is None:
            return data
        try:
            kind = LegKind(data["kind"])
        except ValueError:
            return data  # the field check reports it under legs.N.kind
        out = dict(data)
        for field, implied in (
            ("security_class", kind.security_class),
            ("instrument", kind.instrument),
        ):
            given = out.get(field)
            if given is None:
                out[field] = implied
            elif str(given) != implied.value:
                raise ValueError(
                    f"kind {kind.value!r} means {field} {implied.value!r}, not {given!r}"
                )
        return out

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if (self.size is None) == (self.amount is None):
            raise ValueError("give exactly one of size (fraction of P) and amount (dollars)")
        if self.deliverable_leg is not None and self.instrument is not Instrument.FUTURE:
            raise ValueError("deliverable_leg is only for futures legs")
        if self.futures_contract is not None and self.instrument is not Instrument.FUTURE:
            raise ValueError("futures_contract is only for futures legs")
        if self.years is not None and self.maturity is not None:
            raise ValueError("give years or maturity, not both")
        if self.security_class in MATURITY_CLASSES and self.years is None and self.maturity is None:
            # reported under legs.N.years, the field to fill in
            raise ValidationError.from_exception_data(
                "Leg",
                [
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "missing_maturity",
                            "required for a {cls} leg (or give maturity)",
                            {"cls": self.security_class.value},
                        ),
                        loc=("years",),
                        input=None,
                    )
                ],
            )
        self._check_position()
        return self

    def _check_position(self) -> None:
        """``position`` holds only Position fields the leg does not set, with valid values."""
        problems = [
            f"position.{k}: set by the leg itself ({LEG_OWNED_FIELDS[k]})"
            for k in sorted(set(self.position) & set(LEG_OWNED_FIELDS))
        ]
        rest = {k: v for k, v in self.position.items() if k not in LEG_OWNED_FIELDS}
        try:
            Position(
                id="leg",
                security_class=self.security_class,
                instrument=self.instrument,
                side=self.side,
                market_value=1.0,
                **rest,
            )
        except ValidationError as e:
            problems.extend(
                f"position.{'.'.join(str(p) for p in err['loc']) or '(whole)'}: {err['msg']}"
                for err in e.errors()
            )
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def intercept(self) -> float:
        """Dollar part ``a`` of the leg's value ``a + b*P``."""
        return 0.0 if self.amount is None else self.amount

    @property
    def slope(self) -> float:
        """Fraction-of-P part ``b`` of the leg's value ``a + b*P``."""
        return 0.0 if self.size is None else self.size

    def value(self, P: float) -> float:
        """Market value of the leg at position size ``P``."""
        return self.intercept + self.slope * P


_P_ADAPTER: TypeAdapter[float] = TypeAdapter(
    Annotated[float, Field(gt=0, allow_inf_nan=False, strict=False)]
)
"""The check of `Strategy.P`, for `Strategy.with_P` (a model copy skips validation)."""


class Strategy(BaseModel):
    """A strategy of several legs at position size ``P`` dollars."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = "strategy"
    P: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 50_000_000.0
    margin_rate: _Rate = 0.02
    dealer_margin_rate: _Rate | None = Field(
        default=None,
        description="overall margin once registered (release notes 587-588); default: margin_rate",
    )
    fixed_minimum: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 100_000.0
    market_maker_eligible: bool = True
    as_of: ExactDate | None = Field(
        default=None, description="date whose rules apply (default: today)"
    )
    net_capital_before_haircuts: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        default=None,
        description="the firm's capital before any position charge (net worth, subordinated "
        "liabilities and balance-sheet deductions), a fixed figure not scaled with P; the "
        "15c3-1(c)(2)(vi)(M) threshold is 10% of it less the strategy's (c)(2)(vii), crypto and "
        "Appendix B charges; required when a leg falls under (M)",
    )
    legs: tuple[Leg, ...] = Field(description="the strategy's legs (at least one)")

    @field_validator("legs")
    @classmethod
    def _some_legs(cls, legs: tuple[Leg, ...]) -> tuple[Leg, ...]:
        # checked here, not with min_length: a length constraint on the tuple is
        # also reported, spuriously, whenever one of the legs is invalid
        if not legs:
            raise ValueError("give at least one leg")
        return legs

    @model_validator(mode="after")
    def _links(self) -> Self:
        for i, leg in enumerate(self.legs):
            j = leg.deliverable_leg
            if j is None:
                continue
            if j >= len(self.legs):
                raise ValueError(
                    f"legs.{i}.deliverable_leg: {j} is not a leg index (0..{len(self.legs) - 1})"
                )
            if self.legs[j].instrument is not Instrument.CASH:
                raise ValueError(
                    f"legs.{i}.deliverable_leg: leg {j} is not a cash leg, "
                    "so not a deliverable security"
                )
        for i, leg in enumerate(self.legs):
            for field in ("hedge_leg", "offsets_leg"):
                j = getattr(leg, field)
                if j is not None and not (0 <= j < len(self.legs) and j != i):
                    raise ValueError(
                        f"legs.{i}.{field}: {j} is not the index of another leg "
                        f"(0..{len(self.legs) - 1})"
                    )
        rated = [leg.margin_rate is not None for leg in self.legs]
        if any(rated) and not all(rated):
            missing = [i for i, r in enumerate(rated) if not r]
            raise ValueError(
                f"legs {missing}: margin_rate missing (give a margin_rate on every leg or none)"
            )
        return self

    @property
    def per_leg_margin(self) -> bool:
        """True when every leg carries its own margin rate."""
        return self.legs[0].margin_rate is not None

    @property
    def proportional(self) -> bool:
        """True when every leg is a fraction of P (so every amount is proportional to P)."""
        return all(leg.amount is None for leg in self.legs)

    def coefficients(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(a, b)``: leg ``i`` is worth ``a[i] + b[i] * P`` dollars."""
        a = np.array([leg.intercept for leg in self.legs], dtype=float)
        b = np.array([leg.slope for leg in self.legs], dtype=float)
        return a, b

    def leg_ids(self, prefix: str = "") -> list[str]:
        """Position ids of the legs (``leg0``, ``leg1``, ... after ``prefix``)."""
        return [f"{prefix}leg{i}" for i in range(len(self.legs))]

    def positions(self, P: float | None = None, *, prefix: str = "") -> tuple[Position, ...]:
        """The strategy's positions at size ``P`` (default: the strategy's own P)."""
        size = self.P if P is None else P
        ids = self.leg_ids(prefix)

        def link(j: int | None) -> str | None:
            return None if j is None else ids[j]

        return tuple(
            Position(
                **leg.position,
                id=ids[i],
                security_class=leg.security_class,
                instrument=leg.instrument,
                side=leg.side,
                market_value=leg.value(size),
                years_to_maturity=leg.years,
                maturity=leg.maturity,
                issuer=leg.issuer,
                security_id=leg.security_id,
                deliverable_position=link(leg.deliverable_leg),
                futures_contract=leg.futures_contract,
                hedge_with=link(leg.hedge_leg),
                offsets=link(leg.offsets_leg),
            )
            for i, leg in enumerate(self.legs)
        )

    def with_P(self, P: float) -> Strategy:
        """The same strategy at another size (``P`` is checked as the field is: finite, > 0)."""
        if isinstance(P, bool):
            raise ValueError("P: true/false is not a position size")
        _P_ADAPTER.validate_python(P)
        return self.model_copy(update={"P": float(P)})


def uncovered_futures_variant(
    strategy: Strategy, overall_margin_rate: float = UNCOVERED_FUTURES_MARGIN
) -> Strategy:
    """The strategy with the overall margin of a registered firm raised (release notes 587-588).

    The non-dealer baseline stays at ``strategy.margin_rate``; the dealer's
    requirements use ``overall_margin_rate`` (3% in the release's example).
    """
    return strategy.model_copy(update={"dealer_margin_rate": overall_margin_rate})
