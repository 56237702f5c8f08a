"""The terminal view: a summary line, then each change under its heading, with the changed
words highlighted (deletions red and struck through, insertions green) and dimmed context.

Everything is a rich renderable, so tests render it into a ``Console`` writing to a
``StringIO`` and compare text; rich measures CJK characters as two cells, so columns
line up in ``--side-by-side``.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.rule import Rule
from rich.text import Text

from difftool.align import Op
from difftool.comparison import Comparison
from difftool.pipeline import Prepared
from difftool.render import display

DELETE = "red strike"
_BLANK = Text("  ")
_MINUS = Text("- ", style="red bold")
_PLUS = Text("+ ", style="green bold")
INSERT = "green"
CONTEXT = "dim"
_LABELS = {"change": "changed", "insert": "inserted", "delete": "removed", "move": "moved"}


def _sentences(side: Prepared, span: tuple[int, int], style: str) -> list[Text]:
    return [Text(display(s.text), style=style) for s in side.sentences[span[0] : span[1]]]


def _old_new(comparison: Comparison, op: Op) -> tuple[list[Text], list[Text]]:
    """The old and the new lines of an op, with the changed words styled."""
    if op.inline:
        old, new = Text(), Text()
        for tag, text in op.inline:
            if tag in ("equal", "delete"):
                old.append(text, style=DELETE if tag == "delete" else "")
            if tag in ("equal", "insert"):
                new.append(text, style=INSERT + " bold" if tag == "insert" else "")
        return [old], [new]
    return _sentences(comparison.a, op.a_range, DELETE), _sentences(
        comparison.b, op.b_range, INSERT
    )


def _figures(op: Op) -> Text | None:
    if not (op.numbers_a or op.numbers_b):
        return None
    text = Text("figures: ", style="bold yellow")
    text.append(", ".join(op.numbers_a) or "–", style=DELETE)
    text.append(" → ")
    text.append(", ".join(op.numbers_b) or "–", style=INSERT + " bold")
    return text


class Summary:
    """The one-line summary: similarity and counts."""

    def __init__(self, comparison: Comparison, verbose: bool = False) -> None:
        self.comparison = comparison
        self.verbose = verbose

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        c = self.comparison
        s = c.summary
        head = Text()
        head.append(f"--- {c.a.document.path}\n", style="red")
        head.append(f"+++ {c.b.document.path}\n", style="green")
        if self.verbose:
            for label, side in (("a", c.a), ("b", c.b)):
                notes = "; ".join(side.notes) or "no normalisation needed"
                head.append(
                    f"{label}: {side.document.encoding}, {len(side.sentences)} sentences: {notes}\n",
                    style="dim",
                )
        head.append(f"similarity {c.similarity:.1%}", style="bold")
        head.append(
            f" · {s['change']} changed · {s['insert']} inserted · {s['delete']} removed"
            f" · {s['move']} moved · {s['equal']} unchanged"
        )
        if c.strict:
            head.append(" · strict", style="yellow")
            if not c.changes and not c.same_bytes:
                if c.a.document.text == c.b.document.text:
                    encodings = f"{c.a.document.encoding} and {c.b.document.encoding}"
                    head.append(f"\nthe texts are the same; the bytes differ ({encodings})")
                else:
                    head.append("\nthe texts differ only between sentences (line breaks, spacing)")
        yield head


class Change:
    """One change: heading, context before, old and new text, figures, context after."""

    def __init__(self, comparison: Comparison, op: Op, context: int = 1) -> None:
        self.comparison = comparison
        self.op = op
        self.context = context

    def _context(self, before: bool) -> list[Text]:
        c, op = self.comparison, self.op
        side, start, end = (c.a, *op.a_range) if op.op == "delete" else (c.b, *op.b_range)
        if self.context <= 0:
            return []
        if before:
            picked = side.sentences[max(0, start - self.context) : start]
        else:
            picked = side.sentences[end : end + self.context]
        return [Text(display(s.text), style=CONTEXT) for s in picked]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        c, op = self.comparison, self.op
        heading = c.heading_before(op)
        title = _LABELS[op.op]
        if op.op == "move":
            title += f" from sentence {op.a_range[0] + 1} of a"
        if op.layout_only:
            title += " (layout, punctuation or script only)"
        where = f" · {heading}" if heading else ""
        yield Rule(Text(f"{title}{where}", style="bold"), align="left", style="blue")
        # a hanging indent keeps the markers in their own column: long CJK lines wrap
        # under the text, not under the marker
        width = options.max_width - 2
        rows: list[tuple[Text, Text]] = [(_BLANK, line) for line in self._context(before=True)]
        old, new = _old_new(c, op)
        rows += [(_MINUS, line) for line in old]
        rows += [(_PLUS, line) for line in new]
        figures = _figures(op)
        if figures is not None:
            rows.append((_BLANK, figures))
        rows += [(_BLANK, line) for line in self._context(before=False)]
        for marker, body in rows:
            for k, piece in enumerate(body.wrap(console, width, overflow="fold")):
                yield (marker if k == 0 else _BLANK) + piece


class SideBySide:
    """Two columns, old and new, one row per change."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table  # only the side-by-side view needs it

        c = self.comparison
        table = Table(expand=True, show_lines=True)
        table.add_column("", no_wrap=True, style="bold")
        table.add_column(c.a.document.path, ratio=1, overflow="fold")
        table.add_column(c.b.document.path, ratio=1, overflow="fold")
        for op in c.changes:
            old, new = _old_new(c, op)
            table.add_row(_LABELS[op.op], Text("\n").join(old), Text("\n").join(new))
        yield table


def view(
    comparison: Comparison, *, context: int = 1, side_by_side: bool = False, verbose: bool = False
) -> RenderableType:
    """The whole terminal view of a comparison."""
    parts: list[RenderableType] = [Summary(comparison, verbose)]
    if side_by_side and comparison.changes:
        parts.append(SideBySide(comparison))
    else:
        parts.extend(Change(comparison, op, context) for op in comparison.changes)
    return Group(*parts)
