"""Note text for many rows at once: the same characters Python's formatting gives, sooner.

A haircut note such as ``covers 'T-1' for 1,250,000.00`` is written on every
covered row; at a million positions formatting amounts and quoting ids one by
one costs more than the rule's arithmetic.  `money_texts` writes amounts as
``f"{x:,.2f}"`` with numpy; `plain_texts` tells when every id can be quoted by
just putting it between single quotes (what ``repr`` does to plain text).  Each
returns None wherever its shortcut would not give exactly Python's text, so the
caller formats those rows the ordinary way.
"""

from __future__ import annotations

import numpy as np

__all__ = ["money_texts", "plain_texts"]

_MAX_CENTS = 10**17
"""Amounts up to this many cents are written here (far above any position's value)."""


def plain_texts(values: np.ndarray, avoid: tuple[str, ...] = ()) -> list[str] | None:
    """The values as a list when each is a plain ``str`` (``repr`` only adds single quotes)
    holding none of ``avoid``; None otherwise.

    Plain: printable, with no quote or backslash.
    """
    items: list[str] = values.tolist()
    if not items:
        return []
    if set(map(type, items)) != {str}:
        return None
    # joined at quotes: no quote inside an id, so no text of ``avoid`` spans two
    joined = "'".join(items)
    if joined.count("'") != len(items) - 1 or "\\" in joined or not joined.isprintable():
        return None
    if any(text in joined for text in avoid):
        return None
    return items  # (a new list: no copy of it, whose references would touch every value)


def _words(texts: list[str]) -> np.ndarray:
    """Texts of four ASCII characters as words whose four bytes, in memory order, are the text."""
    return np.frombuffer("".join(texts).encode("ascii"), dtype="<u4").copy()


_GROUP = _words([f",{k:03d}" for k in range(1000)])
"""A group of three digits after a comma: ``,007``."""
_LEAD = _words([f"{k:>4d}" for k in range(1000)])
"""The leading group of a whole part, right-aligned among spaces: ``   7``."""
_CENTS = _words([f".{k:02d} " for k in range(100)])
"""The cents and the space that ends an amount: ``.05 ``."""
_BLANK = _words(["    "])[0]
_THOUSANDS = 10 ** np.arange(3, 18, 3, dtype=np.int64)


def money_texts(values: np.ndarray) -> list[str] | None:
    """Each value as ``f"{value:,.2f}"``, or None if one cannot be written here.

    Works for finite values from +0 up to `_MAX_CENTS` cents.  The value times
    100 is exact in the platform's extended precision (a 53-bit mantissa times a
    7-bit integer needs 60 bits), so rounding it half to even gives the cents
    Python's correctly rounded formatting shows.

    Each amount is written as words of four characters: its groups of three
    digits, each after a comma (the leading group after spaces, the groups
    before it blank), then the cents and a space.  The words of every amount
    are one ASCII text, which Python splits at the spaces.
    """
    values = np.asarray(values, dtype=float)
    if not len(values):
        return []
    if np.finfo(np.longdouble).nmant < 60:  # no exact product on this platform
        return None
    if not np.isfinite(values).all() or np.signbit(values).any():
        return None
    exact = np.rint(values.astype(np.longdouble) * 100)
    if exact.max() >= np.longdouble(_MAX_CENTS):
        return None
    whole, cents = np.divmod(exact.astype(np.int64), 100)
    # groups of three digits in the whole part (0 has one)
    groups = 1 + np.searchsorted(_THOUSANDS, whole, side="right")
    top = int(groups.max())
    words = np.empty((len(values), top + 1), dtype="<u4")
    words[:, top] = _CENTS[cents]
    rest = whole
    for g in range(top):  # from the last group of three digits to the first
        rest, three = np.divmod(rest, 1000)
        words[:, top - 1 - g] = np.where(
            groups > g + 1, _GROUP[three], np.where(groups == g + 1, _LEAD[three], _BLANK)
        )
    return words.tobytes().decode("ascii").split()
