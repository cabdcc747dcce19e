"""``netcap settle``: a trade's settlement date (the Rule 15c6-1 cycle in force) and the fail
deadlines that run from it."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from netcap.cli.common import InputError

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``settle`` to the parser."""
    st = sub.add_parser(
        "settle",
        help="settlement date of a trade (15c6-1 cycle in force) and the fail deadlines",
    )
    st.add_argument("trade_date", help="trade date, YYYY-MM-DD")
    st.add_argument(
        "--class",
        dest="security_class",
        default="equity",
        help="security class (default equity), as in the book format",
    )
    st.add_argument(
        "--firm-commitment-after-430",
        action="store_true",
        help="firm-commitment offering priced after 4:30 p.m. Eastern (15c6-1(c))",
    )
    st.add_argument(
        "--agreed-cycle",
        type=int,
        default=None,
        help="a cycle in business days the parties expressly agreed",
    )
    st.add_argument("--json", action="store_true", help="print one JSON object")
    st.set_defaults(func=run)


def _iso(value: Any) -> str | None:
    import pandas as pd  # noqa: PLC0415 (loaded when run)

    return None if pd.isna(value) else str(pd.Timestamp(value).date().isoformat())


def run(args: argparse.Namespace) -> int:
    """The settlement date and the close-out and buy-in deadlines of a fail to deliver."""
    from netcap.book.frame import BookError  # noqa: PLC0415
    from netcap.book.model import SecurityClass  # noqa: PLC0415
    from netcap.calendar.settlement import CycleError, cycle_for, settlement_date  # noqa: PLC0415
    from netcap.rule.fails import Fail, close_out_deadlines, fails_frame  # noqa: PLC0415 (when run)

    try:
        trade = date.fromisoformat(args.trade_date)
    except ValueError as exc:
        raise InputError(f"trade_date: {args.trade_date!r} is not a date (use YYYY-MM-DD)") from exc
    classes = [c.value for c in SecurityClass]
    if args.security_class not in classes:
        raise InputError(f"--class: {args.security_class!r} is not one of {classes}")
    kwargs: dict[str, Any] = {
        "firm_commitment_after_430": args.firm_commitment_after_430,
        "agreed_cycle": args.agreed_cycle,
    }
    # a date outside the calendar is the trade date's fault, unless a cycle was agreed
    blame = "trade_date" if args.agreed_cycle is None else "--agreed-cycle"
    try:
        rule = cycle_for(trade, args.security_class, **kwargs)
        settle = settlement_date(trade, args.security_class, **kwargs)
    except (CycleError, ValueError) as exc:
        raise InputError(f"{'trade_date' if 'range' in str(exc) else blame}: {exc}") from None
    fails = [
        Fail(
            id=sale,
            security_class=args.security_class,
            side="fail_to_deliver",
            trade_date=trade,
            settlement_date=settle,
            contract_value=0.0,
            market_value=0.0,
            sale_type=sale,
        )
        for sale in ("short", "long", "market_maker")
    ]
    try:
        deadlines = close_out_deadlines(fails_frame(fails))
    except (BookError, CycleError, ValueError) as exc:  # a deadline past the calendar's end
        lines = [str(e) for e in exc.errors] if isinstance(exc, BookError) else [str(exc)]
        raise InputError(f"trade_date {trade.isoformat()}: " + "; ".join(lines)) from None
    out: dict[str, Any] = {
        "trade_date": trade.isoformat(),
        "security_class": args.security_class,
        "cycle_business_days": rule.business_days,
        "cycle": rule.key,
        "basis": rule.basis,
        "citation": rule.citation,
        "calendar": rule.calendar.value,
        "settlement_date": settle.isoformat(),
        "fail_to_deliver_deadlines": [
            {
                "sale_type": str(row.id),
                "reg_sho_close_out_by": _iso(row.reg_sho_close_out_by),
                "reg_sho_citation": row.reg_sho_citation or None,
                "buy_in_15c3_3m_by": _iso(row.buy_in_15c3_3m_by),
            }
            for row in deadlines.itertuples()
        ],
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"trade {out['trade_date']} ({args.security_class}): T+{rule.business_days} "
        f"[{rule.citation}; {rule.basis}], {rule.calendar.value} calendar"
    )
    print(f"  settlement date            {out['settlement_date']}")
    for d in out["fail_to_deliver_deadlines"]:
        if d["reg_sho_close_out_by"]:
            print(
                f"  fail to deliver, {d['sale_type'].replace('_', '-') + ' sale':<18} close out by "
                f"{d['reg_sho_close_out_by']} [{d['reg_sho_citation']}]"
            )
    print(
        f"  customer securities not received: buy in by "
        f"{out['fail_to_deliver_deadlines'][0]['buy_in_15c3_3m_by']} [15c3-3(m)]"
    )
    return 0
