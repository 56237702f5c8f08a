"""Load a file into a :class:`~difftool.models.Document`: read bytes, pick the reader by
content, decode, repair mojibake. This package does all of docdiff's document I/O, and
only ever reads."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace

from difftool.errors import LoadError, UnsupportedFormat
from difftool.limits import DEFAULT_MAX_SIZE, parse_size
from difftool.load import mojibake
from difftool.load.encoding import decode
from difftool.models import Document

__all__ = ["DEFAULT_MAX_SIZE", "decode", "load", "load_text", "parse_size", "read", "sniff"]


#: Magic bytes of formats that are not plain text: (prefix, description).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "zip package"),
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


def _read_bytes(path: str, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    """Read a file once, from one handle, within ``max_size``.

    The file is opened without blocking and checked with ``fstat`` on that handle: a
    FIFO, a device (``/dev/zero``) or a socket, also one swapped in after a folder was
    walked, is refused instead of hanging or flooding memory; the read stops past the
    limit even if the file grows meanwhile.
    """
    if path == "-":  # standard input, as diff reads it
        data = sys.stdin.buffer.read(max_size + 1)
        if len(data) > max_size:
            raise LoadError(f"-: standard input is over the {_size(max_size)} limit (--max-size)")
        return data
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except PermissionError:
        raise LoadError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise LoadError(f"{path}: is a directory") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise LoadError(f"{path}: is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(f"{path}: not a regular file (a device, FIFO or socket)")
        if info.st_size > max_size:
            raise LoadError(
                f"{path}: {_size(info.st_size)}, over the {_size(max_size)} limit (--max-size)"
            )
        chunks: list[bytes] = []
        left = max_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise LoadError(f"{path}: grew past the {_size(max_size)} limit while read")
        return b"".join(chunks)
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _size(n: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


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


def _from_reader(path: str, data: bytes, fmt: str, text: str) -> Document:
    return Document(
        path=path,
        text=text,
        encoding="unicode",
        format=fmt,
        notes=(f"read as {fmt}",),
        size=len(data),
    )


def _read_html(doc: Document) -> Document:
    from difftool.load.web import read_html

    text = read_html(doc.text)
    if text is None:
        note = "HTML read without selectolax: tags stripped, page chrome kept (pip install 'docdiff[web]')"
        return replace(doc, format="html", notes=(*doc.notes, note))
    return replace(
        doc,
        text=text,
        format="html",
        notes=(*doc.notes, "read as html: main content, chrome left out"),
    )


def read(data: bytes, path: str = "<bytes>", *, digest: bool = True) -> Document:
    """Turn a file's bytes into a Document, choosing the reader by content, not name.

    ``digest=False`` leaves out the digest of the bytes (which only tells a diff that two
    files are identical byte for byte): fingerprinting has no use for it.
    """
    doc = _read(data, path)
    if not digest:
        return doc
    try:  # hashlib's own BLAKE2, without the OpenSSL that importing hashlib loads (3 ms)
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - CPython builds _blake2 everywhere
        from hashlib import blake2b

    return replace(doc, digest=blake2b(data, digest_size=16).hexdigest())


def _read(data: bytes, path: str) -> Document:
    kind = sniff(data[:16])
    if kind in _READERS:
        return _read_package(data, path, kind)
    if kind is not None:
        raise UnsupportedFormat(
            f"{path}: {kind}; docdiff reads text, HTML, PDF, Word and OFD files"
        )
    doc = load_text(data, path)
    from difftool.load.web import looks_like_html

    return _read_html(doc) if looks_like_html(doc.text) else doc


_READERS = ("PDF document", "zip package", "legacy Office document (.doc)")


def _read_package(data: bytes, path: str, kind: str) -> Document:
    from difftool.load import formats  # zipfile, XML and subprocess: only when needed

    try:
        if kind == "PDF document":
            return _from_reader(path, data, "pdf", formats.read_pdf(data))
        if kind == "zip package":
            fmt, text = formats.read_zip(data)
            return _from_reader(path, data, fmt, text)
        return _from_reader(path, data, "doc", formats.read_doc(data))
    except LoadError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def load(
    path: str | os.PathLike[str], *, max_size: int = DEFAULT_MAX_SIZE, digest: bool = True
) -> Document:
    """Read the file at ``path`` into a Document: plain text (any common encoding),
    HTML, PDF, Word (.docx; .doc with antiword) or OFD, told apart by content.

    Raises:
        LoadError: missing, a directory, unreadable, binary, broken or undecodable;
            the message starts with the path.
        UnsupportedFormat: a format docdiff cannot read, or an optional reader that is
            not installed (the message gives the install command).
    """
    name = os.fspath(path)
    return read(_read_bytes(name, max_size), name, digest=digest)
