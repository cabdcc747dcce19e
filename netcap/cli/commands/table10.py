"""``netcap table10``: every strategy spec in a folder, laid out as the SEC's Table 10."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netcap.cli.common import (
    CAVEAT_MARK,
    InputError,
    add_xlsx_option,
    caveats,
    load_strategy,
    pct,
    position_size,
    strategy_errors,
    write_xlsx,
)
from netcap.money import round_percent

if TYPE_CHECKING:
    import pandas as pd

    from netcap.cli.common import Subcommands
    from netcap.dealer.registration import RegistrationAnalysis


def register(sub: Subcommands) -> None:
    """Add ``table10`` to the parser."""
    t = sub.add_parser("table10", help="lay out every strategy spec in a folder as Table 10")
    t.add_argument("folder", help="folder of strategy specs")
    t.add_argument(
        "--P", type=position_size, default=50_000_000.0, help="position size (default $50mm)"
    )
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=run)
    add_xlsx_option(t, "one sheet per strategy with live formulas")


RELEASE_TABLE = "release_table10.csv"
"""File in a Table 9 folder holding the release's published Table 10 columns."""


def _release_table(folder: Path) -> dict[str, dict[str, str]]:
    """The release's published Table 10 rows by strategy number (empty if the folder has none)."""
    import pandas as pd  # noqa: PLC0415 (loaded when run)

    path = folder / RELEASE_TABLE
    if not path.is_file():
        return {}
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    need = ["strategy", "at_50mm_pct", "limit_pct", "note"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing columns {missing}")
    return {
        str(r["strategy"]).strip(): {str(k): str(v) for k, v in r.items()}
        for r in frame[need].to_dict("records")
    }


def _release_pct(text: str, path: Path, strategy: str, field: str) -> int | None:
    """A published percentage, or None where the release prints 'unknown'."""
    text = text.strip()
    if text == "unknown":
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"{path}: strategy {strategy}: field {field}: {text!r} is neither a whole "
            "percentage nor 'unknown'"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Analyse every spec of the folder at ``--P``; print or write them beside the release's."""
    import pandas as pd  # noqa: PLC0415 (loaded when run)

    from netcap.dealer.registration import analyze  # noqa: PLC0415

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of strategy specs")
    specs = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".json" and f.is_file())
    others = [
        f.name for f in sorted(folder.iterdir()) if f not in specs and f.name != RELEASE_TABLE
    ]
    if others:  # every file is read or reported: 'strategy_2.JSON' is a spec, 'a.txt' an error
        raise InputError(
            f"{folder}: {', '.join(repr(o) for o in others)} is neither a strategy spec "
            f"(.json) nor {RELEASE_TABLE}; move it out of the folder"
        )
    if not specs:
        raise InputError(f"{folder}: no strategy spec (*.json) found")
    release = _release_table(folder)
    release_path = folder / RELEASE_TABLE
    rows: list[dict[str, Any]] = []
    analyses = []
    for spec in specs:
        with strategy_errors(str(spec)):
            a = analyze(load_strategy(spec).with_P(args.P))
        analyses.append(a)
        rows.append(
            {
                "key": spec.stem.removeprefix("strategy_").lstrip("0"),
                "strategy": a.strategy.name,
                "haircut_pct_of_P": pct(a.haircut_rate * 100.0),
                "increase_pct_at_P": round_percent(a.at().increase_pct),
                "increase_pct_limit": round_percent(a.increase_pct_limit),
                "warnings": [*a.haircuts.warnings, *caveats(a.haircuts.detail)],
            }
        )
    computed = {r["key"] for r in rows}
    for key in release:
        if key not in computed:  # in the release, but no spec to compute (strategy 10)
            rows.append(
                {
                    "key": key,
                    "strategy": f"Strategy {key}",
                    "haircut_pct_of_P": None,
                    "increase_pct_at_P": None,
                    "increase_pct_limit": None,
                    "warnings": [],
                }
            )
    for r in rows:
        pub = release.get(r["key"])
        for field, column in (
            ("release_pct_at_50mm", "at_50mm_pct"),
            ("release_pct_limit", "limit_pct"),
        ):
            r[field] = (
                None if pub is None else _release_pct(pub[column], release_path, r["key"], column)
            )
        r["note"] = "" if pub is None else str(pub["note"]).strip()
        r["differs_from_release"] = (
            pub is not None
            and r["increase_pct_at_P"] is not None
            and (
                (args.P == 50_000_000.0 and r["increase_pct_at_P"] != r["release_pct_at_50mm"])
                or r["increase_pct_limit"] != r["release_pct_limit"]
            )
        )
    rows.sort(key=lambda r: _strategy_order(str(r["key"])))
    summary = pd.DataFrame(
        [
            {
                "strategy": r["strategy"],
                "haircut_pct_of_P": r["haircut_pct_of_P"],
                f"increase_pct_at_P_{args.P:.0f}": r["increase_pct_at_P"],
                "increase_pct_limit": r["increase_pct_limit"],
                "release_pct_at_50mm": r["release_pct_at_50mm"],
                "release_pct_limit": r["release_pct_limit"],
                "differs_from_release": "yes" if r["differs_from_release"] else "",
                "release_note": r["note"],
            }
            for r in rows
        ]
    )
    write_xlsx(args, lambda path: _export(analyses, path, summary))
    if args.json:
        out = [{k: v for k, v in r.items() if k != "key"} for r in rows]
        print(json.dumps({"P": args.P, "rows": out}, indent=2))
        return 0
    _print_table10(rows, args.P, bool(release))
    return 0


def _export(analyses: list[RegistrationAnalysis], path: Path, summary: pd.DataFrame) -> None:
    from netcap.report import export_strategies  # noqa: PLC0415 (workbook writers when asked)

    export_strategies(analyses, path, summary=summary)


def _strategy_order(key: str) -> tuple[int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 10**9, key)


def _print_table10(rows: list[dict[str, Any]], P: float, with_release: bool) -> None:
    def percent(x: object) -> str:
        return "unknown" if x is None else f"{x:.0f}%"

    width = max(len("strategy"), *(len(str(r["strategy"])) for r in rows))
    head = (
        f"{'strategy':<{width}} {'haircut % of P':>14} {'at P=$' + format(P, ',.0f'):>18} "
        f"{'P -> inf':>9}"
    )
    if with_release:
        head += f" {'release $50mm':>14} {'release inf':>12}"
    print(head)
    for r in rows:
        haircut = "unknown" if r["haircut_pct_of_P"] is None else f"{r['haircut_pct_of_P']:.4g}"
        line = (
            f"{r['strategy']:<{width}} {haircut:>14} "
            f"{percent(r['increase_pct_at_P']):>18} {percent(r['increase_pct_limit']):>9}"
        )
        if with_release:
            line += (
                f" {percent(r['release_pct_at_50mm']):>14} {percent(r['release_pct_limit']):>12}"
            )
        mark = "  * " + r["note"] if r["note"] else ""
        if r["differs_from_release"] and not mark:
            mark = "  * differs from the release"
        print(line + mark)
    by_text: dict[str, list[str]] = {}
    for r in rows:
        for w in r.get("warnings", []):
            # one line per caveat, naming the strategies it applies to (leg ids differ)
            key = w.split(", for ")[0] if CAVEAT_MARK in w else w
            by_text.setdefault(key, []).append(str(r["key"]))
    for text, keys in by_text.items():
        which = "strategy" if len(keys) == 1 else "strategies"
        print(f"warning: {text} ({which} {', '.join(keys)})")
