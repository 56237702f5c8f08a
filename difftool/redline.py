"""What a reviewer is shown of each op: the files' own text, with the edits on it.

Alignment and the inline diff work on normalised keys (Simplified, half-width, wraps
joined, end marks left out). A reviewer must see the file's own text, so that every
shown sentence can be searched for in the file. This module maps each edit of the key
back onto the original through the normalisation's offset map and returns the shown
text of each side as tagged pieces, character-exact whatever the width, script or wrap.

Display-only clean-up: whitespace the key does not keep (hard wraps, blank lines,
layout spaces) and page furniture that lies inside a sentence are hidden; a space the
key keeps is shown as one space. Everything else is the original as it stands.

Every renderer (terminal, Markdown, HTML) draws these pieces; none of them looks at
keys.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from difftool.align import Op, join_keys
from difftool.inline import NUMBER
from difftool.models import Sentence
from difftool.pipeline import Prepared

EQUAL, DELETE, INSERT = "equal", "delete", "insert"


class Piece(NamedTuple):
    """A run of shown text with one tag.

    Attributes:
        text: the original text of the run, layout collapsed.
        tag: ``equal``, ``delete`` (only on the old side) or ``insert`` (new side).
        figure: the run is (part of) a changed figure.
    """

    text: str
    tag: str = EQUAL
    figure: bool = False


class Location(NamedTuple):
    """Where sentences lie in their file: 1-based lines, and pages where the file has them.

    ``unit`` is ``line`` for text, ``paragraph`` for Word files (one paragraph a line).
    """

    first: int
    last: int
    pages: tuple[int, int] | None = None
    unit: str = "line"

    def __str__(self) -> str:
        span = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        where = f"{self.unit} {span}"
        if self.pages:
            p0, p1 = self.pages
            where = f"page {p0 if p0 == p1 else f'{p0}-{p1}'}, {where}"
        return where


def location(side: Prepared, span: tuple[int, int]) -> Location | None:
    """The lines (and pages) of sentences ``span``; for an empty span, the place where
    they would be (the line of the sentence that follows)."""
    sentences = side.sentences
    if not sentences:
        return None
    first = min(span[0], len(sentences) - 1)
    last = max(first, min(span[1], len(sentences)) - 1)
    start, end = sentences[first].start, max(sentences[first].start, sentences[last].end - 1)
    lines = side.line_starts
    l0, l1 = bisect_right(lines, start) + 1, bisect_right(lines, end) + 1
    pages = None
    if side.page_starts:
        pages = (bisect_right(side.page_starts, start) + 1, bisect_right(side.page_starts, end) + 1)
    unit = "paragraph" if side.document.format == "docx" else "line"
    return Location(l0, l1, pages, unit)


# --- the shown text of sentences -------------------------------------------------------


def _covered(side: Prepared, sentence: Sentence) -> dict[int, int]:
    """Original position -> offset in the sentence (key and mark) of each character the
    key keeps."""
    offsets = side.normalised.offsets
    return {
        offsets(p): p - sentence.norm_start for p in range(sentence.norm_start, sentence.norm_end)
    }


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _shown_sentence(side: Prepared, sentence: Sentence) -> list[tuple[str, int]]:
    """The shown characters of one sentence, each with its offset in the sentence's
    key-and-mark text (-1 for a character the key does not hold)."""
    original = side.document.text
    covered = _covered(side, sentence)
    out: list[tuple[str, int]] = []
    pos, end = sentence.start, sentence.end
    while pos < end:
        if pos in covered:
            ch = original[pos]
            out.append((" " if ch.isspace() else ch, covered[pos]))
            pos += 1
            continue
        run_end = pos
        while run_end < end and run_end not in covered:
            run_end += 1
        run = original[pos:run_end]
        # whitespace the key dropped is layout; a run across a line break is furniture
        if "\n" not in run and "\f" not in run and not run.isspace():
            out.extend((ch, -1) for ch in run)
        pos = run_end
    return out


def shown(
    side: Prepared, span: tuple[int, int], spans: Iterable[tuple[int, int, str, bool]] = ()
) -> list[Piece]:
    """The shown text of sentences ``span`` as pieces.

    Args:
        side: the prepared document.
        span: half-open range of sentence indices.
        spans: edits as ``(start, end, tag, figure)`` in the joined key (see
            :func:`joined_offsets`); characters outside them are ``equal``.
    """
    chars: list[tuple[str, str, bool]] = []
    marks = _marks_by_offset(side.sentences[span[0] : span[1]], spans)
    for k, sentence in enumerate(side.sentences[span[0] : span[1]]):
        text = _shown_sentence(side, sentence)
        if chars and text and _latin(chars[-1][0][-1:]) and _latin(text[0][0]):
            chars.append((" ", EQUAL, False))
        tags = marks[k]
        # the tag of the next kept character after each position, in one backward pass
        following: list[tuple[str, bool]] = [(EQUAL, False)] * len(text)
        ahead: tuple[str, bool] = (EQUAL, False)
        for i in range(len(text) - 1, -1, -1):
            following[i] = ahead
            if text[i][1] >= 0:
                ahead = tags.get(text[i][1], (EQUAL, False))
        last: tuple[str, bool] = (EQUAL, False)
        for i, (ch, offset) in enumerate(text):
            if offset >= 0:
                last = tags.get(offset, (EQUAL, False))
                chars.append((ch, *last))
            else:  # inside an edit only when the next kept character is edited too
                chars.append((ch, *(last if last == following[i] else (EQUAL, False))))
    return _pieces(chars)


def _marks_by_offset(
    sentences: Sequence[Sentence], spans: Iterable[tuple[int, int, str, bool]]
) -> list[dict[int, tuple[str, bool]]]:
    """Per sentence: offset in its key-and-mark text -> (tag, figure) of the edits."""
    starts = joined_offsets(sentences)
    out: list[dict[int, tuple[str, bool]]] = [{} for _ in sentences]
    for start, end, tag, figure in spans:
        for pos in range(start, end):
            k = bisect_right(starts, pos) - 1
            offset = pos - starts[k]
            if 0 <= offset < len(sentences[k].key) + len(sentences[k].mark):
                out[k][offset] = (tag, figure)
    return out


def joined_offsets(sentences: Sequence[Sentence]) -> list[int]:
    """Where each sentence's key starts in ``join_keys`` of their keys."""
    starts: list[int] = []
    text = ""
    for s in sentences:
        joined = join_keys((text, s.key)) if text else s.key
        starts.append(len(joined) - len(s.key))
        text = joined
    return starts


def _pieces(chars: list[tuple[str, str, bool]]) -> list[Piece]:
    out: list[Piece] = []
    run: list[str] = []
    last: tuple[str, bool] | None = None
    for ch, tag, figure in chars:  # runs collected in lists: a 200,000-character line is linear
        if (tag, figure) != last and run:
            assert last is not None
            out.append(Piece("".join(run), *last))
            run = []
        run.append(ch)
        last = (tag, figure)
    if run and last is not None:
        out.append(Piece("".join(run).rstrip(), *last))  # collapsed layout may leave a space
    return [p for p in out if p.text]


# --- the two sides of an op ------------------------------------------------------------


def _edit_spans(
    op: Op,
) -> tuple[list[tuple[int, int, str, bool]], list[tuple[int, int, str, bool]]]:
    """The edits of an op's inline diff as spans of each side's joined key, figures apart."""
    old: list[tuple[int, int, str, bool]] = []
    new: list[tuple[int, int, str, bool]] = []
    pa = pb = 0
    for tag, text in op.inline:
        if tag == EQUAL:
            pa += len(text)
            pb += len(text)
            continue
        side, pos = (old, pa) if tag == DELETE else (new, pb)
        side.append((pos, pos + len(text), tag, False))
        side.extend((pos + m.start(), pos + m.end(), tag, True) for m in NUMBER.finditer(text))
        if tag == DELETE:
            pa += len(text)
        else:
            pb += len(text)
    return old, new


def _layout_sides(a: Prepared, b: Prepared, op: Op) -> tuple[list[Piece], list[Piece]]:
    """A strict-mode layout change: the raw originals, line breaks shown as ``↵``."""
    from difftool import inline

    def raw(side: Prepared, span: tuple[int, int]) -> str:
        text = side.document.text[side.sentences[span[0]].start : side.sentences[span[1] - 1].end]
        return text.replace("\n", "↵")

    old: list[Piece] = []
    new: list[Piece] = []
    for tag, text in inline.diff(raw(a, op.a_range), raw(b, op.b_range)):
        if tag in (EQUAL, DELETE):
            old.append(Piece(text, tag))
        if tag in (EQUAL, INSERT):
            new.append(Piece(text, tag))
    return old, new


def sides(a: Prepared, b: Prepared, op: Op) -> tuple[list[Piece], list[Piece]]:
    """The old and the new shown text of an op (either may be empty)."""
    if op.op == "change" and op.layout_only:
        return _layout_sides(a, b, op)
    if op.op in ("delete", "insert") or (op.op == "move" and not op.inline):
        return _whole(a, op.a_range, DELETE), _whole(b, op.b_range, INSERT)
    old_spans, new_spans = _edit_spans(op)
    # figures are listed after the edits, so they win where both cover a character
    return shown(a, op.a_range, _ordered(old_spans)), shown(b, op.b_range, _ordered(new_spans))


def _ordered(spans: list[tuple[int, int, str, bool]]) -> list[tuple[int, int, str, bool]]:
    return sorted(spans, key=lambda s: s[3])


def _whole(side: Prepared, span: tuple[int, int], tag: str) -> list[Piece]:
    """Whole sentences removed or inserted: one line each."""
    text = "\n".join(sentence_text(side, i) for i in range(*span))
    return [Piece(text, tag)] if text else []


def plain(pieces: Iterable[Piece]) -> str:
    """The text of pieces, without tags."""
    return "".join(p.text for p in pieces)


def sentence_text(side: Prepared, index: int) -> str:
    """One sentence as shown (for context lines and lists)."""
    return plain(shown(side, (index, index + 1)))
