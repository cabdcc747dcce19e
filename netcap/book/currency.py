"""Amounts in a currency other than US dollars: conversion at the rate the book states.

Net capital is a dollar figure (the FOCUS report is in US dollars), so every
amount netcap reads in another currency is converted before the computation, at
the rate the book gives for that currency in ``currency_rates`` (US dollars per
one unit of the currency, with where the rate came from).  A position, a
non-allowable asset or a liability says its currency in a ``currency`` field;
without one it is in US dollars, as before.

Each conversion is kept (`conversions`) and shown: the haircut detail note of a
converted position, the description of a converted asset or liability, the
``currency_conversions`` block of ``compute --json`` and the ``Currency
conversions`` sheet of the computation workbook all state the amount in its
currency, the rate and the dollar amount.

No charge for foreign currency exposure is applied.  15c3-1 and its appendices
(as read: (c)(2)(iv), (c)(2)(vi)(A)-(P), Appendices A, B and D) state no
percentage deduction on a currency position or on a balance held in a foreign
currency, and no FINRA interpretation of 15c3-1 requiring one was found.  A
foreign security is haircut under the paragraph of its class, like any other;
every book that uses a foreign currency gets a warning saying no currency charge
was applied (see `NO_CHARGE_WARNING`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "CONVERSIONS_ATTR",
    "CONVERSION_COLUMNS",
    "ISO_4217",
    "NO_CHARGE_WARNING",
    "POSITION_MONEY_FIELDS",
    "CurrencyCode",
    "CurrencyRate",
    "conversion_note",
]

_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWL
    """
ISO_4217 = frozenset(_CODES.split())
"""Active ISO 4217 alphabetic currency codes (funds and precious-metal codes left out)."""

POSITION_MONEY_FIELDS = (
    "market_value",
    "price",
    "principal_amount",
    "maintenance_margin",
    "clearing_margin",
    "initial_margin",
    "strike",
    "underlying_price",
)
"""Fields of a position that are amounts of money in the position's currency."""

CONVERSION_COLUMNS = ("item", "id", "field", "currency", "amount", "usd_per_unit", "usd", "source")

NO_CHARGE_WARNING = (
    "amounts in {codes} were converted to US dollars at the rates of currency_rates; no "
    "deduction for foreign currency exposure is applied: 15c3-1 and its appendices state none "
    "and no FINRA interpretation requiring one was found (docs/rules/currency.md)"
)


def _iso(code: str) -> str:
    if code not in ISO_4217:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (such as USD, EUR, JPY)")
    return code


CurrencyCode = Annotated[str, AfterValidator(_iso)]


class CurrencyRate(BaseModel):
    """The rate the book uses for one currency: US dollars per one unit of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: CurrencyCode
    usd_per_unit: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="US dollars per one unit of the currency (positive)"
    )
    source: str = Field(default="", description="where the rate comes from (fixing, date)")


def conversion_note(currency: str, amount: float, rate: float) -> str:
    """The text stated wherever a converted amount is used."""
    return f"{currency} {amount:,.2f} at {rate:g} USD per {currency} = USD {amount * rate:,.2f}"


def conversion_rows(
    item: str,
    ident: str,
    currency: str,
    amounts: Iterable[tuple[str, float | None]],
    rate: CurrencyRate,
) -> list[dict[str, Any]]:
    """One row per converted field of one item."""
    return [
        {
            "item": item,
            "id": ident,
            "field": name,
            "currency": currency,
            "amount": float(value),
            "usd_per_unit": rate.usd_per_unit,
            "usd": float(value) * rate.usd_per_unit,
            "source": rate.source,
        }
        for name, value in amounts
        if value is not None
    ]


def conversions_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The conversions as a frame with `CONVERSION_COLUMNS`."""
    return pd.DataFrame(rows, columns=list(CONVERSION_COLUMNS))


def rates_of(book: Any) -> dict[str, CurrencyRate]:
    """Currency code -> its rate, from ``book.currency_rates``."""
    return {r.currency: r for r in book.currency_rates}


def convert_position(position: Any, rate: CurrencyRate) -> tuple[Any, list[dict[str, Any]]]:
    """A position with its money fields in dollars, and the conversion rows."""
    fields = [(name, getattr(position, name)) for name in POSITION_MONEY_FIELDS]
    if position.market_value is None:  # given as quantity x price: convert the value
        fields[0] = ("market_value", position.value)
    update = {name: value * rate.usd_per_unit for name, value in fields if value is not None}
    rows = conversion_rows("position", position.id, rate.currency, fields, rate)
    return position.model_copy(update={**update, "currency": None}), rows


CONVERSIONS_ATTR = "currency_conversions"
"""Key of ``DataFrame.attrs`` under which a loaded position frame carries its conversions."""


def positions_in_dollars(
    positions: Iterable[Any], rates: dict[str, CurrencyRate]
) -> tuple[tuple[Any, ...], list[dict[str, Any]]]:
    """Positions with their money fields in dollars, and one row per amount converted."""
    out = []
    rows: list[dict[str, Any]] = []
    for p in positions:
        if p.currency in (None, "USD"):
            out.append(p)
            continue
        converted, more = convert_position(p, rates[p.currency])
        out.append(converted)
        rows += more
    return tuple(out), rows


def book_in_dollars(book: Any) -> tuple[Any, pd.DataFrame]:
    """The book with every amount in US dollars, and one row per amount converted.

    Positions, non-allowable assets and liabilities that name a currency other than
    USD are converted at the book's rate for it (the book validator has checked
    that one is given); the description of a converted asset or liability states
    the conversion.
    """
    rates = rates_of(book)
    rows: list[dict[str, Any]] = []

    def foreign(item: Any) -> CurrencyRate | None:
        code = getattr(item, "currency", None)
        return None if code in (None, "USD") else rates[code]

    positions, rows = positions_in_dollars(book.positions, rates)

    def balance(item: Any, kind: str) -> Any:
        rate = foreign(item)
        if rate is None:
            return item
        note = conversion_note(rate.currency, item.amount, rate.usd_per_unit)
        rows.extend(conversion_rows(kind, item.id, rate.currency, [("amount", item.amount)], rate))
        text = f"{item.description} [{note}]" if item.description else f"[{note}]"
        return item.model_copy(
            update={
                "amount": item.amount * rate.usd_per_unit,
                "currency": None,
                "description": text,
            }
        )

    assets = tuple(
        balance(a, "non_allowable_asset") for a in book.balance_sheet.non_allowable_assets
    )
    liabilities = tuple(balance(li, "liability") for li in book.liabilities)
    if not rows:
        return book, conversions_frame(rows)
    sheet = book.balance_sheet.model_copy(update={"non_allowable_assets": assets})
    out = book.model_copy(
        update={"positions": tuple(positions), "liabilities": liabilities, "balance_sheet": sheet}
    )
    return out, conversions_frame(rows)
