"""Guards for reading untrusted files.

A book arrives from outside: a spreadsheet mailed by a desk, a CSV dropped by a
batch job.  Before parsing, netcap checks its size and, for an .xlsx (a zip
archive of XML parts), the total uncompressed size and compression ratio of
its parts, so a "zip bomb" is refused before it is inflated.  XML entity
expansion is handled by defusedxml, which openpyxl uses whenever it is
installed; `require_defusedxml` makes that a hard requirement.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InputLimits", "UnsafeFileError", "check_file", "require_defusedxml"]


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
