"""A Markdown change list that a reviewer can paste into a memo.

Each change is a numbered item with its heading and location; each sentence of it is a
line of its own, in the file's own text: ``~~deleted~~`` and ``**inserted**`` words.
"""

from __future__ import annotations

from collections.abc import Iterable

from difftool import redline
from difftool.align import Op
from difftool.comparison import Comparison
from difftool.pipeline import Prepared
from difftool.render import percent, printable, summary_counts

_TITLES = {
    "change": "Changed",
    "insert": "Inserted",
    "delete": "Removed",
    "move": "Moved",
    "punctuation": "Punctuation",
}


def _escape(text: str) -> str:
    text = printable(text)
    for ch in "\\`*_[]<>|~#":
        text = text.replace(ch, "\\" + ch)
    return text


def _marked(pieces: Iterable[redline.Piece], whole: bool) -> str:
    parts = []
    for piece in pieces:
        text = _escape(piece.text)
        if whole or piece.tag == "equal":
            parts.append(text)
        elif piece.tag == "delete":
            parts.append(f"~~{text}~~")
        else:
            parts.append(f"**{text}**")
    return "".join(parts)


def _sentences(side: Prepared, span: tuple[int, int], label: str) -> list[str]:
    """One item a sentence: removed, inserted or moved unedited."""
    return [f"   - {label}: {_escape(redline.sentence_text(side, i))}" for i in range(*span)]


def _lines(comparison: Comparison, op: Op) -> list[str]:
    if op.op == "delete":
        return _sentences(comparison.a, op.a_range, "old")
    if op.op == "insert":
        return _sentences(comparison.b, op.b_range, "new")
    if op.op == "move" and not op.inline:
        old_lines = _sentences(comparison.a, op.a_range, "old")
        return old_lines + _sentences(comparison.b, op.b_range, "new")
    old, new = redline.sides(comparison.a, comparison.b, op)
    return [f"   - old: {_marked(old, False)}", f"   - new: {_marked(new, False)}"]


def _where(comparison: Comparison, op: Op) -> str:
    la = redline.location(comparison.a, op.a_range)
    lb = redline.location(comparison.b, op.b_range)
    return f" (a {la}; b {lb})" if la and lb else ""


def render(comparison: Comparison) -> str:
    """The summary and one numbered item per change, with its heading and figures."""
    lines = [
        f"# Changes from `{printable(comparison.a.document.path)}` to "
        f"`{printable(comparison.b.document.path)}`",
        "",
        f"Similarity {percent(comparison.similarity, comparison.differs)}: "
        f"{summary_counts(comparison)}.",
        "",
    ]
    if not comparison.changes:
        lines.append("No differences.")
    for n, op in enumerate(comparison.changes, 1):
        heading = comparison.heading_before(op)
        where = f" under “{_escape(heading)}”" if heading else ""
        title = _TITLES[op.op] + (" (edited)" if op.edited else "")
        lines.append(f"{n}. **{title}**{where}{_where(comparison, op)}")
        lines.extend(_lines(comparison, op))
        if op.numbers_a or op.numbers_b:
            old = ", ".join(op.numbers_a) or "none"
            new = ", ".join(op.numbers_b) or "none"
            lines.append(f"   - figures: {old} → {new}")
    return "\n".join(lines) + "\n"
