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

from rapidfuzz.distance import Indel

Segment = tuple[str, str]
"""``(tag, text)`` with tag ``equal``, ``delete`` or ``insert``."""

#: A figure: thousands groups of three digits (``4,5`` is two figures, ``4,500`` one),
#: decimals, a percent sign.
NUMBER = re.compile(r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)*%?")
_TOKEN = re.compile(
    NUMBER.pattern  # a figure
    + r"|[A-Za-z]+(?:['’][A-Za-z]+)*"  # a Latin word
    r"|\s+"
    r"|.",  # anything else: one CJK character, one punctuation mark
    re.DOTALL,
)


def tokens(text: str) -> list[str]:
    """Split a text into diff tokens."""
    return _TOKEN.findall(text)


#: Texts up to this long (both together) are scored by rapidfuzz's exact Indel
#: similarity; its cost grows with the product of the lengths, so longer ones are scored
#: from the anchored token diff instead (linear, and the same on real edits).
EXACT_SIMILARITY = 20_000


def similarity(a: str, b: str, segments: list[Segment] | None = None, cutoff: float = 0.0) -> float:
    """Share of characters in common, 0..1 (Indel-normalised), in bounded time.

    Long texts are scored from their diff (``segments`` when the caller has it), and
    are 0 when their lengths alone keep the score under ``cutoff`` (as rapidfuzz's
    ``score_cutoff``): a 200,000-character "sentence" against a line of 50 is not diffed.
    """
    if len(a) + len(b) <= EXACT_SIMILARITY:
        return float(Indel.normalized_similarity(a, b))
    if not a and not b:
        return 1.0
    if 2 * min(len(a), len(b)) < cutoff * (len(a) + len(b)):
        return 0.0
    if segments is None:
        ta, tb = tokens(a), tokens(b)
        common = sum(
            sum(len(t) for t in ta[i1:i2])
            for tag, i1, i2, _, _ in opcodes(ta, tb)
            if tag == "equal"
        )
    else:
        common = sum(len(text) for tag, text in segments if tag == "equal")
    return 2 * common / (len(a) + len(b))


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
    for tag, i1, i2, j1, j2 in opcodes(ta, tb):
        if tag == "equal":
            segments.append(("equal", "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(ta[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(tb[j1:j2])))
    return cleanup_semantic(segments)


#: Token sequences up to this long (both sides together) are diffed directly; longer
#: ones are first cut at anchors, so that a 200,000-character "sentence" (a table dump,
#: a PDF whose marks were lost) costs linear time, not quadratic.
DIRECT_TOKENS = 3_000
#: Tokens in an anchor: a run that occurs once on each side.
_ANCHOR_SIZES = (16, 8, 4)


Opcode = tuple[str, int, int, int, int]


def opcodes(ta: list[str], tb: list[str]) -> list[Opcode]:
    """difflib-style opcodes over two token lists, in bounded time for long ones.

    Long inputs are anchored first, as ``git diff --histogram`` does: runs of tokens that
    occur exactly once on each side, kept in order (a longest increasing chain), and only
    the stretches between anchors are diffed; a stretch still too long and without an
    anchor is a deletion plus an insertion.
    """
    out: list[Opcode] = []
    _opcodes(ta, tb, 0, len(ta), 0, len(tb), 0, out)
    return _joined(out)


def _opcodes(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, level: int, out: list[Opcode]
) -> None:
    if a1 - a0 + b1 - b0 <= DIRECT_TOKENS:
        matcher = SequenceMatcher(None, ta[a0:a1], tb[b0:b1], autojunk=False)
        out.extend(
            (t, a0 + i1, a0 + i2, b0 + j1, b0 + j2) for t, i1, i2, j1, j2 in matcher.get_opcodes()
        )
        return
    if level >= len(_ANCHOR_SIZES):
        if a1 > a0:
            out.append(("delete", a0, a1, b0, b0))
        if b1 > b0:
            out.append(("insert", a1, a1, b0, b1))
        return
    size = _ANCHOR_SIZES[level]
    anchors = _anchors(ta, tb, a0, a1, b0, b1, size)
    if not anchors:
        _opcodes(ta, tb, a0, a1, b0, b1, level + 1, out)
        return
    pa, pb = a0, b0
    for i, j in anchors:
        _opcodes(ta, tb, pa, i, pb, j, level + 1, out)
        out.append(("equal", i, i + size, j, j + size))
        pa, pb = i + size, j + size
    _opcodes(ta, tb, pa, a1, pb, b1, level + 1, out)


def _anchors(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, size: int
) -> list[tuple[int, int]]:
    """Runs of ``size`` tokens unique on both sides, in order and not overlapping."""

    def runs(seq: list[str], lo: int, hi: int) -> dict[str, int]:
        # each run keyed by its text: a slice of the joined tokens, at C speed
        joined = "".join(seq[lo:hi])
        starts = [0]
        for token in seq[lo:hi]:
            starts.append(starts[-1] + len(token))
        seen: dict[str, int] = {}
        for k in range(hi - lo - size + 1):
            key = joined[starts[k] : starts[k + size]]
            seen[key] = -1 if key in seen else lo + k
        return seen

    in_a, in_b = runs(ta, a0, a1), runs(tb, b0, b1)
    pairs = sorted((i, in_b[key]) for key, i in in_a.items() if i >= 0 and in_b.get(key, -1) >= 0)
    chain = _increasing(pairs)
    kept: list[tuple[int, int]] = []
    for i, j in chain:
        if not kept or (i >= kept[-1][0] + size and j >= kept[-1][1] + size):
            kept.append((i, j))
    return kept


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of pairs increasing in both coordinates (patience sorting)."""
    from bisect import bisect_left

    tails: list[int] = []  # smallest second coordinate ending a chain of each length
    ends: list[int] = []  # index in pairs of that chain's end
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect_left(tails, j)
        if at == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[at], ends[at] = j, k
        back[k] = ends[at - 1] if at else -1
    chain: list[tuple[int, int]] = []
    k = ends[-1] if ends else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def _joined(ops: list[Opcode]) -> list[Opcode]:
    """Neighbouring opcodes of one tag joined; empty ones dropped."""
    out: list[Opcode] = []
    for op in ops:
        if op[2] == op[1] and op[4] == op[3]:
            continue
        if out and out[-1][0] == op[0] == "equal" and out[-1][2] == op[1] and out[-1][4] == op[3]:
            out[-1] = ("equal", out[-1][1], op[2], out[-1][3], op[4])
        else:
            out.append(op)
    return out


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
