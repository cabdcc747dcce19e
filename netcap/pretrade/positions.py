"""The positions of the book as it stands: the rows built on, trades added, rows removed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from netcap.pretrade.links import Links
from netcap.pretrade.row import PoolRow, row_at

__all__ = ["BookPositions"]


@dataclass
class BookPositions:
    """The given and computed frames of the build, their facts, and the changes since.

    ``given`` is the validated frame the state was built from, ``computed`` the
    full computation's position frame (with any market-maker account rows), and
    ``facts`` one facts row per computed row.  ``added`` holds the one-row frame
    and ``rows`` the facts row of each trade added since, ``removed`` the built
    rows taken out.
    """

    given: pd.DataFrame
    computed: pd.DataFrame
    facts: pd.DataFrame
    ids: set[str]
    given_ids: set[str]
    index: pd.Index
    added: dict[str, pd.DataFrame] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    rows: dict[str, PoolRow] = field(default_factory=dict)

    @classmethod
    def of(cls, given: pd.DataFrame, computed: pd.DataFrame, facts: pd.DataFrame) -> BookPositions:
        """The positions as built, nothing added or removed."""
        return cls(
            given,
            computed,
            facts,
            set(computed["id"].astype(str).to_numpy(dtype=object).tolist()),
            set(given["id"].astype(str).to_numpy(dtype=object).tolist()),
            pd.Index(facts["pid"].to_numpy()),
        )

    @property
    def next_row(self) -> int:
        """The ``row`` number of the next trade (after the computed rows and the trades)."""
        return len(self.computed) + len(self.added)

    def row_of(self, pid: str) -> PoolRow:
        """The facts row of a position in the book (a trade added or a built row)."""
        if pid in self.rows:
            return self.rows[pid]
        i = self.index.get_loc(pid)
        assert isinstance(i, int)
        return row_at(self.facts, i)

    def current(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (given or computed) as the book stands: rows removed dropped, trades after."""
        parts = [frame[~frame["id"].isin(self.removed)]] if self.removed else [frame]
        parts += list(self.added.values())
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return out.reset_index(drop=True)

    def known(self, pid: str, links: Links) -> str:
        """``pid`` if it names a position of the book's positions that may be taken out."""
        if pid not in self.ids:
            raise KeyError(f"no position {pid!r} in the book")
        if pid not in self.given_ids:
            raise ValueError(
                f"{pid!r} is a position of a market-maker account, not of the book's positions"
            )
        if pid in links.named_by:
            raise ValueError(
                f"{pid!r} is named by the link of {links.named_by[pid]!r}; remove that first"
            )
        return pid

    def add(self, row: PoolRow, frame: pd.DataFrame) -> None:
        """Record a trade added."""
        self.rows[row.pid] = row
        self.added[row.pid] = frame
        self.ids.add(row.pid)
        self.given_ids.add(row.pid)

    def remove(self, pid: str) -> None:
        """Record a position taken out (a trade added earlier, or a built row)."""
        if self.added.pop(pid, None) is None:
            self.removed.add(pid)
        self.ids.discard(pid)
        self.given_ids.discard(pid)
        self.rows.pop(pid, None)
