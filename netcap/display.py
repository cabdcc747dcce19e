"""How a result shows itself in a notebook, without depending on the views that draw it.

A result's ``_repr_html_`` calls `to_html`; the views (`netcap.report.notebook`) register one
renderer per result type with ``to_html.register``.  So the results depend on this
module, the views on the results and on this module, and this module on neither: the
views are named once, in `VIEW_MODULES`, and imported the first time a result that has
no renderer yet is shown (with ``import netcap`` lazy, nothing else may have loaded
them).
"""

from __future__ import annotations

from functools import singledispatch
from importlib import import_module

__all__ = ["VIEW_MODULES", "to_html"]

VIEW_MODULES = ("netcap.report.notebook",)
"""Modules that register renderers with `to_html` when imported."""

_loaded: set[str] = set()


def _load_views() -> bool:
    """Import the view modules not imported yet; whether any was."""
    new = [name for name in VIEW_MODULES if name not in _loaded]
    for name in new:
        import_module(name)
        _loaded.add(name)
    return bool(new)


@singledispatch
def to_html(result: object) -> str:
    """``result`` as HTML for a notebook, drawn by the renderer registered for its type."""
    if _load_views():  # the views have just registered their renderers: dispatch again
        return to_html(result)
    raise TypeError(f"no notebook view of a {type(result).__name__}")
