"""Open a dump file whatever it is packed in: gzip, bzip2, xz, a one-file zip, or nothing.

The packing is told by the file's first bytes, not by its name: backups are
often renamed (``site.backup``, ``.sql`` on a gzip file).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
from pathlib import Path
from typing import IO

from ..errors import SourceError

#: What reading a damaged or truncated packed stream raises (the caller turns
#: it into an error with the line it had reached).
DAMAGED_STREAM_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zipfile.BadZipFile, lzma.LZMAError)


def open_dump(path: Path) -> IO[bytes]:
    """Open a possibly compressed dump file as a byte stream of its SQL."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise SourceError(f"cannot open {path}: {exc.strerror}") from None
    magic = raw.read(6)
    raw.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(raw)  # type: ignore[return-value]
    if magic.startswith(b"BZh"):
        return bz2.open(raw)  # type: ignore[return-value]
    if magic.startswith(b"\xfd7zXZ"):
        return lzma.open(raw)  # type: ignore[return-value]
    if magic.startswith(b"PK\x03\x04"):
        return _zip_member(raw, path)
    return raw


def _zip_member(raw: IO[bytes], path: Path) -> IO[bytes]:
    """The one ``.sql`` file of a zip archive (or its one file, whatever its name)."""
    try:
        archive = zipfile.ZipFile(raw)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{path}: damaged zip archive ({exc})") from None
    sql = [m for m in members if m.filename.lower().endswith(".sql")] or members
    if len(sql) != 1:
        raise SourceError(f"{path}: the zip archive must hold exactly one .sql file, it holds {len(sql)}")
    return archive.open(sql[0])
