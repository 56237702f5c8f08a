"""The terminal view: a summary line, then the changes in hunks under their headings.

Each hunk has a header (kinds, heading, lines in each file), dimmed context, and the
old (``-``) and new (``+``) text of each change in the file's own text, with the edited
words highlighted by span: in colour (deletions red and struck through, insertions
green and underlined, changed figures reversed), or with git's word-diff markers
``[-…-]`` and ``{+…+}`` when there is no colour.

Everything is a rich renderable, so tests render it into a ``Console`` writing to a
``StringIO`` and compare text; rich measures CJK characters as two cells, so columns
line up in ``--side-by-side``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.rule import Rule
from rich.text import Text

from difftool import redline
from difftool.align import Op
from difftool.comparison import Comparison
from difftool.render import LABELS, Hunk, hunks, percent, printable, summary_counts

DELETE = "bold red strike"
INSERT = "bold green underline"
FIGURE = " reverse"
REMOVED = "red"
ADDED = "green"
CONTEXT = "dim"
_MARKER_STYLE = {"-": "bold red", "+": "bold green", " ": ""}
WORD_DIFF_MODES = ("auto", "color", "plain", "none")


def resolve_word_diff(word_diff: str, console: Console) -> str:
    """``auto``: colour when the console colours, git's markers when it does not."""
    if word_diff != "auto":
        return word_diff
    return "color" if console.color_system and not console.no_color else "plain"


def pieces_text(pieces: Iterable[redline.Piece], base: str, word_diff: str) -> Text:
    """Shown pieces as a Text: edits styled by span, or wrapped in git's markers."""
    pieces = list(pieces)
    text = Text()
    if pieces and all(p.tag != "equal" for p in pieces):  # a whole sentence: its marker says it
        for piece in pieces:
            style = base + (" strike" if piece.tag == "delete" else "")
            text.append(printable(piece.text), style=style)
        return text
    for piece in pieces:
        body = printable(piece.text)
        if piece.tag == "equal" or word_diff == "none":
            text.append(body, style=base if piece.tag != "equal" else "")
        elif word_diff == "plain":
            open_, close = ("[-", "-]") if piece.tag == "delete" else ("{+", "+}")
            text.append(f"{open_}{body}{close}")
        else:
            style = DELETE if piece.tag == "delete" else INSERT
            text.append(body, style=style + (FIGURE if piece.figure else ""))
    return text


#: git's word-diff markers, which a row's end must not cut in two.
_MARKS = frozenset(("[-", "-]", "{+", "+}"))


#: Longer rows are folded here, not wrapped by rich: rich's wrapping of one line keeps
#: about 110 bytes for each of its characters (a file-sized sentence took gigabytes).
_LONG_ROW = 20_000


def _wrapped(body: Text, console: Console, width: int) -> list[Text]:
    """``body`` in rows of ``width`` cells. CJK text has no spaces to wrap at, so rich
    folds it at any character, and would cut a marker in two (``省局法治{`` / ``+工作+}``);
    such a body is folded here, one character earlier where the cell limit falls inside
    a marker. Text with spaces wraps at them, as rich does, unless the row is longer
    than ``_LONG_ROW`` characters: then it is folded here too, words and all."""
    plain = body.plain
    if len(plain) <= width and "\n" not in plain and "\t" not in plain and cell_len(plain) <= width:
        return [body]  # one row as it is: most rows (rich wraps it again when printing)
    if len(plain) <= _LONG_ROW and (
        not any(mark in plain for mark in _MARKS) or any(ch.isspace() for ch in plain)
    ):
        return _wrapped_at_spaces(body, console, width)
    offsets: list[int] = []
    start = used = 0
    # each distinct character measured once: a file-sized row asked rich 4.6 million
    # times for 2 million characters (most of its report's time)
    size = {ch: cell_len(ch) for ch in set(plain)}
    for i, ch in enumerate(plain):
        cells = size[ch]
        if used + cells <= width or i == start:
            used += cells
            continue
        cut = i - 1 if plain[i - 1 : i + 1] in _MARKS and i - 1 > start else i
        offsets.append(cut)
        start = cut
        used = sum(size[c] for c in plain[cut : i + 1])
    return list(body.divide(offsets))


#: Stands in for a space of an edit while rich wraps a row (a private-use character:
#: not whitespace to rich, one cell wide like the space).
_HELD = "\ue000"
#: An edit marked with git's markers, its text between them.
_MARKED = re.compile(r"\{\+.*?\+\}|\[-.*?-\]", re.DOTALL)
_EDIT_STYLES = frozenset((DELETE, INSERT, DELETE + FIGURE, INSERT + FIGURE))


def _wrapped_at_spaces(body: Text, console: Console, width: int) -> list[Text]:
    """Rich's wrapping at spaces, except inside an edit: a wrap there swallowed the
    edit's spaces (``{+`` / ``+}``, an underline of nothing), so an edit's spaces are
    held while rich wraps and put back in each row."""
    plain = body.plain
    held = [m.span() for m in _MARKED.finditer(plain)] + [
        (span.start, span.end) for span in body.spans if str(span.style) in _EDIT_STYLES
    ]
    if _HELD in plain or not any(ch.isspace() for start, end in held for ch in plain[start:end]):
        return list(body.wrap(console, width, overflow="fold"))
    chars = list(plain)
    for start, end in held:
        for i in range(start, end):
            if chars[i].isspace():
                chars[i] = _HELD
    kept = body.copy()
    kept.plain = "".join(chars)
    rows = list(kept.wrap(console, width, overflow="fold"))
    for row in rows:  # a held space is no whitespace to rich: each one is still there
        row.plain = row.plain.replace(_HELD, " ")
    return rows


class _Folded:
    """A side-by-side cell: its lines folded by :func:`_wrapped` at the column's width."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.text.split("\n"):
            yield from _wrapped(line, console, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)


def _marked(marker: str, body: Text, console: Console, width: int) -> Iterator[Text]:
    """A marked row with a hanging indent: long CJK lines wrap under the text, not under
    the marker, and each row's highlights stay on their own characters."""
    for k, piece in enumerate(_wrapped(body, console, max(width - 2, 4))):
        line = Text()
        line.append(f"{marker} " if k == 0 else "  ", style=_MARKER_STYLE[marker])
        line.append_text(piece)
        yield line


def _title(comparison: Comparison, hunk: Hunk) -> Text:
    first = hunk.changes[0]
    kinds: list[str] = []
    for op in hunk.changes:
        label = LABELS[op.op]
        if op.op == "move":
            label += " (edited)" if op.edited else ""
        if op.layout_only:
            label += " (layout, punctuation or script only)"
        if label not in kinds:
            kinds.append(label)
    title = ", ".join(kinds)
    heading = comparison.heading_before(first)
    where = f" · {printable(heading)}" if heading else ""
    last = hunk.changes[-1]
    locations = _where(comparison, first, last)
    return Text(f"{title}{where}{locations}", style="bold")


def _header(comparison: Comparison, hunk: Hunk, width: int) -> Iterable[RenderableType]:
    """The hunk's title in a rule; above a plain rule when the terminal is too narrow to
    hold it, so that the lines of each file are never cut off."""
    title = _title(comparison, hunk)
    if title.cell_len + 4 <= width:
        yield Rule(title, align="left", style="blue")
        return
    yield title
    yield Rule(style="blue")


def _where(comparison: Comparison, first: Op, last: Op) -> str:
    span_a = (first.a_range[0], max(last.a_range[1], first.a_range[0]))
    span_b = (first.b_range[0], max(last.b_range[1], first.b_range[0]))
    if first.op == "move" and first is last:
        span_a = first.a_range
    la, lb = redline.location(comparison.a, span_a), redline.location(comparison.b, span_b)
    parts = [f"a {la}" if la else "", f"b {lb}" if lb else ""]
    return " · " + " · ".join(p for p in parts if p) if any(parts) else ""


def _context(comparison: Comparison, op: Op | None, count: int, *, before: bool) -> list[Text]:
    if op is None or count <= 0:
        return []
    start, end = op.b_range
    picked = (
        range(max(start, end - count), end) if before else range(start, min(end, start + count))
    )
    return [Text(printable(redline.sentence_text(comparison.b, i)), style=CONTEXT) for i in picked]


def figures_line(op: Op) -> Text | None:
    """``figures: 4377 → 4378`` for an op whose figures changed."""
    if not (op.numbers_a or op.numbers_b):
        return None
    text = Text("figures: ", style="bold yellow")
    text.append(", ".join(op.numbers_a) or "–", style=REMOVED)
    text.append(" → ")
    text.append(", ".join(op.numbers_b) or "–", style=ADDED + " bold")
    return text


def sentence_rows(
    comparison: Comparison, op: Op, word_diff: str, old: bool | None = None
) -> Iterator[Text]:
    """The rows of a removed or inserted run (or of one side of a moved block, ``old``
    or not), one a sentence, made as they are asked for."""
    old = op.op == "delete" if old is None else old
    side, span, base = (
        (comparison.a, op.a_range, REMOVED) if old else (comparison.b, op.b_range, ADDED)
    )
    tag = "delete" if old else "insert"
    for i in range(*span):
        yield pieces_text([redline.Piece(redline.sentence_text(side, i), tag)], base, word_diff)


def op_rows(comparison: Comparison, op: Op, word_diff: str) -> tuple[list[Text], list[Text]]:
    """The old and the new rows of a change: one row a sentence for removed and inserted
    runs and for a block moved unedited, one row a side for a change (a split or merge
    included)."""
    if op.op in ("delete", "insert"):
        rows = list(sentence_rows(comparison, op, word_diff))
        return (rows, []) if op.op == "delete" else ([], rows)
    if op.op == "move" and not op.inline:
        return (
            list(sentence_rows(comparison, op, word_diff, old=True)),
            list(sentence_rows(comparison, op, word_diff, old=False)),
        )
    old, new = redline.sides(comparison.a, comparison.b, op)
    rows_old = [pieces_text(old, REMOVED, word_diff)] if old else []
    rows_new = [pieces_text(new, ADDED, word_diff)] if new else []
    return rows_old, rows_new


class Summary:
    """The header: both paths, then similarity and counts."""

    def __init__(self, comparison: Comparison, verbose: bool = False) -> None:
        self.comparison = comparison
        self.verbose = verbose

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        c = self.comparison
        head = Text()
        head.append(f"--- {printable(c.a.document.path)}\n", style="red")
        head.append(f"+++ {printable(c.b.document.path)}\n", style="green")
        if self.verbose:
            for label, side in (("a", c.a), ("b", c.b)):
                notes = "; ".join(side.notes) or "no normalisation needed"
                head.append(
                    f"{label}: {side.document.encoding}, {len(side.sentences)} sentences: {notes}\n",
                    style="dim",
                )
        head.append(f"similarity {percent(c.similarity, c.differs)}", style="bold")
        head.append(" · " + summary_counts(c))
        if c.strict:
            head.append(" · strict", style="yellow")
            if not c.changes and not c.same_bytes:
                if c.a.document.text == c.b.document.text:
                    encodings = f"{c.a.document.encoding} and {c.b.document.encoding}"
                    head.append(f"\nthe texts are the same; the bytes differ ({encodings})")
                else:
                    head.append("\nthe texts differ only between sentences (line breaks, spacing)")
        yield head


class _Hunk:
    def __init__(
        self, comparison: Comparison, hunk: Hunk, context: int = 1, word_diff: str = "auto"
    ) -> None:
        self.comparison = comparison
        self.hunk = hunk
        self.context = context
        self.word_diff = word_diff


class HunkView(_Hunk):
    """One hunk: header rule, context before, each change, context after."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.streamed_rows(console, options.max_width)

    def streamed_rows(self, console: Console, width: int) -> Iterator[RenderableType]:
        """The hunk's rows, header first, each made when it is asked for (see
        :func:`difftool.render.batches`)."""
        c, hunk = self.comparison, self.hunk
        mode = resolve_word_diff(self.word_diff, console)
        yield from _header(c, hunk, width)
        for line in _context(c, hunk.before, self.context, before=True):
            yield from _marked(" ", line, console, width)
        for op in hunk.ops:
            if op.op == "equal":
                for i in range(*op.b_range):
                    line = Text(printable(redline.sentence_text(c.b, i)), style=CONTEXT)
                    yield from _marked(" ", line, console, width)
                continue
            if op.op == "move":
                where = redline.location(c.a, op.a_range)
                yield from _marked(
                    " ", Text(f"(moved from a {where})", style="yellow"), console, width
                )
            if op.op in ("delete", "insert"):
                marker = "-" if op.op == "delete" else "+"
                for line in sentence_rows(c, op, mode):
                    yield from _marked(marker, line, console, width)
            else:
                old, new = op_rows(c, op, mode)
                for line in old:
                    yield from _marked("-", line, console, width)
                for line in new:
                    yield from _marked("+", line, console, width)
            figures = figures_line(op)
            if figures is not None:
                yield from _marked(" ", figures, console, width)
        for line in _context(c, hunk.after, self.context, before=False):
            yield from _marked(" ", line, console, width)


class SideBySideHunk(_Hunk):
    """One hunk in two columns, old and new, with its header, context and figures."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table  # only the side-by-side view needs it

        c, hunk = self.comparison, self.hunk
        mode = resolve_word_diff(self.word_diff, console)
        yield from _header(c, hunk, options.max_width)
        table = Table(expand=True, show_lines=True, show_header=False)
        table.add_column(ratio=1, overflow="fold")
        table.add_column(ratio=1, overflow="fold")
        for line in _context_pairs(c, hunk.before, self.context, before=True):
            table.add_row(*line)
        for op in hunk.ops:
            if op.op == "equal":
                for line in _context_pairs(c, op, op.b_range[1] - op.b_range[0], before=False):
                    table.add_row(*line)
                continue
            old, new = op_rows(c, op, mode)
            table.add_row(_Folded(Text("\n").join(old)), _Folded(Text("\n").join(new)))
            figures = figures_line(op)
            if figures is not None:
                table.add_row(figures, "")
        for line in _context_pairs(c, hunk.after, self.context, before=False):
            table.add_row(*line)
        yield table


def _context_pairs(
    comparison: Comparison, op: Op | None, count: int, *, before: bool
) -> list[tuple[Text, Text]]:
    if op is None or count <= 0:
        return []
    (a0, a1), (b0, b1) = op.a_range, op.b_range
    n = min(count, b1 - b0, a1 - a0)
    ia = range(a1 - n, a1) if before else range(a0, a0 + n)
    ib = range(b1 - n, b1) if before else range(b0, b0 + n)
    return [
        (
            Text(printable(redline.sentence_text(comparison.a, i)), style=CONTEXT),
            Text(printable(redline.sentence_text(comparison.b, j)), style=CONTEXT),
        )
        for i, j in zip(ia, ib)
    ]


class FiguresTable:
    """Every changed figure in the document: old → new, with its heading and lines."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table

        c = self.comparison
        table = Table(title="changed figures", title_justify="left", expand=False)
        for name in ("old", "new", "heading", "where"):
            table.add_column(name, overflow="fold")
        for op in c.changes:
            if not (op.numbers_a or op.numbers_b):
                continue
            la, lb = redline.location(c.a, op.a_range), redline.location(c.b, op.b_range)
            table.add_row(
                Text(", ".join(op.numbers_a) or "–", style=REMOVED),
                Text(", ".join(op.numbers_b) or "–", style=ADDED),
                printable(c.heading_before(op) or ""),
                f"a {la} · b {lb}",
            )
        if table.row_count:
            yield table
        else:
            yield Text("no figure changed")


def view(
    comparison: Comparison,
    *,
    context: int = 1,
    side_by_side: bool = False,
    verbose: bool = False,
    word_diff: str = "auto",
    figures: bool = False,
) -> RenderableType:
    """The whole terminal view of a comparison.

    Args:
        comparison: what to show.
        context: sentences of context around each hunk.
        side_by_side: two columns instead of ``-``/``+`` rows.
        verbose: list what loading and normalising did.
        word_diff: ``color`` (styles), ``plain`` (``[-…-]{+…+}``), ``none``, or ``auto``
            (colour when the console colours, else plain).
        figures: end with the table of changed figures.
    """
    if word_diff not in WORD_DIFF_MODES:
        raise ValueError(f"word_diff must be one of {WORD_DIFF_MODES}, got {word_diff!r}")
    parts: list[RenderableType] = [Summary(comparison, verbose)]
    kind = SideBySideHunk if side_by_side else HunkView
    parts.extend(kind(comparison, h, context, word_diff) for h in hunks(comparison.ops, context))
    if figures:
        parts.append(FiguresTable(comparison))
    return Group(*parts)
