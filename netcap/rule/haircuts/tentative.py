"""Where each position charge sits relative to tentative net capital: 15c3-1(c)(15).

Tentative net capital is net capital before the securities haircuts of
15c3-1(c)(2)(vi) and the inventory charges of Appendix B (15c3-1b).  Every
other deduction comes before it.  Of the charges `netcap.rule.haircuts.compute_haircuts`
lists per position, three stages follow:

``pre_tentative``  deductions taken before tentative net capital: the 100%
                   deduction for securities with no ready market
                   (15c3-1(c)(2)(vii)) and for non-security crypto assets
                   (15c3-1(c)(2)(iv)), and any other charge not under (vi),
                   Appendix A or Appendix B;
``appendix_b``     Appendix B charges on futures and commodities (after
                   tentative net capital);
``securities``     the deductions of (c)(2)(vi), undue concentration (M)
                   included, and of Appendix A (15c3-1a).

Two bases follow from the split:

* undue concentration, (c)(2)(vi)(M)(1), measures an issue against 10% of net
  capital before the application of (c)(2)(vi) and Appendix A, that is after
  every other deduction: tentative net capital less the Appendix B charges;
* the withdrawal test of (e)(2)(iii) compares net capital with 25% of the
  deductions of (c)(2)(vi) and Appendix A only (the ``securities`` stage).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "APPENDIX_B",
    "PRE_TENTATIVE",
    "SECURITIES",
    "STAGES",
    "detail_stage_totals",
    "stage",
    "stage_totals",
]

PRE_TENTATIVE = "pre_tentative"
APPENDIX_B = "appendix_b"
SECURITIES = "securities"
STAGES = (PRE_TENTATIVE, APPENDIX_B, SECURITIES)
"""The stages, in the order they are deducted."""

_SECURITIES_PREFIXES = ("15c3-1(c)(2)(vi)(", "15c3-1a")
_APPENDIX_B_PREFIX = "15c3-1b"


def stage(paragraph: str) -> str:
    """The stage of a charge cited to ``paragraph`` (see the module docstring).

    ``15c3-1(c)(2)(vi)(...)`` and ``15c3-1a...`` are haircuts on securities;
    ``15c3-1b...`` is Appendix B; anything else (``(c)(2)(vii)``, ``(c)(2)(iv)``)
    is deducted before tentative net capital.
    """
    if paragraph.startswith(_APPENDIX_B_PREFIX):
        return APPENDIX_B
    if paragraph == "15c3-1(c)(2)(vi)" or paragraph.startswith(_SECURITIES_PREFIXES):
        return SECURITIES
    return PRE_TENTATIVE


def stage_totals(charges: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Sum of ``(paragraph, charge)`` pairs by stage; every stage is present."""
    out = dict.fromkeys(STAGES, 0.0)
    for paragraph, charge in charges:
        out[stage(paragraph)] += charge
    return out


def detail_stage_totals(detail: pd.DataFrame) -> dict[str, float]:
    """Charges and add-ons of a haircut detail, summed by stage; every stage is present."""
    out = dict.fromkeys(STAGES, 0.0)
    for p_col, c_col in (("paragraph", "charge"), ("add_on_paragraph", "add_on_charge")):
        codes, uniques = _codes(detail[p_col])
        sums = np.bincount(
            codes, weights=detail[c_col].to_numpy(dtype=float), minlength=len(uniques)
        )
        for paragraph, total in zip(uniques, sums, strict=True):
            out[stage(str(paragraph))] += float(total)
    return out


def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct texts of a citation column (missing read as ``""``).

    A categorical column (as `netcap.rule.haircuts.compute_haircuts` builds) gives
    its own codes; other columns are factorized.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        names = np.append(col.cat.categories.to_numpy(dtype=object), "")
        return np.where(codes < 0, len(names) - 1, codes), names
    codes, uniques = pd.factorize(col.fillna("").astype(object))
    return np.asarray(codes), np.asarray(uniques, dtype=object)
