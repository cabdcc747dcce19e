"""What changed between two computations of one firm: net capital, requirement, excess.

`diff` computes both books and attributes the change in net capital three ways, each adding
up exactly to it:

1. **Line by line.**  Net capital is the sum of the computation's item lines (equity, its
   deductions, subordinated liabilities, credits, every deduction, every haircut), so the
   change in net capital is the sum of the changes of those lines.  Inside the haircuts the
   lines are split by paragraph (the engine's ``by_paragraph``: every sub-bucket and add-on
   under its own citation), so each haircut paragraph has its own change.  Each line carries
   its FOCUS Part II box.

2. **Step by step (sequential substitution).**  The haircuts are recomputed on a path from
   the first book to the second, one kind of change at a time, everything else held:

   ``removed``   positions in the first book only are taken out;
   ``added``     positions in the second book only are put in (at the first date);
   ``size``      positions in both whose quantity changed take the new quantity at the old
                 price (market value scaled by the quantity ratio; only where both books give
                 a quantity, otherwise the whole change is under ``price``);
   ``price``     positions in both take every field of the second book: market value and
                 any other term (maturity, class, ...);
   ``time``      the date moves to the second book's: maturities shorten, buckets change;
   ``capital``   the capital the (A)(5) election and undue concentration ((M)) are measured
                 against moves to the second book's.

   The path starts at the first book's haircuts and ends at the second's, so the steps
   telescope: they add up exactly to the change in the haircuts.  The split depends on the
   order (netting in (A), the (J) pool and (M) are not additive); the order is fixed as
   above and stated in every output.

3. **Position by position.**  In every state the engine allocates each charge to the
   positions that make it (the detail's ``charge`` and ``add_on_charge``); a position's
   change in a step is the change in its own allocated charge.  Within a netted group the
   allocation is the engine's, which is one choice among several; whatever the positions'
   allocated charges do not explain is reported as a residual line, never folded in.

Amounts are rounded to the dollar once, at output; rounded attributions are apportioned
by largest remainder so that they still add up to the rounded change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netcap.book.firm import Book
from netcap.book.frame import COLUMNS, validate_frame
from netcap.book.loading import LoadedBook, load_book
from netcap.money import round_dollars
from netcap.rule.computation import NetCapitalResult, compute
from netcap.rule.haircuts import compute_haircuts

__all__ = ["STEPS", "BookDiff", "DiffInputError", "diff", "diff_books"]

STEPS: tuple[tuple[str, str], ...] = (
    ("removed", "positions in the first book only, taken out"),
    ("added", "positions in the second book only, put in at the first date"),
    ("size", "positions in both: new quantity at the old price"),
    ("price", "positions in both: new market value and terms"),
    ("time", "the date moves to the second book's (maturities shorten, buckets change)"),
    ("capital", "the capital (A)(5) and undue concentration measure against moves"),
)
"""The order of the sequential substitution, with what each step changes."""


class DiffInputError(ValueError):
    """Two books that cannot be compared (different firms)."""


@dataclass(frozen=True)
class BookDiff:
    """The change between two computations, attributed.

    ``summary``      rows net_capital, requirement, excess; columns before, after, change
    ``attribution``  one row per computation item line or haircut paragraph: kind
                     (``line``/``paragraph``), key, box, label, before, after, change,
                     cause and, for paragraphs, one column per step
    ``steps``        the sequential substitution: step, description, change (to net capital)
    ``positions``    one row per position: id, status, charge before and after, the change
                     to net capital in each step and in all, paragraph and bucket at each date;
                     the last row is the residual (``id`` = ``(residual)``)
    ``boxes``        every FOCUS Part II box at both dates: line, box, label, before, after,
                     change, confirmed (whether the box number was read from the form)
    """

    before: NetCapitalResult
    after: NetCapitalResult
    summary: pd.DataFrame
    attribution: pd.DataFrame
    steps: pd.DataFrame
    positions: pd.DataFrame
    boxes: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; dollar amounts rounded so that each attribution adds up to its change."""
        return _to_dict(self)


def _loaded(book: LoadedBook | Book | str | Path) -> tuple[Book, pd.DataFrame | None, str]:
    if isinstance(book, LoadedBook):
        return book.book, book.positions, "book"
    if isinstance(book, Book):
        return book, None, "book"
    loaded = load_book(book)
    return loaded.book, loaded.positions, str(book)


def diff(
    before: LoadedBook | Book | str | Path,
    after: LoadedBook | Book | str | Path,
) -> BookDiff:
    """Compute ``before`` and ``after`` (two books of one firm) and attribute the change.

    Books of different firms (the firm names differ) are refused with `DiffInputError`;
    the same date twice, or a second book dated before the first, is computed with a
    warning.
    """
    book_a, pos_a, src_a = _loaded(before)
    book_b, pos_b, src_b = _loaded(after)
    if book_a.firm.name != book_b.firm.name:
        raise DiffInputError(
            f"{src_a} is a book of {book_a.firm.name!r} and {src_b} of {book_b.firm.name!r}: "
            "diff compares two dates of one firm"
        )
    warnings: list[str] = []
    if book_a.as_of == book_b.as_of:
        warnings.append(
            f"both books are dated {book_a.as_of.isoformat()}: the change is between two "
            "versions of one date, and the time step is zero"
        )
    elif book_b.as_of < book_a.as_of:
        warnings.append(
            f"the second book ({book_b.as_of.isoformat()}) is dated before the first "
            f"({book_a.as_of.isoformat()}): the change runs backwards in time"
        )
    if book_a.firm != book_b.firm:
        warnings.append("the firm's profile differs between the books (type, start, standard)")
    ra = compute(book_a, positions=pos_a)
    rb = compute(book_b, positions=pos_b)
    return compare(ra, rb, warnings)


diff_books = diff
"""`diff` under the name the package exports (``netcap.report.diff`` is this module)."""


def compare(ra: NetCapitalResult, rb: NetCapitalResult, warnings: Sequence[str] = ()) -> BookDiff:
    """Attribute the change between two computations already made."""
    notes = list(warnings)
    summary = pd.DataFrame(
        {
            "before": [ra.net_capital, ra.requirement.amount, ra.excess_net_capital],
            "after": [rb.net_capital, rb.requirement.amount, rb.excess_net_capital],
        },
        index=pd.Index(["net_capital", "requirement", "excess"], name="measure"),
    )
    summary["change"] = summary["after"] - summary["before"]
    states, step_names = _path(ra, rb, notes)
    steps = pd.DataFrame(
        {
            "step": step_names,
            "description": [
                "; then ".join(dict(STEPS)[p] for p in s.split("+")) for s in step_names
            ],
            "change": [-(states[i + 1].total - states[i].total) for i in range(len(step_names))],
        }
    )
    attribution = _attribution(ra, rb, states, step_names)
    positions = _positions(ra, rb, states, step_names)
    boxes = _boxes(ra, rb)
    return BookDiff(
        before=ra,
        after=rb,
        summary=summary,
        attribution=attribution,
        steps=steps,
        positions=positions,
        boxes=boxes,
        warnings=tuple(notes),
    )


@dataclass(frozen=True)
class _State:
    total: float
    by_position: pd.Series  # id -> allocated charge (charge + add-on)
    by_paragraph: pd.Series  # paragraph -> charge


def _raw(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in COLUMNS if c in frame.columns]].copy()


def _capital(r: NetCapitalResult) -> float:
    """Net capital before any position charge: what compute passes to the haircuts."""
    return r.tentative_net_capital + r.haircuts.pre_tentative


def _state(raw: pd.DataFrame, on: date, capital: float) -> _State:
    frame = validate_frame(raw.reset_index(drop=True), on, source="diff")
    h = compute_haircuts(frame, on, net_capital_before_haircuts=capital)
    d = h.detail
    per = (d["charge"] + d["add_on_charge"]).groupby(d["id"].astype(str), sort=False).sum()
    by_p = h.by_paragraph.set_index("paragraph")["charge"]
    return _State(float(h.total), per, by_p)


def _result_state(r: NetCapitalResult) -> _State:
    d = r.haircuts.detail
    per = (d["charge"] + d["add_on_charge"]).groupby(d["id"].astype(str), sort=False).sum()
    return _State(
        float(r.haircuts.total), per, r.haircuts.by_paragraph.set_index("paragraph")["charge"]
    )


def _path(
    ra: NetCapitalResult, rb: NetCapitalResult, notes: list[str]
) -> tuple[list[_State], list[str]]:
    """The states of the sequential substitution; a step whose state cannot be computed
    alone (say, a hedge that points at a position not yet there) is merged into the next."""
    a = _raw(ra.positions)
    b = _raw(rb.positions)
    a_ids = a["id"].astype(str)
    b_ids = b["id"].astype(str)
    removed = ~a_ids.isin(set(b_ids))
    added = ~b_ids.isin(set(a_ids))
    b_by_id = b.assign(_id=b_ids.to_numpy()).set_index("_id")

    def after_removed() -> pd.DataFrame:
        return a[~removed.to_numpy()]

    def after_added() -> pd.DataFrame:
        return pd.concat([after_removed(), b[added.to_numpy()]], ignore_index=True)

    def after_size() -> pd.DataFrame:
        frame = after_added().copy()
        ids = frame["id"].astype(str)
        common = ids.isin(set(a_ids) & set(b_ids)).to_numpy()
        new_q = ids.map(b_by_id["quantity"]).astype(float).to_numpy()
        old_q = frame["quantity"].astype(float).to_numpy()
        scale = common & np.isfinite(new_q) & np.isfinite(old_q) & (old_q != 0) & (new_q != old_q)
        mv = frame["market_value"].astype(float).to_numpy()
        frame.loc[scale, "market_value"] = mv[scale] * new_q[scale] / old_q[scale]
        frame.loc[scale, "quantity"] = new_q[scale]
        return frame

    def after_price() -> pd.DataFrame:
        keep = after_removed()
        keep_ids = keep["id"].astype(str)
        order = list(keep_ids) + list(b_ids[added.to_numpy()])
        return b_by_id.loc[order].reset_index(drop=True)

    ca = _capital(ra)  # the 'capital' step moves it to the second book's, at the end
    builders: list[tuple[str, Callable[[], _State]]] = [
        ("removed", lambda: _state(after_removed(), ra.as_of, ca)),
        ("added", lambda: _state(after_added(), ra.as_of, ca)),
        ("size", lambda: _state(after_size(), ra.as_of, ca)),
        ("price", lambda: _state(after_price(), ra.as_of, ca)),
        ("time", lambda: _state(after_price(), rb.as_of, ca)),
    ]
    states = [_result_state(ra)]
    names: list[str] = []
    pending: list[str] = []
    for name, build in builders:
        try:
            state = build()
        except (ValueError, KeyError) as exc:
            pending.append(name)
            notes.append(
                f"step '{name}' could not be computed on its own ({exc}); merged into the next"
            )
            continue
        names.append("+".join([*pending, name]))
        pending = []
        states.append(state)
    names.append("+".join([*pending, "capital"]))
    states.append(_result_state(rb))
    return states, names


def _attribution(
    ra: NetCapitalResult, rb: NetCapitalResult, states: list[_State], names: list[str]
) -> pd.DataFrame:
    from netcap.report.focus import focus_report  # noqa: PLC0415 (a view used by the diff)

    boxes: dict[str, str] = {}
    for r in (ra, rb):
        det = focus_report(r, "II").detail
        boxes.update(zip(det["key"].astype(str), det["box"].astype(str), strict=True))
    rows: list[dict[str, Any]] = []
    la = _items(ra)
    lb = _items(rb)
    keys = list(dict.fromkeys([*la.index, *lb.index]))
    for key in keys:
        if key.startswith(("haircut:", "position_deduction:")):
            continue
        before = float(la["amount"].get(key, 0.0))
        after = float(lb["amount"].get(key, 0.0))
        label = str(lb["label"].get(key, la["label"].get(key, key)))
        rows.append(
            {
                "kind": "line",
                "key": key,
                "box": boxes.get(key, ""),
                "label": label,
                "before": before,
                "after": after,
                "change": after - before,
                "cause": _line_cause(key in la.index, key in lb.index, after - before),
            }
        )
    pa = states[0].by_paragraph
    pb = states[-1].by_paragraph
    paragraphs = sorted(set(pa.index) | set(pb.index))
    for p in paragraphs:
        before = float(pa.get(p, 0.0))
        after = float(pb.get(p, 0.0))
        row: dict[str, Any] = {
            "kind": "paragraph",
            "key": str(p),
            "box": "",
            "label": f"haircut or deduction under {p}",
            "before": -before,
            "after": -after,
            "change": -(after - before),
        }
        parts = []
        for i, name in enumerate(names):
            d = -(
                float(states[i + 1].by_paragraph.get(p, 0.0))
                - float(states[i].by_paragraph.get(p, 0.0))
            )
            row[f"step:{name}"] = d
            if abs(d) >= 0.5:
                parts.append(f"{name} {d:+,.0f}")
        row["cause"] = "; ".join(parts) if parts else "unchanged"
        rows.append(row)
    return pd.DataFrame(rows)


def _boxes(ra: NetCapitalResult, rb: NetCapitalResult) -> pd.DataFrame:
    """Every FOCUS Part II box at both dates (a box on one date only counts 0 on the other)."""
    from netcap.report.focus import focus_report  # noqa: PLC0415 (a view used by the diff)

    cols = ["line", "box", "label", "value", "unit", "confirmed"]
    a = focus_report(ra, "II").lines[cols].rename(columns={"value": "before"})
    b = focus_report(rb, "II").lines[cols].rename(columns={"value": "after"})
    out = a.merge(b, on=["line", "box", "label", "unit", "confirmed"], how="outer", sort=False)

    def keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
        return list(zip(frame["line"].astype(str), frame["box"].astype(str), strict=True))

    rank = {key: i for i, key in enumerate(dict.fromkeys([*keys(a), *keys(b)]))}
    out = out.iloc[np.argsort([rank[k] for k in keys(out)], kind="stable")]
    out = out.reset_index(drop=True)
    out["before"] = out["before"].fillna(0.0)
    out["after"] = out["after"].fillna(0.0)
    out["change"] = out["after"] - out["before"]
    return out[["line", "box", "label", "unit", "before", "after", "change", "confirmed"]]


def _items(r: NetCapitalResult) -> pd.DataFrame:
    """The computation's item lines of the capital section: they add up to net capital."""
    lines = r.lines
    mask = (lines["section"] == "capital") & (lines["role"] == "item")
    return lines.loc[mask].set_index("line")[["label", "amount"]]


def _line_cause(was: bool, now: bool, change: float) -> str:
    if not was:
        return "new line"
    if not now:
        return "line gone"
    return "changed" if abs(change) >= 0.005 else "unchanged"


def _positions(
    ra: NetCapitalResult, rb: NetCapitalResult, states: list[_State], names: list[str]
) -> pd.DataFrame:
    da = ra.haircuts.detail.assign(id=ra.haircuts.detail["id"].astype(str)).drop_duplicates("id")
    db = rb.haircuts.detail.assign(id=rb.haircuts.detail["id"].astype(str)).drop_duplicates("id")
    ids = list(dict.fromkeys([*da["id"], *db["id"]]))
    a_set, b_set = set(da["id"]), set(db["id"])
    out = pd.DataFrame({"id": ids})
    out["status"] = [
        "both" if i in a_set and i in b_set else ("removed" if i in a_set else "added") for i in ids
    ]
    out["charge_before"] = states[0].by_position.reindex(ids).fillna(0.0).to_numpy()
    out["charge_after"] = states[-1].by_position.reindex(ids).fillna(0.0).to_numpy()
    for i, name in enumerate(names):
        now = states[i + 1].by_position.reindex(ids).fillna(0.0).to_numpy()
        was = states[i].by_position.reindex(ids).fillna(0.0).to_numpy()
        out[f"step:{name}"] = -(now - was)
    out["change"] = -(out["charge_after"] - out["charge_before"])
    ia = da.set_index("id")
    ib = db.set_index("id")
    out["paragraph_before"] = [str(ia["paragraph"].get(i, "")) for i in ids]
    out["paragraph_after"] = [str(ib["paragraph"].get(i, "")) for i in ids]
    out["bucket_before"] = [str(ia["bucket"].get(i, "")) for i in ids]
    out["bucket_after"] = [str(ib["bucket"].get(i, "")) for i in ids]
    total_change = -(states[-1].total - states[0].total)
    residual: dict[str, Any] = {
        "id": "(residual)",
        "status": "residual: the charges the positions' allocations do not explain",
        "charge_before": states[0].total - float(out["charge_before"].sum()),
        "charge_after": states[-1].total - float(out["charge_after"].sum()),
    }
    for i, name in enumerate(names):
        step_total = -(states[i + 1].total - states[i].total)
        residual[f"step:{name}"] = step_total - float(out[f"step:{name}"].sum())
    residual["change"] = total_change - float(out["change"].sum())
    return pd.concat([out, pd.DataFrame([residual])], ignore_index=True)


def round_to_total(values: Sequence[float], total: float) -> list[int]:
    """Each value to the dollar, apportioned by largest remainder so they add up to ``total``.

    ``total`` is itself rounded to the dollar first.  Used so that a rounded attribution
    adds up exactly to the rounded change it explains.
    """
    target = round_dollars(total)
    floors = [math.floor(v) for v in values]
    rest = [v - f for v, f in zip(values, floors, strict=True)]
    short = target - sum(floors)
    order = sorted(range(len(values)), key=lambda i: rest[i], reverse=True)
    out = list(floors)
    if short >= 0:
        for k in range(short):
            out[order[k % len(order)]] += 1
    else:
        for k in range(-short):
            out[order[-1 - (k % len(order))]] -= 1
    return out


def _box_value(value: float, unit: str) -> float | int | None:
    if not math.isfinite(value):
        return None
    return round_dollars(value) if unit == "$" else round(value, 2)


def _box_change(before: float, after: float, unit: str) -> float | int | None:
    """The change of a box as filed: the difference of the two rounded figures."""
    b, a = _box_value(before, unit), _box_value(after, unit)
    if a is None or b is None:
        return None
    return a - b if unit == "$" else round(a - b, 2)


def _text(value: Any) -> str:
    """A detail cell as text; missing (None or NaN) as the empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _to_dict(d: BookDiff) -> dict[str, Any]:
    ra, rb = d.before, d.after

    def measure(name: str) -> dict[str, int]:
        values = d.summary.to_dict("index")[name]
        before = round_dollars(float(values["before"]))
        after = round_dollars(float(values["after"]))
        return {"before": before, "after": after, "change": after - before}

    nc = measure("net_capital")
    att = d.attribution
    rounded = round_to_total(att["change"].astype(float).tolist(), nc["change"]) if len(att) else []
    attribution = []
    for row, change in zip(att.to_dict("records"), rounded, strict=True):
        entry: dict[str, Any] = {str(row["kind"]): str(row["key"])}
        if row["box"]:
            entry["box"] = str(row["box"])
        entry.update(
            {
                "label": str(row["label"]),
                "before": round_dollars(float(row["before"])),
                "after": round_dollars(float(row["after"])),
                "change": change,
                "cause": str(row["cause"]),
            }
        )
        attribution.append(entry)
    haircut_change = -(
        round_dollars(float(rb.haircuts.total)) - round_dollars(float(ra.haircuts.total))
    )
    steps_rounded = round_to_total(d.steps["change"].astype(float).tolist(), haircut_change)
    pos = d.positions
    step_cols = [c for c in pos.columns if str(c).startswith("step:")]
    pos_rounded = round_to_total(pos["change"].astype(float).tolist(), haircut_change)
    positions = []
    for row, change in zip(pos.to_dict("records"), pos_rounded, strict=True):
        unchanged = all(abs(float(row[c])) < 0.5 for c in ["change", *step_cols])
        if row["id"] != "(residual)" and row["status"] == "both" and unchanged:
            continue  # unchanged positions are left out of the JSON (kept in the frame)
        positions.append(
            {
                "id": str(row["id"]),
                "status": str(row["status"]),
                "charge_before": round_dollars(float(row["charge_before"])),
                "charge_after": round_dollars(float(row["charge_after"])),
                "change": change,
                "by_step": {
                    c.removeprefix("step:"): round_dollars(float(row[c])) for c in step_cols
                },
                "paragraph_before": _text(row.get("paragraph_before")),
                "paragraph_after": _text(row.get("paragraph_after")),
                "bucket_before": _text(row.get("bucket_before")),
                "bucket_after": _text(row.get("bucket_after")),
            }
        )
    return {
        "firm": rb.firm.name,
        "before_as_of": ra.as_of.isoformat(),
        "after_as_of": rb.as_of.isoformat(),
        "net_capital": nc,
        "requirement": measure("requirement"),
        "excess": measure("excess"),
        "requirement_basis": {"before": ra.requirement.basis, "after": rb.requirement.basis},
        "attribution": attribution,
        "haircut_change": haircut_change,
        "haircut_steps": [
            {"step": str(s), "description": str(desc), "change": c}
            for s, desc, c in zip(
                d.steps["step"], d.steps["description"], steps_rounded, strict=True
            )
        ],
        "focus_boxes": [
            {
                "line": str(r["line"]),
                "box": str(r["box"]),
                "label": str(r["label"]),
                "before": _box_value(float(r["before"]), str(r["unit"])),
                "after": _box_value(float(r["after"]), str(r["unit"])),
                "change": _box_change(float(r["before"]), float(r["after"]), str(r["unit"])),
                "confirmed": bool(r["confirmed"]),
            }
            for r in d.boxes.to_dict("records")
        ],
        "positions": positions,
        "positions_unchanged": len(pos) - 1 - (len(positions) - 1),
        "method": (
            "lines: the change of every item line of the computation, haircuts by paragraph; "
            "steps: sequential substitution in the order "
            + ", ".join(s for s, _ in STEPS)
            + "; positions: the change in each position's charge as the engine allocates it, "
            "with the unexplained rest as the residual row"
        ),
        "warnings": list(d.warnings),
    }
