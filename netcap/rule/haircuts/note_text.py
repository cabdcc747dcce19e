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
    items = values.tolist()
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
    return list(items)


def money_texts(values: np.ndarray) -> list[str] | None:
    """Each value as ``f"{value:,.2f}"``, or None if one cannot be written here.

    Works for finite values from +0 up to `_MAX_CENTS` cents.  The value times
    100 is exact in the platform's extended precision (a 53-bit mantissa times a
    7-bit integer needs 60 bits), so rounding it half to even gives the cents
    Python's correctly rounded formatting shows.
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
    cents = exact.astype(np.int64)
    whole = cents // 100
    # digits of the whole part (0 has one)
    digits = 1 + np.searchsorted(10 ** np.arange(1, 18, dtype=np.int64), whole, side="right")
    # characters from the right: two decimals, the point, then the whole part's
    # digits with a comma before every third one that has more to its left;
    # every row is filled to the widest, the extra characters dropped below
    length = 3 + digits + (digits - 1) // 3
    width = int(length.max())
    chars = np.empty((len(cents), width), dtype=np.uint32)  # right-aligned
    zero = ord("0")
    chars[:, width - 1] = zero + cents % 10
    chars[:, width - 2] = zero + (cents // 10) % 10
    chars[:, width - 3] = ord(".")
    rest = whole.copy()
    for k in range(int(digits.max())):
        place = width - 4 - k - k // 3
        chars[:, place] = zero + rest % 10
        rest //= 10
        if k % 3 == 0 and k:
            chars[:, place + 1] = ord(",")
    # left-align, rows of one length at a time (a numpy text ends at its first NUL)
    left = np.zeros_like(chars)
    for size in np.unique(length).tolist():
        rows = np.flatnonzero(length == size)
        left[rows, :size] = chars[rows, width - size :]
    return list(left.view(f"<U{width}").ravel().tolist())
