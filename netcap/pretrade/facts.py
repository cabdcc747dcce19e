"""Each position's pool and contributions, vectorized over a frame (a trade is a one-row frame).

The facts of a row are its pool keys (family, bucket, (A)/(C) subcategory, (M)
issue) and the sums its pools keep (value in the pool, gross charge, Appendix B
margin charge, (M) rate and price).  They come from the haircut detail of the
same rows: from the base computation, or from a trade computed alone (a row's
paragraph, bucket, rate and gross charge do not depend on other rows when no row
is linked).  With ``linked``, rows tied by a link enter as the full computation
treats them: cover reduces the value margined under Appendix B, and an
(F)(2)-hedged row splits into its unhedged remainder in its (F)(1) bucket plus a
fixed charge on the hedged amount (see `netcap.pretrade.links`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netcap.pretrade.buckets import BUCKETED
from netcap.pretrade.codes import isin
from netcap.pretrade.concentration import concentration_columns
from netcap.pretrade.futures import cover, futures_gross
from netcap.pretrade.links import HedgeSplit, hedge_split
from netcap.pretrade.parameters import Parameters
from netcap.rule.haircuts.routing import route_positions

__all__ = ["FAMILY", "facts_frame", "pool_families", "routes_of"]

FAMILY = {
    "A": "A",
    "C": "C",
    "B1": "B1",
    "B2": "B2",
    "D1": "D",
    "D2": "D",
    "D3": "D",
    "E": "E",
    "E6": "E6",
    "F": "F",
    "G_F": "F",
    "H": "H",
    "J": "J",
    "G_J": "J",
    "COMMOD": "COMMOD",
    "FUT": "FUT",
}
"""Pool family of each route; every other route is charged alone (``LINEAR``)."""


def routes_of(frame: pd.DataFrame, params: Parameters) -> np.ndarray:
    """Each row's route, as `netcap.rule.haircuts.routing.route_positions` decides it."""
    return route_positions(frame, **params.routing)


def pool_families(routes: np.ndarray) -> np.ndarray:
    """Each route's pool family, looked up once per distinct route."""
    codes, uniques = pd.factorize(routes)  # a missing route is code -1: LINEAR
    fams = np.array([FAMILY.get(str(r), "LINEAR") for r in uniques] + ["LINEAR"], dtype=object)
    return fams[codes]


def _subcategories(bucket: np.ndarray, gov: np.ndarray, params: Parameters) -> np.ndarray:
    """The (A)/(C) subcategory index of the government rows (-1 elsewhere)."""
    sub = np.full(len(bucket), -1, dtype=np.int64)
    if gov.any():
        codes, uniques = pd.factorize(bucket[gov])
        keys = params.government.keys
        sub[gov] = np.array([keys[str(k)] for k in uniques], dtype=np.int64)[codes]
    return sub


def _charged(detail: pd.DataFrame) -> HedgeSplit:
    """The rows as the haircut detail charges them: exposure, bucket, rate, no fixed charge."""
    return HedgeSplit(
        detail["exposure"].to_numpy(dtype=float).copy(),
        detail["bucket"].astype(str).to_numpy(dtype=object).copy(),
        detail["rate"].to_numpy(dtype=float).copy(),
        np.zeros(len(detail)),
    )


def facts_frame(
    frame: pd.DataFrame,
    detail: pd.DataFrame,
    params: Parameters,
    *,
    linked: bool = False,
    routes: np.ndarray | None = None,
) -> pd.DataFrame:
    """One facts row per row of ``frame`` (columns as the fields of `PoolRow`).

    ``routes`` are the rows' routes where the haircut core has already decided
    them (`netcap.rule.haircuts.HaircutResult.routes`); otherwise they are routed here.
    """
    if routes is None:
        routes = routes_of(frame, params)
    gross = detail["gross_charge"].to_numpy(dtype=float)
    split = _charged(detail)
    signed = frame["signed_value"].to_numpy(dtype=float)
    after_cover = signed
    fixed_par = np.full(len(frame), "", dtype=object)
    # (M) sees the rate otherwise applied, blended for a partly hedged row
    absx0 = np.abs(split.exposure)
    effective = np.divide(gross, absx0, out=split.rate.copy(), where=absx0 > 0)
    if linked:
        after_cover, fixed, fixed_par = cover(frame, routes, params.futures, params.as_of)
        split = hedge_split(
            frame, routes, after_cover, split._replace(fixed=fixed), params.nonconvertible_debt
        )
    family = pool_families(routes)
    issue = frame["security_id"].fillna(frame["id"]).astype(str).to_numpy(dtype=object)
    key = np.where(isin(family, BUCKETED), split.bucket, np.where(family == "COMMOD", issue, ""))
    fut_cit, fut_gross = futures_gross(
        frame, routes, after_cover, params.futures, params.options.futures
    )
    m = concentration_columns(frame, routes, issue, effective, params.concentration, params.as_of)
    return pd.DataFrame(
        {
            "pid": frame["id"].astype(str).to_numpy(dtype=object),
            "route": routes,
            "family": family,
            "key": key,
            "paragraph": detail["paragraph"].astype(str).to_numpy(dtype=object),
            "exposure": split.exposure,
            "rate": split.rate,
            "gross": gross,
            "sub": _subcategories(split.bucket, isin(family, ("A", "C")), params),
            "fut_citation": fut_cit,
            "fut_gross": fut_gross,
            "m_issue": m["m_issue"],
            "m_rate": m["m_rate"],
            "m_price": m["m_price"],
            "m_note": m["m_note"],
            "m_class": m["m_class"],
            "signed": signed,
            "fixed": split.fixed,
            "fixed_paragraph": fixed_par,
        }
    )
