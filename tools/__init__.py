"""Generators of the documentation (not installed with netcap).

``python -m tools.docgen`` writes the rule pages, the CLI reference and the book
format; ``python -m tools.coverage > docs/coverage.md`` writes the coverage page.
"""
