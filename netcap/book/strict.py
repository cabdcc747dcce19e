"""True/false is not a number, in every format.

pydantic, in its lax mode, reads ``true`` given for a number field as 1 and ``false``
as 0: a JSON ``"net_worth": true`` or a TRUE cell in a workbook's amount column would
pass as one dollar, a FALSE market value as a $0 position.  The CSV reader has always
refused them.  `booleans_in_numbers` walks the input against the model that will read
it and lists every number field that holds a true/false value, so each reader can
refuse them with the field's path before validation.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

__all__ = ["BOOLEAN_NOT_A_NUMBER", "booleans_in_numbers"]

BOOLEAN_NOT_A_NUMBER = "true/false is not a number (give the amount)"

Loc = tuple[int | str, ...]


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    annotation = _strip(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_strip(a) for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_number(annotation: Any) -> bool:
    return annotation in (int, float)


def _walk(annotation: Any, value: Any, loc: Loc) -> Iterator[Loc]:
    members = _members(annotation)
    if isinstance(value, bool):
        if any(_is_number(m) for m in members) and bool not in members:
            yield loc
        return
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if isinstance(value, dict) and len(models) == 1:
        yield from booleans_in_numbers(models[0], value, loc)
        return
    if isinstance(value, list | tuple):
        for m in members:
            if typing.get_origin(m) in (tuple, list):
                args = [a for a in typing.get_args(m) if a is not Ellipsis]
                if len(args) == 1:
                    for i, item in enumerate(value):
                        yield from _walk(args[0], item, (*loc, i))
                return
    if isinstance(value, dict):
        for m in members:
            if typing.get_origin(m) is dict:
                _, item = typing.get_args(m)
                for k, v in value.items():
                    yield from _walk(item, v, (*loc, k))
                return


def booleans_in_numbers(model: type[BaseModel], data: Any, loc: Loc = ()) -> list[Loc]:
    """Location of every number field of ``model`` that ``data`` gives as true/false.

    ``data`` is the raw input (parsed JSON, or the tree a tabular book is read into);
    a location is a tuple of keys and list indexes, as in pydantic's own errors.
    """
    if not isinstance(data, dict):
        return []
    out: list[Loc] = []
    for name, info in model.model_fields.items():
        for key in {name, info.alias} - {None}:
            assert key is not None
            if key in data:
                out.extend(_walk(info.annotation, data[key], (*loc, key)))
    return out
