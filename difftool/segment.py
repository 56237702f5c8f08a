"""Split a normalised text into sentences, each with its span in the original text.

Chinese: split after ``。！？；`` (folded to ``。!?;`` by normalisation) and at every line
break (the key has one paragraph, heading or short line per line); never inside
``《》 “” （） 「」``, so a book title ending in ``！`` stays inside its sentence; closing
quotes stay with their sentence. English: split after ``. ! ?`` followed by a space and a
capital (or digit, or opening quote), except after common abbreviations and initials;
decimals (``2791.19``) never split because no space follows the point.
"""

from __future__ import annotations

import re

from difftool.layout import HEADING_START
from difftool.models import NormalisedText, Sentence

__all__ = ["KEY_STRIP", "sentence_key", "sentences", "split"]

_HARD_END = set("。!?;！？；")
_OPENERS = {
    "《": "》",
    "“": "”",
    "（": "）",
    "(": ")",
    "「": "」",
    "『": "』",
    "【": "】",
    "‘": "’",
}
_CLOSERS = set(_OPENERS.values()) | {'"', "'"}
_QUOTE_CLOSERS = set("”’」』")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "no",
        "nos",
        "art",
        "arts",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "fig",
        "figs",
        "cf",
        "al",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "ltd",
        "co",
        "corp",
        "gov",
        "dept",
        "sec",
        "para",
        "p",
        "pp",
        "vol",
        "ed",
        "eds",
        "approx",
    ]
)
_ENGLISH_END = re.compile(r"[.!?][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")
_DATE_LINE = re.compile(r"[\d年月日.\-/ ]+")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
#: Characters stripped from the end of a sentence's key: a ``；`` that became ``。`` at
#: the edge of a removed sentence is not a change.
KEY_STRIP = "。.!?;:,、…！？；：， "


def sentence_key(text: str) -> str:
    """The key a sentence is compared by: its normalised text without end punctuation."""
    return text.rstrip(KEY_STRIP) or text.strip()


_NUMBERED_START = re.compile(r"\s*(?:\d{1,3}|[IVXLC]{1,6}|[A-Za-z])\.$")


def _english_breaks(line: str) -> set[int]:
    breaks: set[int] = set()
    for m in _ENGLISH_END.finditer(line):
        if line[m.start()] == "." and _NUMBERED_START.match(line, 0, m.start() + 1):
            continue  # "1. Review of our work": a numbered heading, not a sentence end
        if line[m.start()] == ".":
            # a bounded window: searching from 0 for each candidate is quadratic
            word = _WORD_BEFORE.search(line, max(0, m.start() - 64), m.start())
            if word:
                w = word.group(1).lower()
                if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                    continue
        breaks.add(m.start() + 1)
    return breaks


#: The characters the splitter acts on; everything else is skipped at C speed.
_INTERESTING = re.compile(
    "["
    + re.escape("".join(sorted(set(_OPENERS) | set(_OPENERS.values()) | _HARD_END | set(".!?"))))
    + "]"
)


def _split_line(line: str, nested: frozenset[str]) -> list[int] | None:
    """Break positions inside one line, or None when its brackets do not balance.

    Only brackets, quotes and sentence marks can change anything, so the state machine
    visits those (found by one compiled pattern) and skips the rest: linear, and fast
    on a line of any length.
    """
    stack: list[str] = []
    breaks: list[int] = []
    english = _english_breaks(line) if "." in line or "!" in line or "?" in line else set()
    n = len(line)
    skip_to = 0
    for m in _INTERESTING.finditer(line):
        i = m.start()
        if i < skip_to:
            continue
        ch = line[i]
        if ch in _OPENERS and ch in nested:
            stack.append(_OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            quote = ch in _QUOTE_CLOSERS  # a title 《…！》 does not end its sentence
            if not stack and quote and i > 0 and line[i - 1] in _HARD_END and i + 1 < n:
                breaks.append(i + 1)
        elif not stack and (ch in _HARD_END or i + 1 in english):
            j = i + 1
            while j < n and (line[j] in _HARD_END or line[j] in _CLOSERS):
                j += 1
            if j < n:
                breaks.append(j)
            skip_to = j
    return None if stack else breaks


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a normalised text, in order; what lies between them is whitespace."""
    spans: list[tuple[int, int]] = []
    pos = 0
    full = frozenset(_OPENERS)
    for line in text.split("\n"):
        breaks = _split_line(line, full)
        if breaks is None:  # an unbalanced quote: do not let it swallow the paragraph
            breaks = _split_line(line, full - {"“", "‘"})
        if breaks is None:
            breaks = _split_line(line, frozenset()) or []
        start = 0
        for end in [*breaks, len(line)]:
            piece = line[start:end]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                spans.append((pos + start + lead, pos + start + lead + len(stripped)))
            start = end
        pos += len(line) + 1
    return spans


def _is_heading(key: str, whole_line: bool) -> bool:
    """Numbered headings (``一、`` ``（二）`` ``第三条``), and title lines: a short whole line
    with no sentence end and no colon (so not an addressee, a signature field or a date)."""
    if len(key) > 60:
        return False
    if HEADING_START.match(key):
        return True
    return (
        whole_line
        and len(key) <= 40
        and key[-1:] not in _HARD_END
        and ":" not in key
        and not _DATE_LINE.fullmatch(key)
    )


def sentences(norm: NormalisedText) -> list[Sentence]:
    """Split a normalised text into sentences that keep their span in the original."""
    text = norm.text
    result: list[Sentence] = []
    for start, end in split(text):
        piece = text[start:end]
        whole_line = (start == 0 or text[start - 1] == "\n") and (
            end == len(text) or text[end] == "\n"
        )
        o_start, o_end = norm.original_span(start, end)
        key = sentence_key(piece)
        result.append(
            Sentence(
                index=len(result),
                text=norm.original[o_start:o_end],
                key=key,
                start=o_start,
                end=o_end,
                heading=_is_heading(piece, whole_line),
                mark=piece[len(key) :] if piece.startswith(key) else "",
                norm_start=start,
                norm_end=end,
            )
        )
    return result
