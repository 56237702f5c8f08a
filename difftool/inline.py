"""Word-level diff inside a changed sentence, and the figures that changed.

Tokens are one per CJK character, per Latin word and per number (``2791.19`` and ``99.99%``
are one token each), so that a changed figure is one change and not a few digits. The
token diff takes the longest common runs first (difflib's matching-blocks order, which
marks fewer unchanged words than a plain LCS: an LCS happily pairs a coincidental ``the``
and leaves the words around it changed). A clean-up then folds a coincidental
one-character match inside a rewritten CJK phrase (a ``的`` or a ``，`` that both
phrases happen to hold) into the edit around it; a whole Latin word or a figure is never
folded. ``benchmarks/bench_inline.py`` measures both against plain difflib.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

Segment = tuple[str, str]
"""``(tag, text)`` with tag ``equal``, ``delete`` or ``insert``."""

_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*%?"  # a number, with its decimals, thousands and percent sign
    r"|[A-Za-z]+(?:['’][A-Za-z]+)*"  # a Latin word
    r"|\s+"
    r"|.",  # anything else: one CJK character, one punctuation mark
    re.DOTALL,
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


def tokens(text: str) -> list[str]:
    """Split a text into diff tokens."""
    return _TOKEN.findall(text)


def numbers(text: str) -> list[str]:
    """The figures in a text, in order."""
    return NUMBER.findall(text)


def changed_numbers(a: str, b: str) -> tuple[list[str], list[str]]:
    """Figures of ``a`` missing from ``b`` and of ``b`` missing from ``a`` (as multisets)."""
    na, nb = numbers(a), numbers(b)
    return _unmatched(na, nb), _unmatched(nb, na)


def _unmatched(items: list[str], others: list[str]) -> list[str]:
    left = Counter(others)
    out: list[str] = []
    for item in items:
        if left[item]:
            left[item] -= 1
        else:
            out.append(item)
    return out


def diff(a: str, b: str) -> list[Segment]:
    """The token diff of ``a`` and ``b`` after semantic clean-up.

    Joining the ``equal`` and ``delete`` texts gives ``a``; ``equal`` and ``insert`` give ``b``.
    """
    ta, tb = tokens(a), tokens(b)
    segments: list[Segment] = []
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(ta[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(tb[j1:j2])))
    return cleanup_semantic(segments)


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbours of one tag; within each run of edits put deletions first."""
    out: list[Segment] = []
    run_del: list[str] = []
    run_ins: list[str] = []

    def flush() -> None:
        if run_del:
            out.append(("delete", "".join(run_del)))
        if run_ins:
            out.append(("insert", "".join(run_ins)))
        run_del.clear()
        run_ins.clear()

    for tag, text in segments:
        if not text:
            continue
        if tag == "delete":
            run_del.append(text)
        elif tag == "insert":
            run_ins.append(text)
        else:
            flush()
            if out and out[-1][0] == "equal":
                out[-1] = ("equal", out[-1][1] + text)
            else:
                out.append(("equal", text))
    flush()
    return out


#: What two rewritten CJK phrases hold by coincidence: function characters and marks.
_COINCIDENTAL = frozenset("的和了是在与及对为中等之并、，,;；:：")


def cleanup_semantic(segments: list[Segment]) -> list[Segment]:
    """Fold a coincidental one-character match inside a rewritten phrase into the edit.

    The match must be one function character or mark, with a replacement (a deletion
    and an insertion, each at least as long) on both sides: ``[-省药品监管局-]{+省局+}``
    stays two phrases, not ``省[-药品监管-]局`` around a lucky ``的``. Whole words and
    figures are never folded: they did not change.
    """
    segments = _merge(segments)
    i = 1
    while i < len(segments) - 1:
        tag, text = segments[i]
        if (
            tag == "equal"
            and text in _COINCIDENTAL
            and _replaced(segments, i, -1, len(text))
            and _replaced(segments, i, +1, len(text))
        ):
            segments[i : i + 1] = [("delete", text), ("insert", text)]
            segments = _merge(segments)
            i = max(1, i - 2)
            continue
        i += 1
    return segments


def _replaced(segments: list[Segment], i: int, step: int, size: int) -> bool:
    """Whether the edit run next to ``i`` both deletes and inserts at least ``size``."""
    deleted = inserted = 0
    j = i + step
    while 0 <= j < len(segments) and segments[j][0] != "equal":
        if segments[j][0] == "delete":
            deleted += len(segments[j][1])
        else:
            inserted += len(segments[j][1])
        j += step
    return deleted >= size and inserted >= size
