"""A unified diff over sentences, one sentence per line, for tools that read patches."""

from __future__ import annotations

import difflib

from difftool.comparison import Comparison


def render(comparison: Comparison, *, context: int = 3) -> str:
    """``---``/``+++`` headers and ``@@`` hunks over the two documents' sentence keys
    (their originals in ``--strict`` mode)."""
    if comparison.strict:
        a = [s.text for s in comparison.a.sentences]
        b = [s.text for s in comparison.b.sentences]
    else:
        a = [s.key for s in comparison.a.sentences]
        b = [s.key for s in comparison.b.sentences]
    lines = difflib.unified_diff(
        a,
        b,
        fromfile=comparison.a.document.path,
        tofile=comparison.b.document.path,
        n=context,
        lineterm="",
    )
    return "\n".join(line.replace("\n", " ") for line in lines)
