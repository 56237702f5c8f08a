"""Word-level diff inside a changed sentence, and the figures that changed.

Tokens are one per CJK character, per Latin word and per number (``2791.19`` and ``99.99%``
are one token each), so that a changed figure is one change and not a few digits. The
token diff takes the longest common runs first (difflib's matching-blocks order, which
marks fewer unchanged words than a plain LCS: an LCS happily pairs a coincidental ``the``
and leaves the words around it changed). A clean-up then folds a coincidental
one-character match inside a rewritten CJK phrase (a ``的`` or a ``，`` that both
phrases happen to hold) into the edit around it; a whole Latin word or a figure is never
folded. ``benchmarks/bench_inline.py`` measures both against plain difflib. A stretch
drawn from a handful of tokens, where the longest-run search would cost a multiple of
the product of its lengths, is matched as a longest common subsequence instead
(:func:`_matched`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate, chain, islice
from typing import TYPE_CHECKING

from rapidfuzz.distance import Indel

if TYPE_CHECKING:  # NumPy is imported only by a long pair's diff
    import numpy as np
    import numpy.typing as npt

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
    """Split a text into diff tokens.

    A long text is split a piece at a time, and its equal tokens are one object: a CJK
    character is a string of 76 bytes, so a 2-million-character line's tokens took
    170 MB a side (and as much again while the list was made), where a report's few
    thousand distinct tokens take a few hundred KB and the list 8 bytes a token. A text
    whose tokens are mostly distinct (a column of serial numbers) stops sharing once
    they are: there the table would cost more than it saves."""
    if len(text) <= _SHARED_TOKENS:
        found: list[str] = _TOKEN.findall(text)
        return found
    shared: dict[str, str] | None = {}
    out: list[str] = []
    start = 0
    while start < len(text):
        end, share = len(text), shared is not None
        if start + _PIECE < end:
            # after a character that is a token of its own (no figure's, word's or
            # space's), or where spaces begin: no token runs across, and a figure before
            # the cut looks ahead at the same character in the piece as in the whole
            cut = _CUT.search(text, start + _PIECE)
            if cut is not None:
                end = cut.end()
            else:  # the rest has no such place (digits and commas): one piece, unshared
                share = False
        found = _TOKEN.findall(text, start, end)
        if shared is None or not share:
            if out:
                out += found
            else:  # the whole text in one piece: its list as it is, not a copy
                out = found
        else:
            out += map(shared.setdefault, found, found)
            if len(shared) > len(out) // 2:  # mostly distinct: sharing saves nothing
                shared = None
        start = end
    return out


#: Characters from which :func:`tokens` shares equal tokens and splits a piece at a time
#: (below it the copy costs more time than the memory it saves is worth).
_SHARED_TOKENS = 10_000
#: Characters :func:`tokens` splits at a time.
_PIECE = 1 << 16
#: Where :func:`tokens` may cut a text (after the match): after a character that is a
#: token of its own (none that a figure, a word or a space is made of; ``\d`` takes
#: full-width and other digits too), or after the last character before spaces.
_CUT = re.compile(r"[^\d\sA-Za-z,.%'’]|\S(?=\s)")


#: Texts up to this long (both together) are scored by rapidfuzz's exact Indel
#: similarity; its cost grows with the product of the lengths, so longer ones are scored
#: from the anchored token diff instead (linear, and the same on real edits).
EXACT_SIMILARITY = 20_000


def similarity(a: str, b: str, segments: list[Segment] | None = None, cutoff: float = 0.0) -> float:
    """Share of characters in common, 0..1 (Indel-normalised), in bounded time.

    A score under ``cutoff`` may be given as 0 (rapidfuzz's ``score_cutoff``, which
    stops early). Long texts are scored from their diff (``segments`` when the caller has
    it), and are 0 when their lengths alone keep the score under ``cutoff``: a
    200,000-character "sentence" against a line of 50 is not diffed.
    """
    if len(a) + len(b) <= EXACT_SIMILARITY:
        return float(Indel.normalized_similarity(a, b, score_cutoff=min(cutoff, 1.0)))
    if not a and not b:
        return 1.0
    if 2 * min(len(a), len(b)) < cutoff * (len(a) + len(b)):
        return 0.0
    if segments is None:
        segments = diff(a, b)  # kept for the report to show (see _long_diff)
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
    if len(a) + len(b) > EXACT_SIMILARITY:
        return list(_long_diff(a, b))
    return _diff(a, b)


@lru_cache(maxsize=2)
def _long_diff(a: str, b: str) -> tuple[Segment, ...]:
    """A long pair's diff, kept for the next ask: the alignment scores the pair from it
    and the report then shows it (each diffed it anew: 1.4 s twice for a
    200,000-character line)."""
    return tuple(_diff(a, b))


def _diff(a: str, b: str) -> list[Segment]:
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
    occur as often on each side (once, or up to :data:`REPEATS` times, paired in order),
    kept in order (a longest increasing chain), and only the stretches between anchors
    are diffed. A stretch still too long and without an anchor (a table dump that
    repeats its rows more often) is walked on both sides at once (:func:`_windowed`).
    """
    out: list[Opcode] = []
    _opcodes(ta, tb, 0, len(ta), 0, len(tb), 0, out)
    return _joined(out)


def _opcodes(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, level: int, out: list[Opcode]
) -> None:
    if a1 - a0 + b1 - b0 <= DIRECT_TOKENS:
        _direct(ta, tb, a0, a1, b0, b1, out)
        return
    if level >= len(_ANCHOR_SIZES):
        _windowed(ta, tb, a0, a1, b0, b1, out)
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


def _direct(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, out: list[Opcode]
) -> list[Opcode]:
    """The stretch diffed at once (longest common runs first); the opcodes added.

    What both sides begin and end with is equal first (as git does): in a text that
    repeats itself the longest common run lies a period off (``一二一二…`` with ``三``
    inserted in the middle was 374 pairs inserted and 375 deleted)."""
    ops: list[Opcode] = []
    p0, q0 = _common_run(ta, tb, a0, a1, b0, b1)
    if p0 > a0:
        ops.append(("equal", a0, p0, b0, q0))
    p1, q1 = a1, b1
    while p1 > p0 and q1 > q0 and ta[p1 - 1] == tb[q1 - 1]:
        p1, q1 = p1 - 1, q1 - 1
    if p1 > p0 or q1 > q0:
        ops += [
            (t, p0 + i1, p0 + i2, q0 + j1, q0 + j2)
            for t, i1, i2, j1, j2 in _matched(ta[p0:p1], tb[q0:q1])
        ]
    if p1 < a1:
        ops.append(("equal", p1, a1, q1, b1))
    out.extend(ops)
    return ops


#: What difflib's longest-run search may cost in a stretch, in token pairs it compares
#: (for each token of a, the places of that token in b; about half a microsecond each)
#: per token of the stretch, spaces left out. Report text stays far below it: its
#: commonest tokens (``，`` ``的`` ``the``) are a few in a hundred, so a 3,000-token
#: stretch costs about 8 a token. A stretch drawn from a handful of tokens (a table of
#: 一 and 二, a row of dots and dashes) costs hundreds: 0.5 s a window of 3,000 tokens,
#: 16 s for a 200,000-character line.
MATCHER_COST = 32
#: Below this many pairs in all, difflib runs whatever the stretch (a few milliseconds).
_MATCHER_FLOOR = 20_000


def _matched(a: list[str], b: list[str]) -> list[Opcode]:
    """Opcodes of a stretch: difflib's longest common runs first, or, where that would
    cost more than :data:`MATCHER_COST`, a longest common subsequence (rapidfuzz's
    bit-parallel Indel, a thousandth of the time), whose coincidental one-token
    matches the clean-up folds away."""
    counts = Counter(b)
    cost = sum(counts[t] * n for t, n in Counter(a).items() if not t.isspace())
    if cost <= max(_MATCHER_FLOOR, MATCHER_COST * (len(a) + len(b))):
        return list(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    return [
        (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in Indel.opcodes(a, b)
    ]


def _windowed(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, out: list[Opcode]
) -> None:
    """A long stretch without anchors (a text that repeats itself more often than
    :data:`REPEATS`), walked on both sides at once: the tokens in common, then the
    smallest edit after which :data:`_RESYNC` tokens agree again (an edit of ``s``
    tokens is looked for before one of ``s + 1``, so a table that repeats its rows is
    never matched a row off), and so on. Where no edit of up to :data:`_LOOKAHEAD`
    tokens resynchronises (a rewritten passage), a window of :data:`DIRECT_TOKENS` is
    diffed at once and kept up to its last run in common. Linear in the stretch.
    Round 3 made such a stretch one deletion plus one insertion: a 200,000-character
    table dump with a figure changed every 2,000 characters was "removed and inserted",
    similarity 0."""
    half = DIRECT_TOKENS // 2
    while a0 < a1 and b0 < b1:
        i, j = _common_run(ta, tb, a0, a1, b0, b1)
        if i > a0:
            out.append(("equal", a0, i, b0, j))
            a0, b0 = i, j
        if a0 == a1 or b0 == b1:
            break
        edit = smallest_edit(ta, tb, a0, a1, b0, b1)
        if edit is not None:
            tag = "replace" if all(edit) else "delete" if edit[0] else "insert"
            out.append((tag, a0, a0 + edit[0], b0, b0 + edit[1]))
            a0, b0 = a0 + edit[0], b0 + edit[1]
            continue
        wa, wb = min(a1, a0 + half), min(b1, b0 + half)
        ops: list[Opcode] = []
        _direct(ta, tb, a0, wa, b0, wb, ops)
        last = max((k for k, op in enumerate(ops) if op[0] == "equal"), default=len(ops) - 1)
        # an edit near the window's end is walked again after it, unless that would
        # take too small a step (linear time whatever the text)
        if ops[last][2] - a0 + ops[last][4] - b0 < half // 4:
            last = len(ops) - 1
        out.extend(ops[: last + 1])
        a0, b0 = ops[last][2], ops[last][4]
    if a0 < a1:
        out.append(("delete", a0, a1, b0, b0))
    if b0 < b1:
        out.append(("insert", a1, a1, b0, b1))


#: Tokens that must agree after an edit for the walk of :func:`_windowed` to go on.
_RESYNC = 8
#: The longest edit (tokens on both sides together) the walk looks for.
_LOOKAHEAD = 64
#: For each edit size, how many of its tokens to take from a: equal sides first.
_SPLITS = tuple(
    tuple(sorted(range(size + 1), key=lambda k: abs(2 * k - size)))
    for size in range(_LOOKAHEAD + 1)
)


def _common_run(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int
) -> tuple[int, int]:
    """Where the run of tokens in common from ``a0``/``b0`` ends (slices compared at C
    speed, 64 tokens at a time, then fewer)."""
    step = 64
    while step:
        if a0 + step <= a1 and b0 + step <= b1 and ta[a0 : a0 + step] == tb[b0 : b0 + step]:
            a0, b0 = a0 + step, b0 + step
        else:
            step //= 2
    return a0, b0


def smallest_edit(
    ta: Sequence[str],
    tb: Sequence[str],
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    agree: int = _RESYNC,
) -> tuple[int, int] | None:
    """The fewest items to take from each side (``k`` of a, ``m`` of b; a replacement of
    equal sides first) after which ``agree`` items agree, or both ends are reached; None
    past :data:`_LOOKAHEAD`. Tokens here; sentences for the alignment (``align``)."""
    for size in range(1, _LOOKAHEAD + 1):
        for k in _SPLITS[size]:
            m = size - k
            i, j = a0 + k, b0 + m
            if i > a1 or j > b1:
                continue
            n = min(agree, a1 - i, b1 - j)
            if (n == agree or (i + n == a1 and j + n == b1)) and ta[i : i + n] == tb[j : j + n]:
                return k, m
    return None


def _anchors(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, size: int
) -> list[tuple[int, int]]:
    """Runs of ``size`` tokens that occur as often on each side, and at most
    :data:`REPEATS` times, their occurrences paired in order; kept in order (a longest
    increasing chain) and not overlapping. Runs unique on both sides are git's
    histogram anchors; runs repeated alike pair up too, so a text that repeats itself
    (a table dump, a page printed twice) is still anchored."""
    if a1 - a0 + b1 - b0 > _ARRAY_TOKENS:
        pairs = _paired_arrays(ta, tb, a0, a1, b0, b1, size)
    else:
        in_a, in_b = runs(ta, a0, a1, size), runs(tb, b0, b1, size)
        pairs = sorted(
            pair
            for key, where in in_a.items()
            if len(where) == len(in_b.get(key, ()))
            for pair in zip(where, in_b[key])
        )
    chain = _increasing(pairs)
    kept: list[tuple[int, int]] = []
    for i, j in chain:
        if not kept or (i >= kept[-1][0] + size and j >= kept[-1][1] + size):
            kept.append((i, j))
    return kept


#: Occurrences up to which a run repeated on both sides is an anchor (see :func:`_anchors`).
REPEATS = 8
#: Tokens (both sides) from which runs are paired with NumPy arrays: a Python pass
#: costs about 3 µs a token, NumPy's import 60 to 100 ms.
_ARRAY_TOKENS = 40_000
#: Multiplier of the rolling hash over token numbers (odd, 64 bits).
_ROLL = 0x9E3779B97F4A7C15


def _paired_arrays(
    ta: list[str], tb: list[str], a0: int, a1: int, b0: int, b1: int, size: int
) -> list[tuple[int, int]]:
    """What :func:`_anchors` pairs, with arrays: each run of ``size`` tokens is a 64-bit
    rolling hash of its tokens' numbers; occurrences of a run seen as often on each
    side (at most :data:`REPEATS` times) are paired in order, as a stable sort by hash
    lists them alike on both sides; on a diagonal of pairs every size-th is kept. The
    anchors of a 200,000-token line: 0.3 to 0.45 s, where the Python pass took 1.2 to
    1.5 s. A hash collision could only pair runs that differ, so every kept pair is
    checked. No array of the sides' length is kept longer than it is needed (a
    6.7-million-character line's pairing held a dozen of them at once)."""
    if min(a1 - a0, b1 - b0) < size:  # a side without a whole run
        return []
    import numpy as np

    from difftool.fingerprint import found_in

    # each distinct token a number (the dict made at C speed: no Python call a token)
    distinct = dict.fromkeys(chain(islice(ta, a0, a1), islice(tb, b0, b1)))
    numbers = dict(zip(distinct, range(len(distinct))))
    del distinct
    hashes = [
        _run_hashes(seq, lo, hi, size, numbers) for seq, lo, hi in ((ta, a0, a1), (tb, b0, b1))
    ]
    # runs seen as often on each side, at most REPEATS times (keys sorted, unique)
    (ka, ca), (kb, cb) = (np.unique(h, return_counts=True) for h in hashes)
    common, in_a, in_b = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
    alike = common[(ca[in_a] == cb[in_b]) & (ca[in_a] <= REPEATS)]
    del ka, ca, kb, cb, common, in_a, in_b
    picked = []
    for side, lo in zip(hashes, (a0, b0)):
        # by run, each run's places in order (a stable sort of places in order): the
        # k-th place of a run on one side pairs with its k-th on the other. The sorted
        # runs are then looked up in order, which a binary search does fastest.
        order = np.argsort(side, kind="stable")
        picked.append(order[found_in(alike, side[order])] + lo)  # alike is sorted
        del order
    del hashes
    i, j = picked
    del picked  # each array let go as soon as it is replaced
    by_i = np.argsort(i, kind="stable")
    i, j = i[by_i], j[by_i]
    if i.size > 1:  # on a diagonal, its first pair and each size-th after it
        follows = np.concatenate(([False], (i[1:] == i[:-1] + 1) & (j[1:] == j[:-1] + 1)))
        place = np.arange(i.size)
        first = np.maximum.accumulate(np.where(follows, 0, place))  # the diagonal's first
        keep = (place - first) % size == 0
        i, j = i[keep], j[keep]
    return [(x, y) for x, y in zip(i.tolist(), j.tolist()) if ta[x : x + size] == tb[y : y + size]]


def _run_hashes(
    seq: list[str], lo: int, hi: int, size: int, numbers: dict[str, int]
) -> npt.NDArray[np.uint64]:
    """The 64-bit rolling hash of each run of ``size`` tokens of ``seq[lo:hi]``, over the
    tokens' numbers in ``numbers``."""
    import numpy as np

    count = hi - lo - size + 1
    ids = np.fromiter(map(numbers.__getitem__, islice(seq, lo, hi)), np.uint64, hi - lo)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for d in range(size):
            hashes *= np.uint64(_ROLL)
            hashes += ids[d : d + count] + np.uint64(1)
    return hashes


def runs(seq: Sequence[str], lo: int, hi: int, size: int) -> dict[str, list[int]]:
    """Where each run of ``size`` tokens of ``seq[lo:hi]`` starts, by its text, for the
    runs that occur at most :data:`REPEATS` times. Runs are slices of the joined tokens,
    made and counted at C speed (a Python loop over the tokens was most of a
    200,000-character line's diff)."""
    count = hi - lo - size + 1
    if count <= 0:
        return {}
    if size == 1:  # the items themselves (sentences, for the alignment)
        keys = list(seq[lo:hi])
    else:
        joined = "".join(seq[lo:hi])
        starts: Sequence[int]
        if len(joined) == hi - lo:  # a character a token (CJK text)
            starts = range(count + size)
        else:
            starts = list(accumulate(map(len, seq[lo:hi]), initial=0))
        keys = list(map(joined.__getitem__, map(slice, starts[:count], starts[size:])))
    seen = Counter(keys)
    places = range(lo, lo + count)
    last = dict(zip(keys, places))  # where each run is last and first seen, at C speed
    first = dict(zip(reversed(keys), reversed(places)))
    found: dict[str, list[int]] = {}
    middle: set[str] = set()
    for key, times in seen.items():
        if times == 1:
            found[key] = [last[key]]
        elif times == 2:
            found[key] = [first[key], last[key]]
        elif times <= REPEATS:
            middle.add(key)
    if middle:  # runs seen three times or more: their places in order
        for key, at in zip(keys, places):
            if key in middle:
                found.setdefault(key, []).append(at)
    return found


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
