"""Render a comparison: terminal (rich), JSON, Markdown, unified diff."""

from __future__ import annotations

import re

_LAYOUT_BREAK = re.compile(r"\s*\n\s*")


def display(text: str) -> str:
    """An original sentence for display: hard line wraps and their blank lines joined."""
    return _LAYOUT_BREAK.sub(_join, text.strip())


def _join(m: re.Match[str]) -> str:
    # a wrap between two Latin words keeps a space; CJK text joins directly
    s, e = m.start(), m.end()
    text = m.string
    left = text[s - 1] if s else ""
    right = text[e] if e < len(text) else ""
    return " " if left.isascii() and right.isascii() and left.isalnum() and right.isalnum() else ""
