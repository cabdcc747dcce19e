"""Read a JSON input file (book, strategy spec, dealer facts, trades) defensively.

Every JSON file netcap reads goes through `read_json`, so each one gets the
same treatment: the size limits of `netcap.book.safety`, UTF-8 text only, no
silently merged duplicate keys (``{"positions": [...], "positions": [...]}``
would otherwise keep only the last copy), and a clean `JsonInputError` naming
the file, instead of a `UnicodeDecodeError` or `RecursionError`, when the file
is not text or is nested too deeply for the parser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netcap.book.safety import InputLimits, UnsafeFileError, check_file, text_problem

__all__ = ["JsonInputError", "parse_json", "read_json", "read_json_text"]


class JsonInputError(ValueError):
    """A JSON input could not be read; the message names the file (and key path, if any)."""


class _Duplicated(dict[str, Any]):
    """An object in which at least one key was written more than once."""

    def __init__(self, pairs: list[tuple[str, Any]], repeated: list[str]) -> None:
        super().__init__(pairs)
        self.repeated = repeated


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key, _ in pairs:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return _Duplicated(pairs, repeated) if repeated else dict(pairs)


def _first_bad_text(tree: Any) -> tuple[str, str] | None:
    """(key path, reason) of the first string value netcap does not accept (`text_problem`)."""
    stack: list[tuple[Any, str]] = [(tree, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node)
            if problem is not None:
                return where or "(top level)", problem
            continue
        if isinstance(node, dict):
            items = [(v, f"{where}.{k}" if where else str(k)) for k, v in node.items()]
            for k in node:
                problem = text_problem(k)
                if problem is not None:
                    return f"{where}.{k!r}" if where else repr(k), f"key: {problem}"
        elif isinstance(node, list):
            items = [(v, f"{where}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        stack.extend(reversed(items))
    return None


def _first_duplicate(tree: Any) -> str | None:
    """Key path of the first repeated key, e.g. ``balance_sheet.positions`` or ``[2].id``."""
    stack: list[tuple[Any, str]] = [(tree, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, _Duplicated):
            key = node.repeated[0]
            return f"{where}.{key}" if where else key
        if isinstance(node, dict):
            items = [(v, f"{where}.{k}" if where else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            items = [(v, f"{where}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        stack.extend(reversed(items))
    return None


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text; ``source`` (usually the file name) starts every error message."""
    try:
        tree = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"{source}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise JsonInputError(f"{source}: not valid JSON: nested too deeply") from None
    duplicate = _first_duplicate(tree)
    if duplicate is not None:
        raise JsonInputError(
            f"{source}: key {duplicate} is given more than once (only one copy is allowed)"
        )
    bad_text = _first_bad_text(tree)
    if bad_text is not None:
        raise JsonInputError(f"{source}: field {bad_text[0]}: {bad_text[1]}")
    return tree


def read_json_text(path: str | Path, limits: InputLimits | None = None) -> str:
    """The UTF-8 text of a JSON file, after the size checks of `netcap.book.safety`."""
    p = Path(path)
    try:
        check_file(p, limits or InputLimits())
        return p.read_text(encoding="utf-8")
    except UnsafeFileError as exc:
        raise JsonInputError(str(exc)) from None
    except OSError as exc:
        raise JsonInputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_json(path: str | Path, limits: InputLimits | None = None) -> Any:
    """Read and parse a JSON file, refusing duplicate keys, bad text and runaway nesting."""
    p = Path(path)
    return parse_json(read_json_text(p, limits), str(p))
