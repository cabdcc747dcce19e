"""The book: what a firm holds and owes, read from a file and checked.

``model`` (one position), ``firm`` (the balance sheet and every book item),
``frame`` (positions as columns, validated), the readers (``readers`` for a CSV
folder or a workbook, ``book_json`` for JSON, ``sheets`` for one sheet, with
``strict`` and ``safety`` guarding each cell and file), ``currency`` (amounts in
other currencies), ``maturity`` (time to maturity as the schedules count it),
``template`` (an empty book to fill in) and ``loading`` (`load_book`).

Nothing here computes a charge; `netcap.rule` does.
"""
