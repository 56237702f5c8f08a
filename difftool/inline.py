"""Word-level diff inside a changed sentence, and the figures that changed.

Tokens are one per CJK character, per Latin word and per number (``2791.19`` and ``99.99%``
are one token each), so that a changed figure is one change and not a few digits. After
the token diff, a semantic clean-up (the idea of diff-match-patch's
``diff_cleanupSemantic``) folds short coincidental equalities inside a rewritten phrase
into the edits around them, so that ``省药品监管局法治建设`` -> ``省局法治工作`` reads as
two replaced phrases, not as confetti of single characters.
"""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz.distance import Indel

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
    for op in Indel.opcodes(ta, tb):
        if op.tag in ("equal", "delete", "replace") and op.src_end > op.src_start:
            tag = "equal" if op.tag == "equal" else "delete"
            segments.append((tag, "".join(ta[op.src_start : op.src_end])))
        if op.tag in ("insert", "replace") and op.dest_end > op.dest_start:
            segments.append(("insert", "".join(tb[op.dest_start : op.dest_end])))
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


def cleanup_semantic(segments: list[Segment]) -> list[Segment]:
    """Fold equalities that are no longer than the edits on both sides into those edits.

    A one- or two-character match inside a rewritten phrase is coincidence, not shared
    meaning; a reader wants the old phrase and the new phrase whole.
    """
    segments = _merge(segments)
    changed = True
    while changed:
        changed = False
        for i, (tag, text) in enumerate(segments):
            if tag != "equal" or i == 0 or i == len(segments) - 1:
                continue
            before = _edit_size(segments, i, -1)
            after = _edit_size(segments, i, +1)
            if before and after and len(text) <= min(before, after):
                segments[i : i + 1] = [("delete", text), ("insert", text)]
                segments = _merge(segments)
                changed = True
                break
    return segments


def _edit_size(segments: list[Segment], i: int, step: int) -> int:
    """Length of the larger side (deleted or inserted) of the edit run next to ``i``."""
    deleted = inserted = 0
    j = i + step
    while 0 <= j < len(segments) and segments[j][0] != "equal":
        if segments[j][0] == "delete":
            deleted += len(segments[j][1])
        else:
            inserted += len(segments[j][1])
        j += step
    return max(deleted, inserted)
