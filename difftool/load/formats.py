"""Readers for the files archives hold besides plain text: PDF, Word, OFD.

Each reader takes the file's bytes and returns its text in reading order, one
paragraph (or PDF line) per line; pages are separated by a form feed so that page
numbers and running headers meet the normaliser as lines of their own. Heavy libraries
are optional extras, imported only when a file needs them; a missing one is named with
the command that installs it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import PurePosixPath
from xml.etree import ElementTree

from difftool.errors import LoadError, UnsupportedFormat

PAGE_BREAK = "\f"
#: Bounds on a zip package's members (a zip bomb inflates a few KB into GB): the size of
#: one member and of all members read, and how much a member may inflate.
MAX_MEMBER = 200 * 1024 * 1024
MAX_UNPACKED = 512 * 1024 * 1024
MAX_RATIO = 200
#: Most pages read from an OFD document (a page listed 20,000 times is read once).
MAX_OFD_PAGES = 5_000


def _missing(what: str, module: str, extra: str) -> UnsupportedFormat:
    return UnsupportedFormat(f"{what} needs {module}: pip install 'docdiff[{extra}]'")


# --- PDF ---------------------------------------------------------------------------------


def read_pdf(data: bytes) -> str:
    """The text layer of a PDF, page by page (PDFium through pypdfium2)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise _missing("reading PDF", "pypdfium2", "pdf") from None
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise LoadError("encrypted PDF: docdiff cannot open it without its password") from None
        raise LoadError(f"broken PDF ({exc})") from None
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if pages and not any(p.strip() for p in pages):
        raise LoadError(
            f"scanned PDF: {len(pages)} pages and no text layer (OCR is out of docdiff's scope)"
        )
    return PAGE_BREAK.join(pages)


# --- Word --------------------------------------------------------------------------------


def read_docx(data: bytes) -> str:
    """Paragraphs and tables of a .docx body in reading order; headers and footers apart.

    A table row becomes one line, its cells separated by tabs. Headers and footers are
    page furniture: left out, like page numbers.
    """
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise _missing("reading Word .docx", "python-docx", "office") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds on a bad package
        raise LoadError(f"broken Word .docx ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_paragraph_text(child) or Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat: keep each once
                    text = cell.text.strip()
                    if not cells or cells[-1] != text:
                        cells.append(text)
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _paragraph_text(paragraph: object) -> str:
    """A paragraph's text when it holds an entity reference (``&xxe;``), which docdiff
    never resolves: python-docx would drop the text after it. Empty otherwise (the
    caller then uses python-docx's own text)."""
    from lxml import etree  # python-docx's parser

    if not any(isinstance(node, etree._Entity) for node in paragraph.iter()):  # type: ignore[attr-defined]
        return ""
    parts: list[str] = []
    for node in paragraph.iter():  # type: ignore[attr-defined]
        name = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""
        if name == "t":
            parts.append("".join(node.itertext()))  # entity references left out, text kept
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


def read_doc(data: bytes) -> str:
    """A legacy Word .doc, through antiword when it is installed."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise UnsupportedFormat("legacy Word .doc needs antiword: apt-get install antiword")
    with tempfile.NamedTemporaryFile(suffix=".doc") as tmp:
        tmp.write(data)
        tmp.flush()
        proc = subprocess.run(
            [antiword, "-m", "UTF-8.txt", "-w", "0", tmp.name], capture_output=True, check=False
        )
    if proc.returncode != 0:
        # antiword names the temporary copy; the user knows the file by its own name
        message = proc.stderr.decode(errors="replace").replace(tmp.name, "the file").strip()
        raise LoadError(f"antiword could not read this .doc: {' '.join(message.split())}")
    return proc.stdout.decode("utf-8", errors="replace")


# --- OFD (GB/T 33190) --------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find_all(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [e for e in element.iter() if _local(e.tag) == name]


def _ofd_path(base: PurePosixPath, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return location.lstrip("/")
    return str(base / location)


def read_ofd(archive: zipfile.ZipFile) -> str:
    """Text of an OFD package in reading order: the pages listed in each document, the
    text objects of each page's content, a new line wherever the baseline moves."""
    try:
        root = ElementTree.fromstring(archive.read("OFD.xml"))
        pages_text: list[str] = []
        for doc_root in _find_all(root, "DocRoot"):
            doc_path = _ofd_path(PurePosixPath(""), doc_root.text or "")
            doc_dir = PurePosixPath(doc_path).parent
            document = ElementTree.fromstring(archive.read(doc_path))
            seen: set[str] = set()
            for page in _find_all(document, "Page"):
                content = _ofd_path(doc_dir, page.get("BaseLoc", ""))
                if not content.endswith(".xml"):
                    content = str(PurePosixPath(content) / "Content.xml")
                if content in seen:
                    continue  # a page listed again is read once
                seen.add(content)
                if len(pages_text) >= MAX_OFD_PAGES:
                    raise LoadError(f"OFD document lists over {MAX_OFD_PAGES} pages: not read")
                pages_text.append(_ofd_page(ElementTree.fromstring(archive.read(content))))
    except (KeyError, ElementTree.ParseError, ValueError) as exc:
        raise LoadError(f"broken OFD package ({exc})") from None
    return PAGE_BREAK.join(pages_text)


def _ofd_page(content: ElementTree.Element) -> str:
    lines: list[str] = []
    current: list[str] = []
    last_y: float | None = None
    for obj in _find_all(content, "TextObject"):
        boundary = (obj.get("Boundary") or "0 0 0 0").split()
        top = float(boundary[1]) if len(boundary) > 1 else 0.0
        for code in _find_all(obj, "TextCode"):
            y = top + float(code.get("Y") or 0)
            if last_y is not None and abs(y - last_y) > 0.5:
                lines.append("".join(current))
                current = []
            current.append(code.text or "")
            last_y = y
    if current:
        lines.append("".join(current))
    return "\n".join(lines)


def _check_members(archive: zipfile.ZipFile) -> None:
    """Refuse a package whose members would inflate past the bounds, before reading one."""
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise LoadError(f"encrypted zip member {info.filename!r}: docdiff cannot read it")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise LoadError(f"zip member {info.filename!r} uses an unsupported compression method")
        if info.file_size > MAX_MEMBER:
            raise LoadError(
                f"zip member {info.filename!r} would inflate to {info.file_size:,} bytes"
            )
        if info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise LoadError(
                f"zip member {info.filename!r} inflates {info.file_size // max(info.compress_size, 1):,}"
                " times: a zip bomb, not read"
            )
        total += info.file_size
    if total > MAX_UNPACKED:
        raise LoadError(f"zip package would inflate to {total:,} bytes: not read")


def read_zip(data: bytes) -> tuple[str, str]:
    """A zip package: Word .docx or OFD. Returns ``(format, text)``.

    Every fault of a member (a failed CRC, corrupt deflate data, a truncated member,
    encryption, an unsupported method, a bomb) is a :class:`LoadError` for this file.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        _check_members(archive)
        if "word/document.xml" in names:
            return "docx", read_docx(data)
        if "OFD.xml" in names:
            return "ofd", read_ofd(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise LoadError(f"broken zip package ({type(exc).__name__}: {exc})") from None
    raise UnsupportedFormat("zip archive that is neither a Word .docx nor an OFD document")
