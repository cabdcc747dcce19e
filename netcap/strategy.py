"""A trading strategy sized in $P: legs, each a fraction of P.

This is the shape of the SEC's Table 9 (2024 dealer release): "long $P 5yr
Treasury note, short $0.5P 2yr Treasury note ...".  A :class:`Strategy` turns
into ordinary :class:`~netcap.model.Position` objects at any P, so it is charged
by exactly the same haircut code as a firm's book.

JSON form (what ``netcap strategy SPEC.json`` reads)::

    {"name": "Strategy 1", "P": 50000000, "margin_rate": 0.02, "fixed_minimum": 100000,
     "legs": [{"kind": "treasury", "side": "long", "size": 1.0, "years": 2},
              {"kind": "treasury_future", "side": "short", "size": 1.0, "years": 2,
               "deliverable_leg": 0}]}
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from netcap.model import Instrument, Position, SecurityClass, Side

__all__ = ["Leg", "LegKind", "Strategy"]


class LegKind(StrEnum):
    """What a leg holds."""

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


class Leg(BaseModel):
    """One leg: a long or short position of ``size`` x P.

    ``years`` is the time to maturity of the security (of the deliverable
    security, for a futures leg).  ``deliverable_leg`` (futures legs only) is the
    0-based index of the cash leg deliverable against this contract.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: LegKind
    side: Side
    size: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    years: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    deliverable_leg: Annotated[int, Field(ge=0)] | None = None
    label: str = ""

    @model_validator(mode="after")
    def _futures_only_link(self) -> Self:
        if self.deliverable_leg is not None and self.kind is not LegKind.TREASURY_FUTURE:
            raise ValueError("deliverable_leg is only for treasury_future legs")
        return self


class Strategy(BaseModel):
    """A strategy of several legs at position size ``P`` dollars."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = "strategy"
    P: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 50_000_000.0
    margin_rate: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.02
    fixed_minimum: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 100_000.0
    market_maker_eligible: bool = True
    as_of: date | None = Field(default=None, description="date whose rules apply (default: today)")
    legs: Annotated[tuple[Leg, ...], Field(min_length=1)]

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
            if self.legs[j].kind is LegKind.TREASURY_FUTURE:
                raise ValueError(
                    f"legs.{i}.deliverable_leg: leg {j} is a futures leg, "
                    "not a deliverable security"
                )
        return self

    def positions(self, P: float | None = None) -> tuple[Position, ...]:
        """The strategy's positions at size ``P`` (default: the strategy's own P)."""
        size = self.P if P is None else P
        return tuple(
            Position(
                id=f"leg{i}",
                security_class=leg.kind.security_class,
                instrument=leg.kind.instrument,
                side=leg.side,
                market_value=leg.size * size,
                years_to_maturity=leg.years,
                deliverable_position=(
                    f"leg{leg.deliverable_leg}" if leg.deliverable_leg is not None else None
                ),
            )
            for i, leg in enumerate(self.legs)
        )

    def with_P(self, P: float) -> Strategy:
        """The same strategy at another size."""
        return self.model_copy(update={"P": P})
