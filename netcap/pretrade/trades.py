"""A trade as a book row: validated as a `Position`, its links checked, as a one-row frame."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from netcap.book.frame import BookError, RowError, positions_frame
from netcap.book.model import Position

__all__ = ["TradeInput", "trade_frame", "validated_position"]

TradeInput = Position | Mapping[str, Any]
"""A trade: a `Position` or a mapping validated as one."""


def _as_position(trade: TradeInput) -> Position:
    if isinstance(trade, Position):
        return trade
    try:
        return Position.model_validate(dict(trade))
    except ValidationError as exc:
        raise BookError(
            [
                RowError("trade", ".".join(str(x) for x in e["loc"]) or "trade", e["msg"])
                for e in exc.errors()
            ]
        ) from None


def validated_position(trade: TradeInput, ids: set[str]) -> Position:
    """The trade as a Position, its id new and its links naming positions in ``ids``."""
    p = _as_position(trade)
    if p.id in ids:
        raise BookError([RowError("trade", "id", f"duplicate id {p.id!r}: already in the book")])
    for name in ("deliverable_position", "hedge_with", "offsets"):
        link = getattr(p, name)
        if link is not None and link not in ids:
            raise BookError([RowError("trade", name, f"{link!r} names no position in the book")])
    if p.hedge_with == p.id:
        raise BookError([RowError("trade", "hedge_with", "names the position itself")])
    return p


def trade_frame(positions: list[Position], as_of: date, first_row: int) -> pd.DataFrame:
    """Validated frame of trades, through the same validator as book rows.

    Links name positions of the book (checked in `validated_position`), so they
    are set after validation, which only knows the trades' own ids.  ``row``
    numbers the trades from ``first_row`` on.
    """
    plain = [
        p.model_copy(update={"deliverable_position": None, "hedge_with": None, "offsets": None})
        for p in positions
    ]
    frame = positions_frame(plain, as_of)
    frame["deliverable_position"] = pd.Series(
        [p.deliverable_position for p in positions], dtype=object
    )
    frame["hedge_with"] = pd.Series([p.hedge_with for p in positions], dtype=object)
    if "offsets" in frame.columns:  # an option pairs with a book position (covered call)
        frame["offsets"] = pd.Series([p.offsets for p in positions], dtype=object)
    frame["row"] = first_row + np.arange(len(frame))
    return frame
