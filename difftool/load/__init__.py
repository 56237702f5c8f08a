"""Load a file into a :class:`~difftool.models.Document`: read bytes, pick the reader by
content, decode, repair mojibake. This package does all of docdiff's document I/O, and
only ever reads."""

from __future__ import annotations

import os
from pathlib import Path

from difftool.errors import LoadError, UnsupportedFormat
from difftool.load import mojibake
from difftool.load.encoding import decode
from difftool.models import Document

__all__ = ["decode", "load", "load_text", "sniff"]

#: Magic bytes of formats that are not plain text: (prefix, description).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "zip archive (Word .docx, OFD or other)"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document (.doc)"),
    (b"{\\rtf", "RTF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x7fELF", "executable"),
    (b"\x1f\x8b", "gzip archive"),
)


def sniff(data: bytes) -> str | None:
    """Name the non-text format the bytes start with, or None for (probably) text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def _read_bytes(path: str) -> bytes:
    p = Path(path)
    try:
        if p.is_dir():
            raise LoadError(f"{path}: is a directory")
        with p.open("rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except PermissionError:
        raise LoadError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise LoadError(f"{path}: is a directory") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror or exc})") from None


def load_text(data: bytes, path: str = "<bytes>") -> Document:
    """Decode the bytes of a text file and repair mojibake in it."""
    if not data:
        return Document(path=path, text="", encoding="utf-8", notes=("empty file",), size=0)
    try:
        text, encoding = decode(data)
    except LoadError as exc:
        raise LoadError(f"{path}: {exc}") from None
    notes: list[str] = []
    if not encoding.startswith("utf-8"):
        notes.append(f"decoded as {encoding}")
    fixed = mojibake.repair(text)
    if fixed.runs_repaired:
        notes.append(
            f"repaired {fixed.runs_repaired} mojibake runs ({fixed.chars_repaired} characters)"
        )
    if fixed.chars_unrepaired:
        notes.append(f"{fixed.chars_unrepaired} garbled characters could not be repaired")
    return Document(
        path=path,
        text=fixed.text,
        encoding=encoding,
        notes=tuple(notes),
        size=len(data),
        mojibake_repaired=fixed.chars_repaired,
        mojibake_unrepaired=fixed.chars_unrepaired,
    )


def load(path: str | os.PathLike[str]) -> Document:
    """Read the file at ``path`` into a Document.

    Raises:
        LoadError: missing, a directory, unreadable, binary or undecodable; the message
            starts with the path.
        UnsupportedFormat: a known format this version cannot read.
    """
    name = os.fspath(path)
    data = _read_bytes(name)
    kind = sniff(data[:16])
    if kind is not None:
        raise UnsupportedFormat(f"{name}: {kind}; docdiff reads text files")
    return load_text(data, name)
