"""Guards for reading untrusted files.

A book arrives from outside: a spreadsheet mailed by a desk, a CSV dropped by a
batch job.  Before parsing, netcap checks its size and, for an .xlsx (a zip
archive of XML parts), the total uncompressed size and compression ratio of
its parts, so a "zip bomb" is refused before it is inflated.  XML entity
expansion is handled by defusedxml, which openpyxl uses whenever it is
installed; `require_defusedxml` makes that a hard requirement.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_TEXT",
    "InputLimits",
    "UnsafeFileError",
    "check_file",
    "require_defusedxml",
    "text_problem",
]


class UnsafeFileError(ValueError):
    """A file was refused before parsing: too large, not what it claims, or hostile."""


@dataclass(frozen=True)
class InputLimits:
    """Bounds on what a reader accepts (defaults suit books of a few million rows)."""

    max_file_bytes: int = 512 * 1024 * 1024
    max_unzipped_bytes: int = 2 * 1024 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_rows: int = 5_000_000


def require_defusedxml() -> None:
    """Refuse to parse .xlsx unless openpyxl is protected by defusedxml."""
    try:
        import defusedxml  # noqa: F401, PLC0415
        from openpyxl.xml import DEFUSEDXML  # noqa: PLC0415
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        raise UnsafeFileError("defusedxml is required to read .xlsx files safely") from None
    if not DEFUSEDXML:  # pragma: no cover - only if OPENPYXL_DEFUSEDXML=False
        raise UnsafeFileError("openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML is off)")


def check_file(path: Path, limits: InputLimits) -> None:
    """Size checks before parsing; for .xlsx also the zip archive's inflated size."""
    if not path.is_file():
        raise UnsafeFileError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise UnsafeFileError(f"{path}: file is empty")
    if size > limits.max_file_bytes:
        raise UnsafeFileError(
            f"{path}: {size:,} bytes exceeds the limit of {limits.max_file_bytes:,}"
        )
    if path.suffix.lower() != ".xlsx":
        return
    require_defusedxml()
    if not zipfile.is_zipfile(path):
        raise UnsafeFileError(f"{path}: not an .xlsx workbook (not a zip archive)")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        inflated = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
    if inflated > limits.max_unzipped_bytes:
        raise UnsafeFileError(
            f"{path}: inflates to {inflated:,} bytes, over the limit of "
            f"{limits.max_unzipped_bytes:,}"
        )
    if inflated / packed > limits.max_compression_ratio:
        raise UnsafeFileError(
            f"{path}: compression ratio {inflated / packed:,.0f} suggests a zip bomb"
        )


MAX_TEXT = 32_767
"""Most characters netcap accepts in one text value: the most a workbook cell holds, so any
text netcap reads can be written back to a workbook unchanged."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters a workbook (XML 1.0) cannot store; tab, line feed and carriage return
are text."""


def text_problem(text: str) -> str | None:
    """Why ``text`` is not accepted as a text value, or None.

    netcap accepts any Unicode text except the control characters a workbook cannot store
    (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F) and text longer than `MAX_TEXT`
    characters, so everything it reads can be written to its reports unchanged.
    """
    bad = _CONTROL.search(text)
    if bad is not None:
        return (
            f"control character U+{ord(bad.group()):04X} at character {bad.start() + 1} "
            "(not allowed in text)"
        )
    if len(text) > MAX_TEXT:
        return f"{len(text):,} characters, over the {MAX_TEXT:,} a text value may have"
    return None
