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

import heapq
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from typing import NamedTuple, TypeVar

from difftool.align import Op, joined, latin_meets
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
#
# Everything here works on runs, never on single characters: a sentence can be a whole
# file (a table dump, a PDF whose marks were lost), and a list or dict entry for each of
# its characters cost about 400 bytes a character (2.7 GB for a 6 MB line).

Tag = tuple[str, bool]
"""An edit's tag and whether it is (part of) a changed figure."""

_PLAIN: Tag = (EQUAL, False)
_SPACE = re.compile(r"\s")  # str.isspace(), character for character
_V = TypeVar("_V")


def _paint(intervals: Iterable[tuple[int, int, _V]]) -> list[tuple[int, int, _V]]:
    """Disjoint runs ``(start, end, value)`` in position order, each with the value of
    the last of ``intervals`` that covers it (a later interval paints over an earlier)."""
    items = [(lo, hi, rank, value) for rank, (lo, hi, value) in enumerate(intervals) if hi > lo]
    if all(items[i - 1][1] <= items[i][0] for i in range(1, len(items))):
        return [(lo, hi, value) for lo, hi, _, value in items]  # already disjoint and in order
    bounds = sorted({b for lo, hi, _, _ in items for b in (lo, hi)})
    items.sort()
    heap: list[tuple[int, int, int]] = []  # (-rank, end, index) of the intervals open here
    out: list[tuple[int, int, _V]] = []
    j = 0
    for left, right in pairwise(bounds):
        while j < len(items) and items[j][0] <= left:
            heapq.heappush(heap, (-items[j][2], items[j][1], j))
            j += 1
        while heap and heap[0][1] <= left:  # the latest open interval ended: the next one
            heapq.heappop(heap)
        if not heap:
            continue
        value = items[heap[0][2]][3]
        if out and out[-1][1] == left and out[-1][2] is value:
            out[-1] = (out[-1][0], right, value)
        else:
            out.append((left, right, value))
    return out


def _covered(side: Prepared, sentence: Sentence) -> list[tuple[int, int, int]]:
    """The original runs the sentence's key (and mark) was made from, in the original's
    order: ``(start, end, offset)`` where ``offset`` is the run's first character's
    offset in the key-and-mark text. Where the offset map sends two key characters to
    one original (a ligature made two), the later one's offset is kept."""
    offsets = side.normalised.offsets
    ns, ne = sentence.norm_start, sentence.norm_end
    pieces: list[tuple[int, int, tuple[int, int]]] = []
    j = max(bisect_right(offsets.new, ns) - 1, 0)
    while j < len(offsets.new) and offsets.new[j] < ne:
        lo = max(offsets.new[j], ns)
        hi = min(offsets.new[j + 1], ne) if j + 1 < len(offsets.new) else ne
        start = offsets.old[j] + (lo - offsets.new[j])
        pieces.append((start, start + hi - lo, (start, lo - ns)))
        j += 1
    out = []
    for lo, hi, (start, offset) in _paint(pieces):
        lo, hi = max(lo, sentence.start), min(hi, sentence.end)
        if hi > lo:
            out.append((lo, hi, offset + (lo - start)))
    return out


def _tagged(
    text: str, offset: int, marks: Sequence[tuple[int, int, Tag]], starts: Sequence[int]
) -> Iterator[tuple[str, Tag]]:
    """``text``, whose first character is at ``offset`` of the key, cut where the edits
    ``marks`` (disjoint, in order; ``starts`` their starts) begin and end."""
    end = offset + len(text)
    pos = offset
    k = max(bisect_right(starts, offset) - 1, 0)
    while k < len(marks) and marks[k][0] < end:
        lo, hi, tag = marks[k]
        k += 1
        if hi <= pos:
            continue
        lo = max(lo, pos)
        if lo > pos:
            yield text[pos - offset : lo - offset], _PLAIN
        pos = min(hi, end)
        yield text[lo - offset : pos - offset], tag
    if pos < end:
        yield text[pos - offset :], _PLAIN


def _shown_sentence(
    side: Prepared, sentence: Sentence, marks: Sequence[tuple[int, int, Tag]]
) -> list[tuple[str, Tag]]:
    """The shown runs of one sentence with the tags of the edits ``marks`` (disjoint
    spans of its key-and-mark text, in order)."""
    original = side.document.text
    starts = [m[0] for m in marks]
    runs: list[tuple[str, Tag | None]] = []  # None: text the key does not hold

    def gap(lo: int, hi: int) -> None:
        run = original[lo:hi]
        # whitespace the key dropped is layout; a run across a line break is furniture
        if run and "\n" not in run and "\f" not in run and not run.isspace():
            runs.append((run, None))

    pos = sentence.start
    for lo, hi, offset in _covered(side, sentence):
        gap(pos, lo)
        runs.extend(_tagged(_SPACE.sub(" ", original[lo:hi]), offset, marks, starts))
        pos = hi
    gap(pos, sentence.end)
    # text the key does not hold is inside an edit only when the kept text either side is
    out: list[tuple[str, Tag]] = []
    for i, (run, tag) in enumerate(runs):
        if tag is None:
            before = out[-1][1] if out else _PLAIN
            after = runs[i + 1][1] if i + 1 < len(runs) else _PLAIN
            tag = before if before == after else _PLAIN
        out.append((run, tag))
    return out


def shown(
    side: Prepared, span: tuple[int, int], spans: Iterable[tuple[int, int, str, bool]] = ()
) -> list[Piece]:
    """The shown text of sentences ``span`` as pieces.

    Args:
        side: the prepared document.
        span: half-open range of sentence indices.
        spans: edits as ``(start, end, tag, figure)`` in the joined key (see
            :func:`joined_offsets`); characters outside them are ``equal``; where two
            overlap, the later one wins.
    """
    runs: list[tuple[str, Tag]] = []
    sentences = side.sentences[span[0] : span[1]]
    for k, (sentence, marks) in enumerate(zip(sentences, _marks_by_sentence(sentences, spans))):
        text = _shown_sentence(side, sentence, marks)
        if runs and text and latin_meets(sentences[k - 1], sentence):
            runs.append((" ", _PLAIN))
        runs.extend(text)
    return _pieces(runs)


def _marks_by_sentence(
    sentences: Sequence[Sentence], spans: Iterable[tuple[int, int, str, bool]]
) -> list[list[tuple[int, int, Tag]]]:
    """Per sentence: the edits as disjoint spans of its key-and-mark text, in order."""
    starts = joined_offsets(sentences)
    found: list[list[tuple[int, int, Tag]]] = [[] for _ in sentences]
    for start, end, tag, figure in spans:
        k = max(bisect_right(starts, start) - 1, 0)
        while k < len(sentences) and starts[k] < end:
            # a position is the sentence's that starts last at or before it
            stop = min(end, starts[k + 1]) if k + 1 < len(sentences) else end
            size = len(sentences[k].key) + len(sentences[k].mark)
            lo, hi = max(start - starts[k], 0), min(stop - starts[k], size)
            if hi > lo:
                found[k].append((lo, hi, (tag, figure)))
            k += 1
    return [_paint(marks) for marks in found]


def joined_offsets(sentences: Sequence[Sentence]) -> list[int]:
    """Where each sentence's key starts in the text the inline diff was made on
    (:func:`difftool.align.joined`: keys with the end marks between them)."""
    return joined(sentences)[1]


def _pieces(runs: Iterable[tuple[str, Tag]]) -> list[Piece]:
    """Runs with the same tag joined into pieces."""
    out: list[Piece] = []
    parts: list[str] = []
    last: Tag | None = None
    for text, tag in runs:
        if tag != last and parts:
            assert last is not None
            out.append(Piece("".join(parts), *last))
            parts = []
        parts.append(text)
        last = tag
    if parts and last is not None:
        out.append(Piece("".join(parts).rstrip(), *last))  # collapsed layout may leave a space
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
