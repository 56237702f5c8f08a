"""A Markdown change list that a reviewer can paste into a memo."""

from __future__ import annotations

from difftool.align import Op
from difftool.comparison import Comparison
from difftool.render import display

_TITLES = {
    "change": "Changed",
    "insert": "Inserted",
    "delete": "Removed",
    "move": "Moved",
}


def _escape(text: str) -> str:
    for ch in "\\`*_[]<>|~":
        text = text.replace(ch, "\\" + ch)
    return text


def _inline(op: Op) -> str:
    parts = []
    for tag, text in op.inline:
        if tag == "delete":
            parts.append(f"~~{_escape(text)}~~")
        elif tag == "insert":
            parts.append(f"**{_escape(text)}**")
        else:
            parts.append(_escape(text))
    return "".join(parts)


def _body(comparison: Comparison, op: Op) -> str:
    if op.inline:
        return _inline(op)
    side, span = (comparison.a, op.a_range) if op.op == "delete" else (comparison.b, op.b_range)
    return _escape(display("".join(s.text for s in side.sentences[span[0] : span[1]])))


def render(comparison: Comparison) -> str:
    """The summary and one numbered item per change, with its heading and figures."""
    s = comparison.summary
    lines = [
        f"# Changes from `{comparison.a.document.path}` to `{comparison.b.document.path}`",
        "",
        f"Similarity {comparison.similarity:.1%}: {s['change']} changed, {s['insert']} inserted, "
        f"{s['delete']} removed, {s['move']} moved sentences ({s['equal']} unchanged).",
        "",
    ]
    if not comparison.changes:
        lines.append("No differences.")
    for n, op in enumerate(comparison.changes, 1):
        heading = comparison.heading_before(op)
        where = f" under “{_escape(heading)}”" if heading else ""
        lines.append(f"{n}. **{_TITLES[op.op]}**{where}: {_body(comparison, op)}")
        if op.numbers_a or op.numbers_b:
            old = ", ".join(op.numbers_a) or "none"
            new = ", ".join(op.numbers_b) or "none"
            lines.append(f"   - figures: {old} → {new}")
    return "\n".join(lines) + "\n"
