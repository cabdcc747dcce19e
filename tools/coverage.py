"""Generate the rule-coverage matrix (docs/coverage.md) from the code, tables and tests.

For each paragraph of the rule's outline (``netcap/data/rule_outline.csv``):

* **implemented** -- the paragraph, or one of its sub-paragraphs, is cited by a
  table row or by a string used as data in ``netcap/`` (docstrings do not
  count), and a test mentions it;
* **partial** -- cited, but either no test mentions it or a module declares a
  limitation for it in its ``LIMITATIONS`` mapping (paragraph -> what is missing);
* **not implemented** -- nothing cites it.

Each row also says whether its reading was checked against the rule's text
(``text_checked`` in the outline): ``yes`` and what was read, or ``no`` and what
text is missing and what netcap does meanwhile.  A second matrix lists every row
of every table in ``haircut_tables/`` with its own ``text_checked`` cell.

Run ``python -m tools.coverage`` from a source checkout to print the page;
``tests/test_coverage.py`` fails when docs/coverage.md is out of date.
"""

from __future__ import annotations

import ast
import csv
import importlib
import pkgutil
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "CHECKED_PARTS",
    "HEADINGS",
    "CoverageRow",
    "TableCheck",
    "coverage_rows",
    "render",
    "table_checks",
    "unplaced_citations",
]

# Parts of the rule whose every cited paragraph must sit under a row of the outline.
CHECKED_PARTS = ("15c3-1(a)", "15c3-1(c)(1)", "15c3-1(c)(2)", "15c3-1a", "15c3-1b")
# Citations of a whole part, used where a result sums every paragraph under it; they
# need no row of their own.  Every other citation must be an outline row or lie under one.
HEADINGS = (*CHECKED_PARTS, "15c3-1(a)(6)", "15c3-1(c)(2)(vi)")
# Test files that name paragraphs to check this page, not to test the rule.
_NOT_RULE_TESTS = frozenset({"test_coverage.py", "test_docgen.py"})

NOT_RECORDED = "no: not yet checked against the rule's text"
"""What the page says for a row whose ``text_checked`` cell is blank."""

CITATION = re.compile(r"(?:15c3-1[a-g]?|17a-11)(?:\([A-Za-z0-9]+\))*")


@dataclass(frozen=True)
class CoverageRow:
    """One paragraph of the outline and what covers it."""

    paragraph: str
    title: str
    status: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]
    note: str
    text_checked: str = NOT_RECORDED


@dataclass(frozen=True)
class TableCheck:
    """One row of a haircut table and whether its figure was checked against the text."""

    table: str
    key: str
    citation: str
    text_checked: str


def _outline() -> list[tuple[str, str, str]]:
    text = resources.files("netcap").joinpath("data/rule_outline.csv").read_text("utf-8")
    return [
        (r["paragraph"], r["title"], (r.get("text_checked") or "").strip() or NOT_RECORDED)
        for r in csv.DictReader(text.splitlines())
    ]


def table_checks(root: Path) -> list[TableCheck]:
    """Every row of every table in ``haircut_tables/``, with its ``text_checked`` cell."""
    out = []
    for path in sorted((root / "haircut_tables").glob("*.csv")):
        for row in csv.DictReader(path.read_text("utf-8").splitlines()):
            checked = (row.get("text_checked") or "").strip() or NOT_RECORDED
            out.append(TableCheck(path.stem, row["key"], row.get("citation", ""), checked))
    return out


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _limitation_nodes(tree: ast.Module) -> set[int]:
    """Strings inside a ``LIMITATIONS`` mapping: they name what a module leaves out."""
    out: set[int] = set()
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "LIMITATIONS" for t in targets):
            out |= {id(n) for n in ast.walk(node.value)}
    return out


def _data_strings(path: Path) -> Iterable[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = _docstring_nodes(tree) | _limitation_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.value


def _cited_by(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((root / "netcap").rglob("*.py")):
        if path.name in ("coverage.py", "docgen.py"):  # they cite paragraphs to document them
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for text in _data_strings(path):
            for cite in CITATION.findall(text):
                found[cite].add(module)
    for path in sorted((root / "haircut_tables").glob("*.csv")):
        for row in csv.DictReader(path.read_text("utf-8").splitlines()):
            for cite in CITATION.findall(row.get("citation", "")):
                found[cite].add(f"haircut_tables/{path.name}")
    return found


def _tested_by(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((root / "tests").rglob("test_*.py")):
        if path.name in _NOT_RULE_TESTS:
            continue
        for cite in CITATION.findall(path.read_text("utf-8")):
            found[cite].add(path.name)
    return found


def _limitations() -> dict[str, str]:
    import netcap  # noqa: PLC0415

    notes: dict[str, str] = {}
    for info in pkgutil.walk_packages(netcap.__path__, "netcap."):
        if info.name == "tools.coverage" or info.name.startswith("netcap.__"):
            continue
        module = importlib.import_module(info.name)
        for paragraph, note in getattr(module, "LIMITATIONS", {}).items():
            notes[paragraph] = f"{notes[paragraph]}; {note}" if paragraph in notes else note
    return notes


def _under(paragraph: str, cites: dict[str, set[str]]) -> set[str]:
    hits: set[str] = set()
    for cite, where in cites.items():
        if cite == paragraph or cite.startswith(paragraph + "("):
            hits |= where
    return hits


def _in_part(cite: str, part: str) -> bool:
    """``15c3-1a(b)`` is in ``15c3-1a``; ``15c3-1(a)`` is not in ``15c3-1a``."""
    return cite == part or cite.startswith(part + "(")


def unplaced_citations(root: Path) -> dict[str, set[str]]:
    """Citations in `CHECKED_PARTS` that no outline row holds, with where each is cited.

    A citation is placed when it is an outline paragraph or lies under one, or when it
    is one of `HEADINGS` (``15c3-1(c)(2)(vi)``, cited for the whole list of haircuts).
    Anything else would vanish from the matrix without a trace.
    """
    cited = _cited_by(root)
    for paragraph in _limitations():
        cited.setdefault(paragraph, set()).add("LIMITATIONS")
    outline = [p for p, _, _ in _outline()]
    out: dict[str, set[str]] = {}
    for cite, where in cited.items():
        if not any(_in_part(cite, part) for part in CHECKED_PARTS):
            continue
        if cite in HEADINGS or any(_in_part(cite, p) for p in outline):
            continue
        out[cite] = set(where)
    return out


def coverage_rows(root: Path) -> list[CoverageRow]:
    """The matrix, one row per outline paragraph, for the source checkout at ``root``."""
    cited, tested, limits = _cited_by(root), _tested_by(root), _limitations()
    rows = []
    for paragraph, title, checked in _outline():
        modules = _under(paragraph, cited)
        tests = _under(paragraph, tested)
        note = limits.get(paragraph, "")
        if not modules:
            status = "not implemented"
        elif note or not tests:
            status = "partial"
            if not tests and not note:
                note = "no test mentions this paragraph"
        else:
            status = "implemented"
        rows.append(
            CoverageRow(
                paragraph,
                title,
                status,
                tuple(sorted(modules)),
                tuple(sorted(tests)),
                note,
                checked,
            )
        )
    return rows


def render(rows: list[CoverageRow], tables: list[TableCheck] | None = None) -> str:
    """The matrix as a Markdown page, followed by the table rows' text checks."""
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.status] += 1
    lines = [
        "# Rule coverage",
        "",
        "Generated by `python -m tools.coverage` from the citations the code and the haircut",
        "tables use and the tests that name each paragraph. Do not edit by hand.",
        "",
        f"{counts['implemented']} implemented, {counts['partial']} partial, "
        f"{counts['not implemented']} not implemented.",
        "",
        "| paragraph | subject | status | text checked | where | tests | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        where = "<br>".join(f"`{m}`" for m in r.modules)
        tests = "<br>".join(f"`{t}`" for t in r.tests)
        lines.append(
            f"| {r.paragraph} | {r.title} | {r.status} | {r.text_checked} | {where} | {tests} "
            f"| {r.note} |"
        )
    if tables:
        checked = sum(t.text_checked.startswith("yes") for t in tables)
        lines += [
            "",
            "## Table rows",
            "",
            f"Every row of `haircut_tables/`: {checked} of {len(tables)} checked against the text.",
            "",
            "| table | key | citation | text checked |",
            "|---|---|---|---|",
        ]
        lines += [f"| {t.table} | {t.key} | {t.citation} | {t.text_checked} |" for t in tables]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Print the coverage page for the checkout holding this package."""
    root = Path(__file__).resolve().parent.parent
    sys.stdout.write(render(coverage_rows(root), table_checks(root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
