"""The shown text of sentences: run-based, equal to its per-character definition, and
bounded in memory on a file-sized sentence."""

from __future__ import annotations

import io
import random
import tracemalloc
from pathlib import Path

from conftest import SEED_000, SEED_001, SEED_002
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from difftool import redline, variants
from difftool.comparison import compare, compare_files
from difftool.load import load_text
from difftool.pipeline import Prepared, prepare_text
from difftool.render import batches, terminal

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "national_work_reports"


def prepared(text: str) -> Prepared:
    return prepare_text(load_text(text.encode("utf-8")))


def latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def reference_shown(
    side: Prepared, span: tuple[int, int], spans: list[tuple[int, int, str, bool]]
) -> list[redline.Piece]:
    """What the shown text is, one character at a time: each original character the key
    keeps, with the tag of the last edit over its key offset; a character the key does
    not hold is shown (unless it is layout: whitespace, or a run across a line break)
    and is inside an edit only when the kept characters either side are."""
    sentences = side.sentences[span[0] : span[1]]
    starts = redline.joined_offsets(sentences)
    tags: list[dict[int, tuple[str, bool]]] = [{} for _ in sentences]
    for start, end, tag, figure in spans:
        for pos in range(start, end):
            k = max(i for i, s in enumerate(starts) if s <= pos)
            if pos - starts[k] < len(sentences[k].key) + len(sentences[k].mark):
                tags[k][pos - starts[k]] = (tag, figure)
    plain = ("equal", False)
    chars: list[tuple[str, tuple[str, bool]]] = []
    for k, sentence in enumerate(sentences):
        covered = {
            side.normalised.offsets(p): p - sentence.norm_start
            for p in range(sentence.norm_start, sentence.norm_end)
        }
        text: list[tuple[str, tuple[str, bool] | None]] = []
        pos = sentence.start
        while pos < sentence.end:
            if pos in covered:
                ch = side.document.text[pos]
                text.append((" " if ch.isspace() else ch, tags[k].get(covered[pos], plain)))
                pos += 1
                continue
            end = pos
            while end < sentence.end and end not in covered:
                end += 1
            run = side.document.text[pos:end]
            if "\n" not in run and "\f" not in run and not run.isspace():
                text.extend((ch, None) for ch in run)
            pos = end
        # Latin text either side of a sentence end: one space (``it.`` / ``Next``)
        last, mark = sentences[k - 1].key[-1:], sentences[k - 1].mark
        if chars and text and latin(last) and mark.isascii() and latin(sentence.key[:1]):
            chars.append((" ", plain))
        for i, (ch, tag) in enumerate(text):
            if tag is None:
                before = next((t for _, t in reversed(text[:i]) if t is not None), plain)
                after = next((t for _, t in text[i + 1 :] if t is not None), plain)
                tag = before if before == after else plain
            chars.append((ch, tag))
    pieces: list[redline.Piece] = []
    for ch, tag in chars:
        if pieces and (pieces[-1].tag, pieces[-1].figure) == tag:
            pieces[-1] = redline.Piece(pieces[-1].text + ch, *tag)
        else:
            pieces.append(redline.Piece(ch, *tag))
    if pieces:
        pieces[-1] = pieces[-1]._replace(text=pieces[-1].text.rstrip())
    return [p for p in pieces if p.text]


def hostile_pairs() -> list[tuple[str, str]]:
    """Report pairs in the layouts real files have (PDF wraps inside figures and words,
    Markdown, Traditional script), and worse: every character spaced out, a wrap
    before every comma, ligatures, tabs and odd spaces."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))[-12:]]
    pairs = [(a, b) for a, b, _ in variants.generated_pairs(texts, 16, seed=3)]
    rng = random.Random(4)
    for a, b in list(pairs[:6]):
        pairs.append((" ".join(a), b.replace("，", "\n，")))
        pairs.append(
            (a.replace("。", "。\t\u3000"), "".join(c * (rng.random() < 0.01) + c for c in b))
        )
    english = (
        "The ﬁrst ﬁgure rose by 12.5 per cent.\nIt was ﬂat in 2019, and the ﬁnal   ﬁgure"
        " is 3,106.\n\nA new line  here. Then another  one!"
    )
    edited = (
        "The first figure rose by 12.6 per cent. It was flat in 2018,\nand the final figure"
        " is 3,107. A new line here. Then another one?"
    )
    pairs += [(english, edited), (edited, english)]
    return pairs


def test_shown_text_is_its_per_character_definition_on_hostile_pairs():
    checked = edited = 0
    for a_text, b_text in hostile_pairs():
        for strict in (False, True):
            c = compare(prepared(a_text), prepared(b_text), strict=strict)
            for op in c.ops:
                if op.op != "change" or op.layout_only:
                    continue
                old_spans, new_spans = redline._edit_spans(op)
                for side, span, spans in (
                    (c.a, op.a_range, redline._ordered(old_spans)),
                    (c.b, op.b_range, redline._ordered(new_spans)),
                ):
                    assert redline.shown(side, span, spans) == reference_shown(side, span, spans)
                    checked += 1
                    edited += bool(spans)
            for side in (c.a, c.b):
                whole = (0, len(side.sentences))
                assert redline.shown(side, whole) == reference_shown(side, whole, [])
    assert checked > 300 and edited > 300  # the pairs did have edits to show


def test_a_ligature_shows_once_with_the_tag_of_its_last_letter():
    """``ﬁ`` becomes two key characters mapped to one original: the original shows once."""
    c = compare(prepared("The ﬁrst ﬁgure rose."), prepared("The fist figure rose."))
    old, new = redline.sides(c.a, c.b, c.changes[0])
    assert redline.plain(old) == "The ﬁrst ﬁgure rose."
    assert redline.plain(new) == "The fist figure rose."
    assert old == reference_shown(
        c.a, c.changes[0].a_range, redline._ordered(redline._edit_spans(c.changes[0])[0])
    )


def test_a_file_sized_sentence_is_shown_in_bounded_memory():
    """A 600,000-character "sentence" without full stops (a table dump) with a space
    inside every figure: per-character lists and dicts took about 480 bytes a character;
    runs take about 50 here (a run for each of the 80,000 places normalisation edited)."""
    text = ("增长1 2.5%，" * 3 + "abc ") * 20_000
    side = prepared(text)
    assert len(side.sentences) == 1
    assert side.normalised.offsets.new  # composed on first use: the normaliser's, not shown's
    tracemalloc.start()
    try:
        shown = redline.sentence_text(side, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the file's own text, less the layout spaces the key drops (inside a figure,
    # between Latin and CJK)
    assert shown == text.replace("1 2", "12").replace("c 增", "c增").rstrip()
    assert peak < 80 * len(text), peak / len(text)


def render(renderable: object, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_report_printed_in_batches_is_the_report_printed_whole():
    console = Console(width=80, file=io.StringIO(), color_system=None)
    for a, b in ((SEED_000, SEED_001), (SEED_002, SEED_000)):
        comparison = compare_files(a, b)
        for options in ({}, {"side_by_side": True}, {"verbose": True, "figures": True}):
            view = terminal.view(comparison, **options)  # type: ignore[arg-type]
            parts = list(batches(view, console, rows=7))
            if "side_by_side" not in options:  # a hunk's rows were cut into batches
                assert len(parts) > 3
            assert "".join(render(p, 80) for p in parts) == render(view, 80)


def test_a_row_longer_than_rich_wraps_is_folded_at_the_width():
    """Above ``_LONG_ROW`` characters a row is folded by cell width (CJK characters are
    two cells), every character kept, no row wider than the terminal."""
    body = ("增长12.5%，" * 3 + "abc ") * (terminal._LONG_ROW // 20)
    side = prepared(body)
    comparison = compare(prepared("前言。"), side)
    out = render(terminal.view(comparison, context=0), 61)
    rows = [r for r in out.split("\n") if r.startswith(("+ ", "  "))]
    assert len(body) > terminal._LONG_ROW and len(rows) >= len(body) // 59
    assert all(cell_len(r) <= 61 for r in rows)
    assert "".join(r[2:] for r in rows) == body.replace("c 增", "c增").rstrip()
    # rich's own wrapping of such a row keeps about 110 bytes a character
    row = Text(body * 4)
    tracemalloc.start()
    try:
        folded = terminal._wrapped(row, Console(width=61, file=io.StringIO()), 59)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "".join(r.plain for r in folded) == row.plain
    assert peak < 40 * len(row), peak / len(row)
