"""A trade validated and routed once, so that its checks take only the pool update."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from netcap.book.model import Position
from netcap.pretrade.row import PoolRow

__all__ = ["PreparedTrade"]


@dataclass(frozen=True)
class PreparedTrade:
    """A trade validated as a book row and routed to its pools (see `PreTradeState.prepare`).

    ``row`` is None where the trade is handled by a full recompute (it carries a
    link or an election names its id).  ``method`` says how the trade was
    prepared: ``"pandas"`` (a one-row validated frame through the haircut
    modules) or ``"fast"`` (a routing template reused, see docs/pretrade.md).
    The one-row validated frame is built when first needed (adding the trade).
    """

    position: Position
    row: PoolRow | None
    method: str = "pandas"
    _frame: list[pd.DataFrame] = field(default_factory=list, repr=False, compare=False)
    _builder: Callable[[list[Position]], pd.DataFrame] | Any = field(
        default=None, repr=False, compare=False
    )

    @property
    def id(self) -> str:
        """The trade's position id."""
        return self.position.id

    @property
    def frame(self) -> pd.DataFrame:
        """The trade as a one-row validated position frame."""
        if not self._frame:
            self._frame.append(self._builder([self.position]))
        return self._frame[0]

    def one_row(self, builder: Callable[[list[Position]], pd.DataFrame]) -> pd.DataFrame:
        """The one-row frame, built by ``builder`` where the trade was prepared without one."""
        built = self._frame or self._builder is not None
        return self.frame if built else builder([self.position])
