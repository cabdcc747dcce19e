"""Write an empty book in the layout `netcap.book.readers.load_book` reads, documented in itself.

``netcap template book.xlsx`` writes a workbook a controller can fill without the docs:

``readme``     how to fill the book (ignored on import)
``firm``       one row per field: ``field``, ``value`` (to fill), ``description``,
               ``required``, ``unit``, ``paragraph``
``positions``  and one sheet per list of the book: the column headers in row 1, each
               with a comment giving its description, unit, paragraph and whether it
               is required; required columns are shaded
``fields``     every field and column of every sheet in one table (ignored on import)
``examples``   one filled row for each sheet, the firm's fields included (ignored on
               import: copy a row to its sheet to use it)
``lists``      hidden: the values of every enumerated field, behind the drop-down
               lists of the ``value`` cells and the columns (ignored on import)

Every enumerated field (an enum or literal of the models, and true/false) gets a
drop-down list.  The sheets, fields, kinds, lists and required marks are read from the
pydantic models the reader validates against, so a field added to a model appears in
the template with it; descriptions, units and paragraphs come from the field's own
description or ``netcap/data/book_fields.csv``.

``netcap template folder/`` writes the same sheets as CSV files (``firm.csv`` with its
description columns, and ``fields.csv``); a CSV has no drop-downs or comments.
"""

from __future__ import annotations

import csv
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from netcap.book.firm import Book
from netcap.book.frame import COLUMNS
from netcap.book.model import Position
from netcap.book.readers import DOC_SHEETS, FIRM_DOC_COLUMNS, list_sheets, scalar_fields

__all__ = ["EXAMPLES", "FieldNote", "field_notes", "template_sheets", "write_template"]

MAX_ROWS = 5000
"""Rows of each list sheet that carry the drop-down lists."""
REQUIRED = "yes"
NO_PARAGRAPH = "none (not a rule input)"
"""The paragraph of an identifier, a free-text note or a name: no paragraph reads it."""


@dataclass(frozen=True)
class FieldNote:
    """What a field or column is, for the person filling it in."""

    sheet: str
    field: str
    kind: str
    required: str
    """``yes``; ``if <group> is given`` for a required field of an optional group; or blank."""
    unit: str
    paragraph: str
    description: str
    choices: tuple[str, ...] = ()
    """The values a drop-down offers (enumerated fields only)."""

    def comment(self) -> str:
        """The text of the cell comment on a header or field name."""
        parts = [self.description or self.field]
        if self.required:
            parts.append(f"Required: {self.required}.")
        if self.unit:
            parts.append(f"Unit: {self.unit}.")
        if self.paragraph:
            parts.append(f"Paragraph: {self.paragraph}.")
        if self.choices:
            parts.append("One of: " + ", ".join(self.choices) + ".")
        return "\n".join(parts)


# --- metadata from the models --------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(annotation without ``None`` and ``Annotated``, whether ``None`` was allowed)."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) == 1:
            annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation, optional


def _choices(annotation: Any) -> tuple[str, ...]:
    inner, _ = _unwrap(annotation)
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return tuple(str(m.value) for m in inner)
    if typing.get_origin(inner) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(inner))
    if inner is bool:
        return ("TRUE", "FALSE")
    return ()


def _kind(annotation: Any) -> str:
    inner, _ = _unwrap(annotation)
    if _choices(annotation) and inner is not bool:
        return "one of a list"
    if inner is date:
        return "date"
    if inner is bool:
        return "true / false"
    if inner in (int, float):
        return "number"
    if inner is str:
        return "text"
    if typing.get_origin(inner) in (list, tuple) or (
        isinstance(inner, type) and issubclass(inner, BaseModel)
    ):
        return "JSON"
    return "value"


_DEFAULT_UNIT = {
    "date": "date (YYYY-MM-DD)",
    "true / false": "TRUE/FALSE",
    "one of a list": "one of the drop-down list",
    "text": "text",
    "JSON": "JSON text",
}


@cache
def _csv_notes() -> dict[tuple[str, str], dict[str, str]]:
    """(sheet, field) -> unit, paragraph, description from ``netcap/data/book_fields.csv``."""
    text = resources.files("netcap").joinpath("data", "book_fields.csv").read_text("utf-8")
    return {(r["sheet"], r["field"]): r for r in csv.DictReader(text.splitlines())}


def _note(sheet: str, name: str, info: FieldInfo, required: str) -> FieldNote:
    row = _csv_notes().get((sheet, name), {})
    kind = _kind(info.annotation)
    return FieldNote(
        sheet=sheet,
        field=name,
        kind=kind,
        required=required,
        unit=row.get("unit") or _DEFAULT_UNIT.get(kind, ""),
        paragraph=row.get("paragraph") or NO_PARAGRAPH,
        description=info.description or row.get("description", ""),
        choices=_choices(info.annotation),
    )


def _firm_info(dotted: str) -> tuple[FieldInfo, str]:
    """The field at a dotted path of `Book`, and its required mark."""
    model: type[BaseModel] = Book
    optional_group = ""
    *parents, leaf = dotted.split(".")
    walked: list[str] = []
    for name in parents:
        info = model.model_fields[name]
        walked.append(name)
        if not info.is_required() and not optional_group:
            optional_group = ".".join(walked)
        inner, _ = _unwrap(info.annotation)
        model = inner
    info = model.model_fields[leaf]
    if not info.is_required():
        return info, ""
    return info, f"if {optional_group} is given" if optional_group else REQUIRED


def field_notes() -> dict[str, list[FieldNote]]:
    """Sheet -> a note for each field (``firm``) or column, in template order."""
    notes: dict[str, list[FieldNote]] = {"firm": []}
    for dotted, _ in scalar_fields(Book):
        info, required = _firm_info(dotted)
        notes["firm"].append(_note("firm", dotted, info, required))
    notes["positions"] = [
        _note(
            "positions",
            c,
            Position.model_fields[c],
            REQUIRED if Position.model_fields[c].is_required() else "",
        )
        for c in COLUMNS
    ]
    for sheet, (_, item) in list_sheets().items():
        notes[sheet] = [
            _note(sheet, name, info, REQUIRED if info.is_required() else "")
            for name, info in item.model_fields.items()
        ]
    return notes


# --- examples ------------------------------------------------------------------------------------

EXAMPLES: Mapping[str, Sequence[Mapping[str, object]]] = {
    "firm": [
        {
            "as_of": "2024-06-28",
            "firm.name": "Example Securities LLC",
            "firm.firm_type": "dealer",
            "firm.months_in_business": 36,
            "balance_sheet.net_worth": 5_000_000,
        }
    ],
    "positions": [
        {
            "id": "G1",
            "security_class": "government",
            "instrument": "cash",
            "side": "long",
            "market_value": 1_000_000,
            "maturity": "2030-01-15",
        },
        {
            "id": "E1",
            "security_class": "equity",
            "instrument": "cash",
            "side": "long",
            "market_value": 250_000,
            "issuer": "Acme Corp",
        },
    ],
    "non_allowable_assets": [
        {"id": "FA1", "kind": "fixed_assets", "amount": 120_000, "description": "office furniture"}
    ],
    "capital_contributions": [
        {
            "id": "CC1",
            "amount": 500_000,
            "contributed_on": "2024-03-01",
            "withdrawable_at_investor_option": "FALSE",
            "intended_withdrawal_within_one_year": "FALSE",
        }
    ],
    "undermargined_accounts": [
        {"id": "U1", "cash_required": 20_000, "call_amount": 5_000, "call_business_days": 3}
    ],
    "other_deductions": [
        {
            "label": "Excess fidelity bond deductible",
            "amount": 10_000,
            "citation": "15c3-1(c)(2)(xiv)",
        }
    ],
    "liabilities": [
        {"id": "L1", "amount": 300_000, "kind": "money_borrowed", "description": "bank loan"}
    ],
    "ai_additions": [{"id": "A1", "kind": "drafts_for_immediate_credit", "amount": 10_000}],
    "market_making_securities": [
        {"security_id": "XYZ", "market_value": 12.5, "average_markets": 0.9}
    ],
    "market_maker_accounts": [
        {
            "id": "MM1",
            "role": "own",
            "positions": '[{"id": "M1", "security_class": "equity", "side": "long", '
            '"market_value": 40000}]',
            "transacts_only_with_brokers_dealers": "FALSE",
            "carries_customer_accounts": "FALSE",
            "transacts_unlisted_options": "FALSE",
            "cleared_by_another_broker_dealer": "TRUE",
        }
    ],
    "reverse_repos": [
        {
            "id": "R1",
            "counterparty": "Bank A",
            "collateral": "treasury",
            "market_value": 1_000_000,
            "contract_price": 980_000,
        }
    ],
    "repurchase_agreements": [
        {
            "id": "P1",
            "counterparty": "Bank B",
            "collateral": "treasury",
            "market_value": 1_020_000,
            "contract_price": 1_000_000,
        }
    ],
    "commitments": [
        {
            "id": "OC1",
            "position": "E1",
            "contract_value": 250_000,
            "exchange_listed": True,
            "description": "firm commitment to buy the E1 shares",
        }
    ],
    "secured_demand_notes": [
        {
            "id": "SDN1",
            "unpaid_principal": 300_000,
            "cash_collateral": 300_000,
            "description": "note secured by cash",
        }
    ],
    "currency_rates": [
        {"currency": "EUR", "usd_per_unit": 1.08, "source": "reference rate of 2024-06-28"}
    ],
    "fails": [
        {
            "id": "F1",
            "security_class": "equity",
            "side": "fail_to_deliver",
            "settlement_date": "2024-06-20",
            "contract_value": 50_000,
            "market_value": 48_000,
            "haircut_rate": 0.15,
        }
    ],
    "securities_differences": [
        {"id": "D1", "kind": "short", "discovery_date": "2024-06-10", "market_value": 15_000}
    ],
    "receivables": [
        {
            "id": "RC1",
            "kind": "commissions_receivable",
            "amount": 18_000,
            "aged_from": "2024-05-01",
        }
    ],
}
"""One filled row for each sheet (the firm's fields as field -> value), valid together as a
book.  A sheet added to the models without an entry here gets a row from its notes."""


def _generated_example(notes: Sequence[FieldNote]) -> dict[str, object]:
    """A row for a sheet with no written example: its required fields, by kind."""
    row: dict[str, object] = {}
    for n in notes:
        if not n.required:
            continue
        if n.choices:
            row[n.field] = n.choices[0]
        elif n.kind == "date":
            row[n.field] = "2024-06-28"
        elif n.kind == "number":
            row[n.field] = 1000
        else:
            row[n.field] = f"{n.field}1"
    return row


def example_rows() -> dict[str, list[dict[str, object]]]:
    """Sheet -> example rows (written ones, or generated for a sheet without any)."""
    out: dict[str, list[dict[str, object]]] = {}
    for sheet, notes in field_notes().items():
        given = EXAMPLES.get(sheet)
        out[sheet] = [dict(r) for r in given] if given else [_generated_example(notes)]
    return out


# --- the sheets ----------------------------------------------------------------------------------


def template_sheets() -> dict[str, list[list[str]]]:
    """Sheet name -> rows (header first) of an empty book (the sheets the reader reads)."""
    notes = field_notes()
    firm = [["field", "value", *FIRM_DOC_COLUMNS]]
    firm += [[n.field, "", n.description, n.required, n.unit, n.paragraph] for n in notes["firm"]]
    sheets: dict[str, list[list[str]]] = {"firm": firm}
    for sheet, sheet_notes in notes.items():
        if sheet != "firm":
            sheets[sheet] = [[n.field for n in sheet_notes]]
    return sheets


FIELDS_HEADER = (
    "sheet",
    "field",
    "required",
    "kind",
    "unit",
    "paragraph",
    "description",
    "choices",
)


def _fields_rows() -> list[list[str]]:
    rows = [list(FIELDS_HEADER)]
    for sheet, notes in field_notes().items():
        for n in notes:
            rows.append(
                [
                    sheet,
                    n.field,
                    n.required,
                    n.kind,
                    n.unit,
                    n.paragraph,
                    n.description,
                    ", ".join(n.choices),
                ]
            )
    return rows


README = (
    "netcap book template",
    "",
    "Fill the 'firm' sheet's value column and one row per item on the other sheets, then run:",
    "    netcap compute book.xlsx",
    "",
    "Required fields and columns are shaded yellow and say 'yes' under 'required' (a field "
    "'required if <group> is given' is needed only once you fill any field of that group).",
    "Hover over a column header or a field name for its description, unit and paragraph; "
    "the 'fields' sheet lists them all in one table.",
    "Enumerated fields have drop-down lists. Dates are YYYY-MM-DD. Amounts are in dollars; "
    "market_value is the absolute value and side gives the sign.",
    "Leave a cell blank to take the default.",
    "",
    "currency: a positions, non_allowable_assets or liabilities row in another currency gives "
    "its ISO 4217 code in a currency column (add it to positions), and the currency_rates "
    "sheet gives usd_per_unit for each code.",
    "reverse_repos, repurchase_agreements, secured_demand_notes: netcap computes the "
    "(c)(2)(iv)(F) and Appendix D deductions from these rows; do not also type them in as "
    "repo_deficits or sdn_collateral_deficiency non-allowable assets.",
    "",
    "The 'examples' sheet shows one filled row for each sheet. It is NOT read: copy a row to "
    "its own sheet to use it.",
    "Sheets ignored on import: " + ", ".join(sorted(DOC_SHEETS)) + ". Any other sheet the reader "
    "does not know is an error, so nothing in the file is silently left out.",
)


def write_template(path: Path | str) -> None:
    """Write an empty book to ``path`` (.xlsx) or to a folder of CSV files."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path)
        return
    path.mkdir(parents=True, exist_ok=True)
    sheets = {**template_sheets(), "fields": _fields_rows()}
    for name, rows in sheets.items():
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)


def _write_xlsx(path: Path) -> None:
    import xlsxwriter  # noqa: PLC0415 - only when a template is written
    import xlsxwriter.utility  # noqa: PLC0415

    notes = field_notes()
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    header = wb.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
    required = wb.add_format({"bold": True, "bg_color": "#FFF2A8", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    title = wb.add_format({"bold": True, "font_size": 13})
    bold = wb.add_format({"bold": True})
    try:
        readme = wb.add_worksheet("readme")
        readme.set_column(0, 0, 100)
        for r, line in enumerate(README):
            readme.write_string(r, 0, line, title if r == 0 else wrap)
        # the lists behind the drop-downs (hidden sheet, written last): one column each
        choices = [(sheet, n) for sheet, ns in notes.items() for n in ns if n.choices]
        sources: dict[tuple[str, str], str] = {}
        for col, (sheet, n) in enumerate(choices):
            letter = xlsxwriter.utility.xl_col_to_name(col)
            sources[(sheet, n.field)] = f"=lists!${letter}$2:${letter}${len(n.choices) + 1}"

        def validate(ws: Any, first: int, last: int, column: int, n: FieldNote) -> None:
            source = sources.get((n.sheet, n.field))
            if source is None:
                return
            ws.data_validation(
                first,
                column,
                last,
                column,
                {
                    "validate": "list",
                    "source": source,
                    "error_title": n.field[:32],
                    "error_message": "Pick one of the list: " + ", ".join(n.choices)[:200],
                },
            )

        firm = wb.add_worksheet("firm")
        firm_rows = template_sheets()["firm"]
        for c, text in enumerate(firm_rows[0]):
            firm.write_string(0, c, text, header)
        for r, n in enumerate(notes["firm"], start=1):
            firm.write_string(r, 0, n.field, required if n.required == REQUIRED else None)
            firm.write_comment(r, 0, n.comment(), {"x_scale": 2.5, "y_scale": 2})
            for c, text in enumerate(firm_rows[r][2:], start=2):
                if text:
                    firm.write_string(r, c, text)
            if n.required == REQUIRED:
                firm.write_blank(r, 1, None, required)
            validate(firm, r, r, 1, n)
        for c, width in enumerate((48, 22, 80, 36, 22, 26)):
            firm.set_column(c, c, width)
        firm.freeze_panes(1, 2)

        for sheet, sheet_notes in notes.items():
            if sheet == "firm":
                continue
            ws = wb.add_worksheet(sheet)
            for c, n in enumerate(sheet_notes):
                ws.write_string(0, c, n.field, required if n.required == REQUIRED else header)
                ws.write_comment(0, c, n.comment(), {"x_scale": 2.5, "y_scale": 2})
                ws.set_column(c, c, max(12, min(len(n.field) + 4, 40)))
                validate(ws, 1, MAX_ROWS, c, n)
            ws.freeze_panes(1, 0)

        fields = wb.add_worksheet("fields")
        for r, row in enumerate(_fields_rows()):
            for c, text in enumerate(row):
                fields.write_string(r, c, text, header if r == 0 else wrap)
        for c, width in enumerate((24, 40, 20, 14, 20, 26, 80, 60)):
            fields.set_column(c, c, width)
        fields.freeze_panes(1, 2)
        fields.autofilter(0, 0, len(_fields_rows()) - 1, len(FIELDS_HEADER) - 1)

        _write_examples(wb.add_worksheet("examples"), notes, header, bold, title)

        lists = wb.add_worksheet("lists")
        for col, (sheet, n) in enumerate(choices):
            lists.write_string(0, col, f"{sheet}.{n.field}")
            for i, choice in enumerate(n.choices, start=1):
                lists.write_string(i, col, choice)
        lists.hide()
        for ws in wb.worksheets():
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
    finally:
        wb.close()


def _write_examples(
    ws: Any, notes: dict[str, list[FieldNote]], header: Any, bold: Any, title: Any
) -> None:
    """One block per sheet: its name, its header row, its example rows (not read on import)."""
    ws.write_string(
        0,
        0,
        "Examples: one filled row for each sheet. This sheet is not read; copy a row to its sheet.",
        title,
    )
    examples = example_rows()
    r = 2
    firm = examples["firm"][0]
    ws.write_string(r, 0, "sheet firm", bold)
    ws.write_string(r + 1, 0, "field", header)
    ws.write_string(r + 1, 1, "value", header)
    r += 2
    for name, value in firm.items():
        ws.write_string(r, 0, name)
        _write_value(ws, r, 1, value)
        r += 1
    for sheet, sheet_notes in notes.items():
        if sheet == "firm":
            continue
        r += 1
        ws.write_string(r, 0, f"sheet {sheet}", bold)
        r += 1
        for c, n in enumerate(sheet_notes):
            ws.write_string(r, c, n.field, header)
        for row in examples[sheet]:
            r += 1
            for c, n in enumerate(sheet_notes):
                if n.field in row:
                    _write_value(ws, r, c, row[n.field])
        r += 1
    ws.set_column(0, 0, 40)
    ws.set_column(1, 40, 16)


def _write_value(ws: Any, r: int, c: int, value: object) -> None:
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))
