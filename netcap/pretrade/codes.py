"""Membership tests on text columns, decided once per distinct value."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

__all__ = ["isin"]


def isin(values: np.ndarray, wanted: Collection[object]) -> np.ndarray:
    """``np.isin(values, wanted)`` for a text column: each distinct value looked up once.

    A missing value (None or NaN) is in no set.
    """
    codes, uniques = pd.factorize(values)
    hit = np.array([u in wanted for u in uniques] + [False], dtype=bool)
    return hit[codes]
