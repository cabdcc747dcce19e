"""Where netcap writes: one rule for every file or folder a command produces.

Every command that writes (``--xlsx``, ``--csv``, ``--plot``, ``template``, ...) goes
through `write_output`, so each one gets the same protection:

* an output never replaces one of the command's inputs: the paths are compared once
  resolved (``./book.xlsx`` and ``book.xlsx`` are the same file, so is a symbolic
  link to it), and an output inside an input folder, or a folder output that holds an
  input, is refused too;
* an existing file or folder is not overwritten unless the user says ``--force``
  (an existing empty folder may be written into);
* a path that cannot be written (no such folder, no permission, a file where a
  folder is needed) is a clean `OutputPathError` naming the path, not a traceback;
* what was written is said on standard error (``wrote PATH``), so standard output
  keeps only the report.

Use it from a new command as::

    write_output(args.xlsx, lambda p: export(result, p), inputs=[args.book],
                 force=args.force, what="--xlsx", suffixes=(".xlsx",))
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["OutputPathError", "check_output", "write_output"]


class OutputPathError(ValueError):
    """An output path was refused or could not be written; the message names it."""


def _resolved(path: Path) -> Path:
    return path.expanduser().resolve(strict=False)


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_output(
    target: str | Path,
    *,
    inputs: Iterable[str | Path | None] = (),
    force: bool = False,
    what: str = "output",
    suffixes: tuple[str, ...] = (),
    folder: bool = False,
) -> Path:
    """The path to write ``what`` to, once it is known not to destroy anything.

    ``inputs`` are the command's input files and folders (``None`` entries are
    skipped); ``suffixes`` the accepted file suffixes (lower case; empty: any);
    ``folder`` says the output is a folder of files (``template DIR``).
    Raises `OutputPathError` with a message naming the path.
    """
    path = Path(target)
    if not str(target).strip():
        raise OutputPathError(f"{what}: an empty path")
    if suffixes and not folder and path.suffix.lower() not in suffixes:
        raise OutputPathError(f"{path}: {what} needs a file name ending in {' or '.join(suffixes)}")
    out = _resolved(path)
    for given in inputs:
        if given is None:
            continue
        source = _resolved(Path(given))
        if _within(out, source) or (folder and _within(source, out)):
            raise OutputPathError(
                f"{path}: {what} would write over the input {given}; choose another path"
            )
    if path.is_dir() and not folder:
        raise OutputPathError(f"{path}: {what} names a folder; give a file name")
    if path.exists() and not force:
        if folder and path.is_dir() and not any(path.iterdir()):
            return path
        kind = "folder" if path.is_dir() else "file"
        raise OutputPathError(
            f"{path}: {what}: the {kind} already exists; not overwritten (use --force)"
        )
    if folder and path.exists() and not path.is_dir():
        raise OutputPathError(f"{path}: {what} needs a folder, and a file has this name")
    parent = path.parent
    if not parent.exists():
        raise OutputPathError(f"{path}: {what}: cannot write: the folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputPathError(f"{path}: {what}: cannot write: {parent} is not a folder")
    return path


def write_output(
    target: str | Path,
    write: Callable[[Path], object],
    *,
    inputs: Iterable[str | Path | None] = (),
    force: bool = False,
    what: str = "output",
    suffixes: tuple[str, ...] = (),
    folder: bool = False,
) -> Path:
    """Check ``target`` with `check_output`, call ``write(path)``, and say what was written.

    An operating-system error while writing (permission, disk full, a read-only
    folder) becomes an `OutputPathError` naming the path.
    """
    path = check_output(
        target, inputs=inputs, force=force, what=what, suffixes=suffixes, folder=folder
    )
    try:
        write(path)
    except OSError as exc:
        raise OutputPathError(f"{path}: {what}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote {path}", file=sys.stderr)
    return path
