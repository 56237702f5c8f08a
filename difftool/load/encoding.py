"""Bytes to text: byte-order marks, strict UTF-8, then detection for Chinese legacy encodings.

Chinese archives hold GB18030/GBK, Big5 and UTF-16 files next to UTF-8 ones. Detection
tries, in order: a byte-order mark; strict UTF-8 (almost never wrong when it succeeds);
UTF-16 without a mark (NUL bytes in a regular pattern); then the strict decodes of
GB18030 and Big5 plus charset-normalizer's guess, keeping the one whose text looks most
like real report text. GB18030 and Big5 both accept many byte strings, so plausibility,
not "it decoded", decides between them.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from difftool.errors import LoadError
from difftool.load import plausibility

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHINESE = ("gb18030", "big5")
#: Mean log-frequency above which a decoded sample is plainly real report text (real
#: text scores about -6.5; the wrong one of GB18030 and Big5 scores below -11).
CONFIDENT = -8.0


def _from_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), f"{encoding} (BOM)"
            except UnicodeDecodeError as exc:
                raise LoadError(
                    f"invalid {encoding} after its byte-order mark: {exc.reason}"
                ) from None
    return None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text has NULs in the high byte of every ASCII character."""
    if len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) // 2
    # CJK code points have zero low bytes too (U+4E00), so the other half is not NUL-free
    if odd > 3 * even and odd > half * 0.01:
        encoding = "utf-16-le"
    elif even > 3 * odd and even > half * 0.01:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    if controls > len(text) * 0.01 or plausibility.score(text[:20_000]) < -11:
        return None
    return text, encoding


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
# the two patterns of mixed-encoding files, compiled when one is met (``re`` caches
# them), not at every start of ``docdiff A B`` (0.4 ms)
_ANY_RUN = rb"[\x80-\xff]+|[\x00-\x7f]+"
#: A run of valid UTF-8 characters (RFC 3629's table of well-formed byte sequences).
_UTF8_RUN = (
    rb"(?:[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})+"
)
#: What Windows-1252 English text holds beyond ASCII: curly quotes, dashes, accents.
_LATIN_EXTRA = frozenset("‘’“”–—…•€™«»·°§©®±×÷¼½¾¡¿") | frozenset(
    chr(c) for c in range(0xC0, 0x100)
)


def _latin(data: bytes) -> str | None:
    """Windows-1252 text (English with curly quotes), which GB18030 also "decodes"
    (``webpage’s`` as ``webpage抯``): mostly ASCII, and its other bytes stand alone
    (a quote, an accent), where a CJK character is always two bytes or more."""
    runs = _NON_ASCII_RUN.findall(data)
    if not runs or sum(map(len, runs)) * 10 > len(data):
        return None
    if sum(1 for r in runs if len(r) == 1) * 2 < len(runs) or max(map(len, runs)) > 3:
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if all(ch in _LATIN_EXTRA for r in runs for ch in r.decode("cp1252")):
        return text
    return None


def _plausible_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a mark and without ASCII (all CJK): its NULs are the low bytes of
    characters like 一 (U+4E00), too few for the pattern test; the text decides."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausibility.score(text[:2_000]) > CONFIDENT:
            return text, encoding
    return None


def _passage(piece: bytes) -> tuple[str, bool] | None:
    """A line or a run of non-ASCII bytes as strict UTF-8, else as GB18030 (the text
    and whether it was the legacy encoding), else None."""
    try:
        return piece.decode("utf-8"), False
    except UnicodeDecodeError as error:
        start = error.start
    with contextlib.suppress(UnicodeDecodeError):
        return piece.decode("gb18030"), True
    with contextlib.suppress(UnicodeDecodeError):  # a passage that starts mid-line
        return piece[:start].decode("utf-8") + piece[start:].decode("gb18030"), True
    # one that ends mid-line: GB18030 reads most UTF-8 byte pairs as characters, GB18030
    # bytes are seldom valid UTF-8, so the cut is where the longest UTF-8 tail starts
    last = len(piece)
    for run in re.compile(_UTF8_RUN).finditer(piece, start):  # one scan, linear
        last = run.start() if run.end() == len(piece) else len(piece)
    for cut in range(max(0, last - 3), min(len(piece), last + 4)):
        with contextlib.suppress(UnicodeDecodeError):
            return piece[:cut].decode("gb18030") + piece[cut:].decode("utf-8"), True
    return None


def _mixed(data: bytes) -> tuple[str, str] | None:
    """UTF-8 text with passages in GB18030 (a paragraph pasted from a legacy file, a
    legacy template filled in with UTF-8 text), read a line at a time: each line in
    strict UTF-8, else GB18030, else each of its runs of non-ASCII bytes so. A line is
    the unit because a short GB18030 run (``校`` is ``D0 A3``) can be valid UTF-8 (``У``)
    by chance, a whole line almost never. Whether this beats decoding the whole file as
    one encoding is for the plausibility score to say."""
    out: list[str] = []
    kinds: set[bool] = set()
    for line in data.split(b"\n"):
        found = _passage(line)
        if found is None:
            parts = []
            for run in re.findall(_ANY_RUN, line):
                if run[0] < 0x80:
                    parts.append(run.decode("ascii"))
                    continue
                found = _passage(run)
                if found is None:
                    return None
                parts.append(found[0])
                kinds.add(found[1])
            out.append("".join(parts))
        else:
            out.append(found[0])
            if not line.isascii():
                kinds.add(found[1])
    if kinds != {False, True}:
        return None  # all one encoding: the whole-file decodes have said
    return "\n".join(out), "mixed: utf-8 with gb18030 passages"


def _binary(data: bytes) -> bool:
    """NUL bytes that text does not have: a run of them, or more than one byte in a
    thousand, anywhere in the file (a disk image with a ``.txt`` name is all zeros, and
    valid UTF-8)."""
    if b"\x00" not in data:
        return False
    return b"\x00" * 8 in data or data.count(0) * 1000 > len(data)


def _guess(data: bytes) -> str | None:
    import charset_normalizer  # imported here: only legacy-encoded files need it

    best = charset_normalizer.from_bytes(data[:200_000]).best()
    return None if best is None else str(best.encoding)


def decode(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes; return ``(text, encoding_name)``.

    Raises:
        LoadError: the bytes are binary (NUL bytes that are not UTF-16) or decode
            under no candidate encoding.
    """
    found = _from_bom(data)
    if found:
        return found
    if _binary(data):
        found = _utf16_without_bom(data) or _plausible_utf16(data)
        if found:
            return found
        raise LoadError("binary file (NUL bytes); docdiff compares text documents")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        found = _utf16_without_bom(data)
        if found:
            return found
        raise LoadError("binary file (NUL bytes); docdiff compares text documents")
    latin = _latin(data)
    if latin is not None:
        return latin, "windows-1252"
    candidates: dict[str, str] = {}
    for encoding in _CHINESE:
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausibility.score(candidates[encoding][:2_000]) > CONFIDENT:
            return candidates[encoding], encoding  # plainly real text: no need to guess
    found = _plausible_utf16(data)  # UTF-16 without a mark or ASCII may have no NUL byte
    if found:
        candidates[found[1]] = found[0]
    found = _mixed(data)
    if found:
        candidates[found[1]] = found[0]
    guess = _guess(data)
    if guess and guess not in candidates:
        with contextlib.suppress(UnicodeDecodeError, LookupError):
            candidates[guess] = data.decode(guess)
    if not candidates:
        raise LoadError("undecodable: not UTF-8, UTF-16, GB18030 or Big5 text")
    encoding = max(candidates, key=lambda enc: plausibility.score(candidates[enc][:2_000]))
    return candidates[encoding], encoding
