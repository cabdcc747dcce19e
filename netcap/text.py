"""Words for people: counts with the right noun, identifiers as names, labels wrapped to a width.

The JSON outputs keep the identifiers (``aggregate_indebtedness``); text output
shows their names (``aggregate indebtedness standard``).
"""

from __future__ import annotations

import textwrap

__all__ = ["DEFAULT_WIDTH", "human", "output_width", "plural", "table", "wrap"]

DEFAULT_WIDTH = 120
"""Columns of text output when the terminal does not say (a pipe, a file, CI)."""

MIN_WIDTH = 60
"""Narrowest layout netcap draws; a smaller ``--width`` is taken as this."""


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 item``, ``2 items``, ``0 items`` (``nouns`` for an irregular plural)."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


_NAMES = {
    "aggregate_indebtedness": "aggregate indebtedness standard",
    "market_maker_alternative": "market-maker alternative",
    "alternative": "alternative standard",
    "margin": "margin",
    "fixed_minimum_plus_haircut": "fixed minimum plus haircut",
    "fixed_minimum": "fixed minimum",
    "market_maker_threshold": "market-maker threshold",
    "non_dealer": "non-dealer (margin)",
    "dealer_margin": "dealer margin",
    "dealer": "dealer requirement",
    "haircut": "haircut",
    "threshold": "market-maker threshold",
    "market_maker": "market-maker alternative",
    "increase_pct": "increase %",
    "standard": "binding standard",
    "component": "binding component",
    "broker_dealer": "broker-dealer",
}


def human(identifier: str) -> str:
    """The name of an identifier for text output (underscores to spaces where none is known)."""
    return _NAMES.get(identifier, identifier.replace("_", " "))


def output_width(asked: int | None) -> int:
    """Columns to lay text out in: ``asked`` (``--width``), else the terminal's, else 120."""
    if asked is None:
        import shutil  # noqa: PLC0415 (10 ms with its archive modules; only for text output)

        asked = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return max(MIN_WIDTH, asked)


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` columns (never cut, never empty)."""
    return textwrap.wrap(text, max(width, 10), break_on_hyphens=False) or [""]


def table(columns: list[tuple[str, list[str], str]], width: int) -> list[str]:
    """A text table: ``columns`` are (header, cells, ``"<"`` or ``">"``), laid out in ``width``.

    Headers wrap over up to three lines, cells are never cut; when the columns
    do not fit side by side, they go in blocks one under the other, each
    repeating the first column so that every row can still be read.
    """
    if not columns:
        return []
    widths = []
    for header, cells, _ in columns:
        longest_word = max((len(w) for w in header.split()), default=0)
        w = max([longest_word, -(-len(header) // 3), *(len(c) for c in cells)])
        widths.append(w)
    gap = 2
    blocks: list[list[int]] = []
    current = [0]
    used = widths[0]
    for k in range(1, len(columns)):
        if current != [0] and used + gap + widths[k] > width:
            blocks.append(current)
            current, used = [0], widths[0]
        current.append(k)
        used += gap + widths[k]
    blocks.append(current)
    out: list[str] = []
    for b, block in enumerate(blocks):
        if b:
            out.append("")
        heads = [wrap(columns[k][0], widths[k]) for k in block]
        depth = max(len(h) for h in heads)
        for line in range(depth):
            cells = []
            for k, h in zip(block, heads, strict=True):
                part = h[line - (depth - len(h))] if line >= depth - len(h) else ""
                cells.append(f"{part:{columns[k][2]}{widths[k]}}")
            out.append((" " * gap).join(cells).rstrip())
        for r in range(len(columns[0][1])):
            out.append(
                (" " * gap)
                .join(f"{columns[k][1][r]:{columns[k][2]}{widths[k]}}" for k in block)
                .rstrip()
            )
    return out
