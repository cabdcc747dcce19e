"""``netcap pretrade``: net capital before and after one trade, or a list of trades applied one
after another."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from netcap.cli.common import (
    InputError,
    add_width_option,
    book_errors,
    read_json_input,
    refuse_booleans,
)
from netcap.money import round_dollars
from netcap.text import output_width, table, wrap

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``pretrade`` to the parser."""
    pt = sub.add_parser("pretrade", help="net capital before and after one trade or a list")
    pt.add_argument("book", help="the firm's book (as for 'compute')")
    pt.add_argument(
        "trades",
        help="JSON: one position, or a list applied one after another; an item "
        '{"remove": "<id>"} takes that position out of the book',
    )
    pt.add_argument("--json", action="store_true", help="print one JSON object")
    add_width_option(pt)
    pt.set_defaults(func=run)


def _removal(item: dict[str, Any]) -> str:
    """The position id of a ``{"remove": "<id>"}`` item (nothing else may be in it)."""
    pid = item["remove"]
    if set(item) != {"remove"} or not isinstance(pid, str) or not pid:
        raise ValueError('a removal is {"remove": "<position id>"} and nothing else')
    return pid


def run(args: argparse.Namespace) -> int:
    """Apply the trades one after another to the book's state; print each before and after."""
    from netcap.book.frame import BookError  # noqa: PLC0415
    from netcap.book.loading import load_book  # noqa: PLC0415
    from netcap.book.model import Position  # noqa: PLC0415
    from netcap.pretrade import PreTradeState  # noqa: PLC0415
    from netcap.rule.computation import _HAIRCUT_GROUP_TITLES, haircut_group  # noqa: PLC0415

    raw = read_json_input(args.trades)
    trades = raw if isinstance(raw, list) else [raw]
    if not trades or not all(isinstance(t, dict) for t in trades):
        raise InputError(f"{args.trades}: give one trade (an object) or a list of objects")
    with book_errors(args.book):
        loaded = load_book(args.book)
        state = PreTradeState(loaded.book, positions=loaded.positions)
    for i, trade in enumerate(trades):
        if "remove" not in trade:
            refuse_booleans(Position, trade, f"{args.trades}: trade {i}")
    results = []
    for i, trade in enumerate(trades):
        try:
            if "remove" in trade:
                results.append(state.remove(_removal(trade)).to_dict())
            else:
                results.append(state.add(trade).to_dict())
        except KeyError as exc:
            raise InputError(f"{args.trades}: trade {i + 1}: {exc.args[0]}") from None
        except (BookError, ValueError) as exc:
            raise InputError(f"{args.trades}: trade {i + 1}: {exc}") from None
    results = [_pretrade_report(r) for r in results]
    if args.json:
        print(json.dumps({"trades": results}, indent=2))
        return 0
    cols = output_width(args.width)
    for n, r in enumerate(results, start=1):
        verdict = "allowed" if r["allowed"] else "NOT allowed"
        what = "remove" if r["action"] == "remove" else "add"
        count = f" ({n} of {len(results)})" if len(results) > 1 else ""
        how = _PRETRADE_METHODS.get(str(r["method"]), str(r["method"]))
        print(f"{what} {r['position_id']}{count}: {verdict} ({how})")
        rows: list[tuple[str, str, str, str]] = []
        for key, label in _PRETRADE_LINES:
            b, a, d = r["before"][key], r["after"][key], r["delta"][key]
            rows.append((label, f"${b:,}", f"${a:,}", f"{d:+,}"))
        rows.append(("Net capital requirement", f"${r['requirement']:,}", "", ""))
        for c in r["changed_paragraphs"]:
            group = haircut_group(c["paragraph"])
            title = _HAIRCUT_GROUP_TITLES.get(group, group)
            rows.append(
                (
                    f"  of which {title} [{c['paragraph']}]",
                    f"${c['before']:,}",
                    f"${c['after']:,}",
                    f"{c['delta']:+,}",
                )
            )
        columns: list[tuple[str, list[str], str]] = [
            ("", [wrapped for row in rows for wrapped in _first_only(row[0], cols)], "<")
        ]
        for k, head in enumerate(("before", "after", "change"), start=1):
            cells: list[str] = []
            for row in rows:
                cells += [row[k]] + [""] * (len(_first_only(row[0], cols)) - 1)
            columns.append((head, cells, ">"))
        for line in table(columns, cols):
            print("  " + line)
        added = [f for f in r["after"]["flags"] if f not in r["before"]["flags"]]
        if added:
            print(f"  new flags: {', '.join(added)}")
    return 0


# --- focus: the computation on FOCUS Part II / IIA, box by box ---------------------------------


_PRETRADE_METHODS = {"incremental": "computed incrementally", "full": "full recompute"}

_PRETRADE_LINES = (
    ("haircuts_on_securities_positions", "Total haircuts on securities positions"),
    ("tentative_net_capital", "Net capital before haircuts (tentative net capital)"),
    ("net_capital", "Net capital"),
    ("excess_net_capital", "Excess net capital"),
)
"""The lines of ``pretrade``'s text output, labelled as ``compute`` labels them."""


def _first_only(label: str, width: int) -> list[str]:
    """A label wrapped to half the width (continuation lines indented)."""
    parts = wrap(label, max(30, width // 2) - 2)
    return [parts[0], *("  " + p for p in parts[1:])]


def _pretrade_report(r: dict[str, Any]) -> dict[str, Any]:
    """One ``pretrade`` result with dollars rounded once to the dollar (docs/numeric-policy.md).

    Adds ``haircuts_on_securities_positions`` (tentative net capital less net capital),
    which is what ``compute``'s "Total haircuts on securities positions" line shows;
    ``haircuts`` also counts the deductions taken before tentative net capital.
    """
    out = dict(r)
    tnc = {"before": r["tentative_net_capital"], "after": r["tentative_net_capital_after"]}
    for side in ("before", "after"):
        values = dict(r[side])
        values["tentative_net_capital"] = tnc[side]
        values["haircuts_on_securities_positions"] = tnc[side] - values["net_capital"]
        out[side] = values
    delta = dict(r["delta"])
    for key in ("tentative_net_capital", "haircuts_on_securities_positions"):
        delta[key] = out["after"][key] - out["before"][key]
    out["delta"] = delta
    for side in ("before", "after", "delta"):
        out[side] = {
            k: v if isinstance(v, list) else round_dollars(float(v)) for k, v in out[side].items()
        }
    for key in ("tentative_net_capital", "tentative_net_capital_after", "requirement"):
        out[key] = round_dollars(float(r[key]))
    out["changed_paragraphs"] = [
        {
            "paragraph": c["paragraph"],
            "before": round_dollars(float(c["before"])),
            "after": round_dollars(float(c["after"])),
            "delta": round_dollars(float(c["delta"])),
        }
        for c in r["changed_paragraphs"]
    ]
    return out
