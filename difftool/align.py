"""Align two documents' sentences and describe the differences as operations.

1. Anchors: sentences whose key is equal and unique on both sides, kept in order
   (patience diff), recursively inside each gap, then equal runs grown from the ends.
   Where no sentence is unique, those found as often on each side (up to
   ``inline.REPEATS`` times) are paired in order; where even that fails in a large
   window (a document that repeats its sentences), both sides are walked at once.
2. Each gap between anchors is aligned by similarity with a small dynamic programme that
   allows one-to-one, one-to-two and two-to-one pairs, so a sentence split in two or two
   merged is one change. A pair below the threshold is a delete plus an insert.
   Quadratic work happens only inside gaps, and a gap larger than :data:`GAP_CAP`
   cells is aligned a window at a time along its diagonal: the cost grows about
   linearly with length.
3. Moves: a deleted sentence that reappears (identical or nearly) among the inserted
   ones is one ``move``.
4. Inside each changed or moved pair: the word-level inline diff and changed figures.

Pure functions on sentence lists: no I/O, no numpy.
"""

from __future__ import annotations

import zlib
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import NamedTuple

from rapidfuzz.distance import Indel

from difftool import inline
from difftool.models import Sentence

#: Default similarity (0..1, Indel-normalised) for two sentences to be one change.
#: Chosen on generated variant pairs: see benchmarks/bench_threshold.py and the README.
DEFAULT_THRESHOLD = 0.3
#: Similarity for a deleted and an inserted sentence to count as one moved sentence.
MOVE_THRESHOLD = 0.8
#: A step of a gap's alignment: ``(kind, a0, a1, b0, b1)``, kind ``pair``, ``delete`` or
#: ``insert``, indices relative to the gap.
GapStep = tuple[str, int, int, int, int]
#: Largest gap (cells of its similarity matrix) aligned by similarity.
GAP_CAP = 40_000
#: A split or merge must beat the best single pair by this much similarity.
SPLIT_MARGIN = 0.03

OP_KINDS = ("equal", "change", "insert", "delete", "move", "punctuation")
#: Punctuation that is one mark written another way: quote styles, the Chinese and the
#: Latin full stop, ellipses. Such a difference is a variant, not an edit.
_PUNCT_VARIANTS = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "‘": "'",
        "’": "'",
        "。": ".",
        "．": ".",
        "…": "...",
        "、": ",",
    }
)
_PUNCTUATION = frozenset("。.!?;:,、…！？；：，\"'“”‘’「」『』《》()（）[]【】-—–·/ ")


class Op(NamedTuple):
    """One operation: sentences ``a[a_start:a_end]`` became ``b[b_start:b_end]``.

    ``equal`` and ``change`` have both ranges; ``delete`` an empty b range at the place
    in b where the sentences would have been; ``insert`` the converse; ``move`` the a
    range it was taken from and the b range it went to.
    """

    op: str
    a_range: tuple[int, int]
    b_range: tuple[int, int]
    similarity: float = 1.0
    inline: tuple[inline.Segment, ...] = ()
    numbers_a: tuple[str, ...] = ()
    numbers_b: tuple[str, ...] = ()
    layout_only: bool = False
    with_marks: bool = False
    """The inline diff covers the sentences' end marks too (a punctuation change)."""

    @property
    def edited(self) -> bool:
        """True for a move whose sentence was also edited."""
        return self.op == "move" and any(tag != "equal" for tag, _ in self.inline)


@dataclass(frozen=True)
class Alignment:
    """The ops of a comparison, in reading order of ``b`` (deletions where they were)."""

    ops: tuple[Op, ...]
    similarity: float
    summary: dict[str, int] = field(default_factory=dict)


# --- anchors ---------------------------------------------------------------------------


def _unique_anchors(
    ka: Sequence[str], kb: Sequence[str], a0: int, a1: int, b0: int, b1: int
) -> list[tuple[int, int]]:
    """Pairs of equal keys unique on both sides of the window: the heaviest chain."""
    ca = Counter(ka[a0:a1])
    cb = Counter(kb[b0:b1])
    where_b = {kb[j]: j for j in range(b0, b1) if cb[kb[j]] == 1}
    pairs = [(i, where_b[ka[i]]) for i in range(a0, a1) if ca[ka[i]] == 1 and ka[i] in where_b]
    weights = [len(ka[i]) + 1 + _tiebreak(ka[i], ka[i]) for i, _ in pairs]
    return _heaviest_chain(pairs, weights, b1)


def _alike_anchors(
    ka: Sequence[str], kb: Sequence[str], a0: int, a1: int, b0: int, b1: int
) -> list[tuple[int, int]]:
    """Pairs of equal keys found as often on each side of the window (twice, up to
    :data:`inline.REPEATS` times), the first with the first and so on: the heaviest
    chain. A document that repeats its sentences (a form, a table of results, a report
    printed twice) has few unique ones, and its gaps were too large to align: every
    repeated sentence was deleted and inserted, then reported as moved."""
    in_a, in_b = inline.runs(ka, a0, a1, 1), inline.runs(kb, b0, b1, 1)
    pairs = sorted(
        pair
        for key, where in in_a.items()
        if len(where) > 1 and len(where) == len(in_b.get(key, ()))
        for pair in zip(where, in_b[key])
    )
    weights = [len(ka[i]) + 1 + _tiebreak(ka[i], ka[i]) for i, _ in pairs]
    return _heaviest_chain(pairs, weights, b1)


#: Sentences in a row that must agree after an edit for :func:`_walk` to go on.
_WALK_AGREE = 4


def _walk(
    ka: Sequence[str], kb: Sequence[str], a0: int, a1: int, b0: int, b1: int
) -> list[tuple[int, int]]:
    """Equal pairs of a window without anchors and too large for the gap's matrix (a
    document that repeats its sentences more often than :data:`inline.REPEATS`): both
    sides walked at once, each sentence in common a pair, past each edit the smallest
    after which :data:`_WALK_AGREE` sentences agree again (so a repeated list is never
    matched a row off). The edits left between pairs are small gaps; where no edit
    resynchronises within the look-ahead, the rest of the window is left as a gap."""
    pairs: list[tuple[int, int]] = []
    i, j = a0, b0
    while i < a1 and j < b1:
        if ka[i] == kb[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
            continue
        edit = inline.smallest_edit(ka, kb, i, a1, j, b1, agree=_WALK_AGREE)
        if edit is None:
            break
        i, j = i + edit[0], j + edit[1]
    return pairs


def _tiebreak(x: str, y: str) -> float:
    """A tiny weight that depends only on the (unordered) pair of texts.

    Equal-length candidates would otherwise tie and be chosen by position, which
    differs between comparing A with B and B with A.
    """
    low, high = (x, y) if x <= y else (y, x)
    return zlib.crc32(f"{low}\0{high}".encode()) / 2**32 * 1e-3


def _heaviest_chain(
    pairs: list[tuple[int, int]], weights: list[float], size: int
) -> list[tuple[int, int]]:
    """The chain of pairs increasing in both coordinates with the largest total weight.

    Patience diff keeps the longest chain; weighting each anchor by its length makes a
    long sentence outweigh a short one that crossed it, the same way in both directions,
    so that comparing B with A mirrors comparing A with B. O(n log n) with a Fenwick
    tree of prefix maxima over the second coordinate.
    """
    if not pairs:
        return []
    tree_best = [0.0] * (size + 1)
    tree_arg = [-1] * (size + 1)
    best = [0.0] * len(pairs)
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        value, arg, x = 0.0, -1, j  # prefix maximum over second coordinates < j
        while x > 0:
            if tree_best[x] > value:
                value, arg = tree_best[x], tree_arg[x]
            x -= x & -x
        best[k], back[k] = value + weights[k], arg
        x = j + 1
        while x <= size:
            if best[k] > tree_best[x]:
                tree_best[x], tree_arg[x] = best[k], k
            x += x & -x
    k = max(range(len(pairs)), key=best.__getitem__)
    chain: list[tuple[int, int]] = []
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def _match_equal(ka: Sequence[str], kb: Sequence[str]) -> list[tuple[int, int]]:
    """All anchor pairs: unique-equal anchors found recursively, plus equal runs at the
    edges of each window (what patience diff does before falling back)."""
    matches: list[tuple[int, int]] = []
    stack = [(0, len(ka), 0, len(kb))]
    while stack:
        a0, a1, b0, b1 = stack.pop()
        while a0 < a1 and b0 < b1 and ka[a0] == kb[b0]:
            matches.append((a0, b0))
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and ka[a1 - 1] == kb[b1 - 1]:
            matches.append((a1 - 1, b1 - 1))
            a1, b1 = a1 - 1, b1 - 1
        if a0 >= a1 or b0 >= b1:
            continue
        anchors = _unique_anchors(ka, kb, a0, a1, b0, b1) or _alike_anchors(ka, kb, a0, a1, b0, b1)
        if not anchors:
            if (a1 - a0) * (b1 - b0) > GAP_CAP:  # too large for the gap's matrix
                matches.extend(_walk(ka, kb, a0, a1, b0, b1))
            continue
        prev_a, prev_b = a0, b0
        for i, j in anchors:
            matches.append((i, j))
            stack.append((prev_a, i, prev_b, j))
            prev_a, prev_b = i + 1, j + 1
        stack.append((prev_a, a1, prev_b, b1))
    return sorted(matches)


# --- gaps ------------------------------------------------------------------------------


def _very_long(*groups: Sequence[str]) -> bool:
    """Whether a "sentence" among these is too long for rapidfuzz's exact similarity
    (its cost grows with the product of the lengths): a table dump on one line."""
    return any(len(x) > inline.EXACT_SIMILARITY // 2 for group in groups for x in group)


def _similarity_matrix(ga: Sequence[str], gb: Sequence[str], cutoff: float) -> list[list[float]]:
    """Each pair's similarity; a very long "sentence"'s below ``cutoff`` may be 0."""
    if _very_long(ga, gb):
        # a very long "sentence": each cell in linear time (see inline.similarity)
        return [[inline.similarity(x, y, cutoff=cutoff) for y in gb] for x in ga]
    if len(ga) * len(gb) > 2_500:
        # big gaps: rapidfuzz's C++ matrix (imports numpy, so only when it pays)
        from rapidfuzz.process import cdist

        return [list(row) for row in cdist(ga, gb, scorer=Indel.normalized_similarity, workers=1)]
    sim = Indel.normalized_similarity
    return [[sim(x, y) for y in gb] for x in ga]


def _align_gap(
    ga: Sequence[str],
    gb: Sequence[str],
    threshold: float,
    ma: Sequence[str],
    mb: Sequence[str],
) -> list[GapStep]:
    """Align a gap; return ``(kind, a0, a1, b0, b1)`` in gap-relative indices.

    Kinds: ``pair`` (1:1, 1:2 or 2:1), ``delete``, ``insert``. Dynamic programming
    maximises the summed similarity of pairs; an exactly equal pair scores double so
    that it is never traded for a merge. ``ma`` and ``mb`` are the keys with their end
    marks: two sentences that are exactly one of the other side, marks and all (a line
    break one layout has after ``毛主席说过：`` or inside ``M`` / ``2``), are a pair
    scored as an equal one, however similar the first sentence alone already is.
    """
    n, m = len(ga), len(gb)
    if n and m and n + m > 2 and same_words(ma, mb):
        # the same words cut into sentences at other places (``X`` / ``YZ`` against
        # ``XY`` / ``Z``: each layout broke a line elsewhere): one layout-only pair
        return [("pair", 0, n, 0, m)]
    if n == 0 or m == 0:
        out: list[GapStep] = []
        if n:
            out.append(("delete", 0, n, 0, 0))
        if m:
            out.append(("insert", n, n, 0, m))
        return out
    if n * m > GAP_CAP:
        return _align_windows(ga, gb, threshold, ma, mb)
    sim = _similarity_matrix(ga, gb, threshold)
    # a gap of few distinct sentences (a table's rows, a text of one repeated line) asks
    # the same questions of most cells: answered once each (10,000 sentences of two
    # kinds took 19 s); other gaps never ask one twice, and pay nothing for it
    run_gain, tiebreak, same_two = (
        (cache(_run_gain), cache(_tiebreak), cache(_same_two))
        if len(set(ga)) + len(set(gb)) < (n + m) // 2
        else (_run_gain, _tiebreak, _same_two)
    )
    # every cell's similarity exact (none of a very long sentence, given as 0 under the
    # threshold): the one-to-two step may then be bounded by its two cells
    exact = not _very_long(ga, gb)
    # the lengths of two neighbours together, for the two-and-two test at each cell (the
    # same words cut elsewhere have the same length, give or take a space or an "…")
    pair_a = [len(x) + len(y) for x, y in pairwise(ma)]
    pair_b = [len(x) + len(y) for x, y in pairwise(mb)]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, how = -1.0, (0, 0)
            if i and score[i - 1][j] > best:
                best, how = score[i - 1][j], (1, 0)
            if j and score[i][j - 1] > best:
                best, how = score[i][j - 1], (0, 1)
            if i and j:
                s = sim[i - 1][j - 1]
                if s >= threshold:
                    # an exact pair scores double, and longer sentences a little more, so
                    # that ties are rare and break the same way whichever side is "a"
                    weight = (
                        1.0
                        + (len(ga[i - 1]) + len(gb[j - 1])) / 10_000
                        + tiebreak(ga[i - 1], gb[j - 1])
                    )
                    gain = (2.0 if ga[i - 1] == gb[j - 1] else s) * weight
                    if score[i - 1][j - 1] + gain > best:
                        best, how = score[i - 1][j - 1] + gain, (1, 1)
                if j >= 2:  # one sentence of a's, two of b's
                    gain = run_gain(
                        ga[i - 1], (mb[j - 2], gb[j - 1]), (gb[j - 2], gb[j - 1]),
                        (sim[i - 1][j - 2], sim[i - 1][j - 1]), threshold, exact,
                    )  # fmt: skip
                    if gain >= 0 and score[i - 1][j - 2] + gain > best:
                        best, how = score[i - 1][j - 2] + gain, (1, 2)
                if i >= 2:  # two of a's, one of b's
                    gain = run_gain(
                        gb[j - 1], (ma[i - 2], ga[i - 1]), (ga[i - 2], ga[i - 1]),
                        (sim[i - 2][j - 1], sim[i - 1][j - 1]), threshold, exact,
                    )  # fmt: skip
                    if gain >= 0 and score[i - 2][j - 1] + gain > best:
                        best, how = score[i - 2][j - 1] + gain, (2, 1)
                if (
                    i >= 2
                    and j >= 2
                    and (abs(pair_a[i - 2] - pair_b[j - 2]) < 2 or "…" in ma[i - 2] + ma[i - 1])
                    and same_two(ma[i - 2], ma[i - 1], mb[j - 2], mb[j - 1])
                ):
                    # two and two, cut at other places: as one equal pair (two equal
                    # pairs score twice as much, so they are never traded for this)
                    gain = 2.0 * (1.0 + (len(ma[i - 2]) + len(ma[i - 1])) / 5_000)
                    if score[i - 2][j - 2] + gain > best:
                        best, how = score[i - 2][j - 2] + gain, (2, 2)
            score[i][j], move[i][j] = best, how
    steps: list[GapStep] = []
    i, j = n, m
    while i or j:
        di, dj = move[i][j] or (0, 0)
        kind = "pair" if di and dj else ("delete" if di else "insert")
        steps.append((kind, i - di, i, j - dj, j))
        i, j = i - di, j - dj
    return steps[::-1]


#: Sentences a side in one window of :func:`_align_windows`.
_WINDOW = 100
#: Windows in a row without a pair after which the rest of the gap is given up.
_BARREN = 2


def _align_windows(
    ga: Sequence[str],
    gb: Sequence[str],
    threshold: float,
    ma: Sequence[str],
    mb: Sequence[str],
) -> list[GapStep]:
    """A gap too large for one matrix, aligned a window of :data:`_WINDOW` sentences a
    side at a time along its diagonal: each window's steps are kept up to its last pair,
    and the next window starts after it, so what the window's edge cut is aligned again.
    A window without any pair, or whose last pair would take too small a step, is kept
    whole; after :data:`_BARREN` windows in a row without a pair the sides have
    diverged (two unrelated documents), and the rest is deletions and insertions, as
    it was before windows. Round 3 gave every such gap up so: a report with a word added
    to every sentence (800 sentences in a row changed, no anchor among them) was 876
    sentences removed and 876 inserted, similarity 0.46."""
    n, m = len(ga), len(gb)
    steps: list[GapStep] = []
    i = j = 0

    def keep(window: Sequence[GapStep]) -> None:  # a window's steps, placed in the gap
        steps.extend((kind, i + x0, i + x1, j + y0, j + y1) for kind, x0, x1, y0, y1 in window)

    barren = 0  # windows in a row without a pair
    while (n - i) * (m - j) > GAP_CAP:
        if barren == _BARREN:  # the two sides diverged: the rest as before
            steps += [("delete", i, n, j, j), ("insert", n, n, j, m)]
            return steps
        wa, wb = min(n, i + _WINDOW), min(m, j + _WINDOW)
        window = _align_gap(ga[i:wa], gb[j:wb], threshold, ma[i:wa], mb[j:wb])
        last = max((k for k, step in enumerate(window) if step[0] == "pair"), default=-1)
        barren = barren + 1 if last < 0 else 0
        if last < 0 or window[last][2] + window[last][4] < _WINDOW // 2:
            last = len(window) - 1
        keep(window[: last + 1])
        i, j = i + window[last][2], j + window[last][4]
    keep(_align_gap(ga[i:], gb[j:], threshold, ma[i:], mb[j:]))
    return steps


# --- ops -------------------------------------------------------------------------------


def _same_two(x0: str, x1: str, y0: str, y1: str) -> bool:
    """:func:`same_words` of two sentences against two (hashable arguments, to cache)."""
    return same_words((x0, x1), (y0, y1))


def _run_gain(
    single: str,
    marked: tuple[str, str],
    keys: tuple[str, str],
    parts: tuple[float, float],
    threshold: float,
    exact: bool,
) -> float:
    """What pairing one sentence with two of the other side scores in :func:`_align_gap`
    (-1 when it may not): as an equal pair when the two are exactly the one (``marked``,
    the first with its end mark); else 1.5 times their joined similarity, when it clears
    the threshold and beats the better single pair (``parts``: the one against each of
    the two) by :data:`SPLIT_MARGIN`."""
    need = max(threshold, max(parts) + SPLIT_MARGIN)
    one, x, y = len(single), len(keys[0]), len(keys[1])
    # the same words cut elsewhere differ by a mark, a space or an "…" (see same_words)
    if (
        abs(one - len(marked[0]) - len(marked[1])) <= 2
        or "…" in single
        or "…" in marked[0]
        or "…" in marked[1]
    ) and same_run(marked, single):
        return 2.0 * (1.0 + (one + len(marked[0]) + len(marked[1])) / 10_000)
    # most cells of a gap are told without a diff: the characters the one has in common
    # with the two joined are at most those it has with each (and a joining space), and
    # at most the fewer of the two lengths
    common: float = min(one, x + y + 1)
    if exact:
        common = min(common, (parts[0] * (one + x) + parts[1] * (one + y)) / 2 + 1)
    if 2 * common < need * (one + x + y):
        return -1.0
    # bounded like the gap's matrix: a very long sentence against two short ones is
    # told by the lengths alone, a long pair of like lengths by its token diff
    s2 = inline.similarity(single, join_keys(keys), cutoff=need)
    return 1.5 * s2 if s2 >= need else -1.0


def join_keys(keys: Sequence[str]) -> str:
    """Sentence keys joined as one text: Latin words keep a space between them."""
    out = ""
    for key in keys:
        if out and _latin(out[-1]) and _latin(key[:1]):
            out += " "
        out += key
    return out


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def latin_meets(first: Sentence, then: Sentence) -> bool:
    """Whether two sentences in a row are Latin text that meets (a letter or digit, then
    no mark or a Latin one, then a letter or digit): one space parts them when joined."""
    return _latin(first.key[-1:]) and first.mark.isascii() and _latin(then.key[:1])


def joined(sentences: Sequence[Sentence], *, last_mark: bool = False) -> tuple[str, list[int]]:
    """The text an op's inline diff is made on, and where each sentence's key starts in
    it: the keys with the end marks between them (and the last one's with ``last_mark``),
    so that a mark that became another, or a comma that became a full stop, is an edit
    like any other. A space parts two sentences whose Latin text meets (``it.`` /
    ``Next``, ``3.`` / ``5``: never one figure ``3.5``; :func:`latin_meets`)."""
    out: list[str] = []
    starts: list[int] = []
    size = 0
    for k, s in enumerate(sentences):
        if k and latin_meets(sentences[k - 1], s):
            out.append(" ")
            size += 1
        starts.append(size)
        part = s.key + s.mark if last_mark or k + 1 < len(sentences) else s.key
        out.append(part)
        size += len(part)
    return "".join(out), starts


def same_run(parts: Sequence[str], whole: str) -> bool:
    """Whether sentences (each but the last with its end mark) are exactly ``whole``:
    one sentence that one layout's line break cut in two."""
    return same_words(parts, (whole,))


def same_words(xs: Sequence[str], ys: Sequence[str]) -> bool:
    """Whether two runs of sentences (keys with their end marks) are the same text cut
    at other places. A cut may have come between two Latin letters or digits (``M`` /
    ``2``), so each run joined without a space counts too, and one with a space after
    each mark (``Hacker.`` / ``<signature…>``, ``steps:`` / ``(1) assert``); quote styles
    and ``。``/``.`` are the same marks (:func:`punctuation_variant`)."""
    # most runs fail at once on their lengths: a join adds at most a space a cut, and
    # "…" is the one variant of another length
    size_x, size_y = sum(map(len, xs)), sum(map(len, ys))
    if abs(size_x - size_y) >= max(len(xs), len(ys)) and not any("…" in key for key in (*xs, *ys)):
        return False
    runs_x = {join_keys(xs), "".join(xs), " ".join(xs)}
    runs_y = {join_keys(ys), "".join(ys), " ".join(ys)}
    if not runs_x.isdisjoint(runs_y):
        return True
    # punctuation_variant of each pair, each run's marks folded once (not once a pair)
    folded_y = {y.translate(_PUNCT_VARIANTS) for y in runs_y}
    return any(x.translate(_PUNCT_VARIANTS) in folded_y for x in runs_x)


def _run(sentences: Sequence[Sentence]) -> list[str]:
    """Keys as :func:`same_run` takes them: each but the last with its end mark."""
    return [s.key + s.mark for s in sentences[:-1]] + [s.key for s in sentences[-1:]]


def _pair_op(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    ar: tuple[int, int],
    br: tuple[int, int],
    kind: str = "change",
) -> Op:
    ka = join_keys([s.key for s in a[ar[0] : ar[1]]])
    kb = join_keys([s.key for s in b[br[0] : br[1]]])
    if ka == kb or same_words(_run(a[ar[0] : ar[1]]), _run(b[br[0] : br[1]])):
        # a split, merge or other cut that changed no word, or a quote style: layout
        return Op("equal", ar, br, 1.0, layout_only=True)
    run_a, run_b = a[ar[0] : ar[1]], b[br[0] : br[1]]
    # the last end marks too when they differ: a statement that became a question
    ends = run_a[-1].mark, run_b[-1].mark
    with_marks = ends[0] != ends[1] and not punctuation_variant(*ends)
    ta, tb = joined(run_a, last_mark=with_marks)[0], joined(run_b, last_mark=with_marks)[0]
    segments = tuple(inline.diff(ta, tb))
    na, nb = inline.changed_numbers(ta, tb)
    one_to_one = ar[1] - ar[0] == 1 and br[1] - br[0] == 1  # a split is more than punctuation
    if kind == "change" and one_to_one and punctuation_only(segments) and not _force(segments):
        kind = "punctuation"
    score = inline.similarity(ta, tb, list(segments))
    return Op(kind, ar, br, score, segments, tuple(na), tuple(nb), with_marks=with_marks)


def punctuation_variant(x: str, y: str) -> bool:
    """Whether two texts differ only in how the same marks are written (quote styles,
    ``。`` and ``.``)."""
    return x.translate(_PUNCT_VARIANTS) == y.translate(_PUNCT_VARIANTS)


def punctuation_only(segments: Sequence[inline.Segment]) -> bool:
    """Whether every edit of an inline diff is punctuation or spacing."""
    edits = [text for tag, text in segments if tag != "equal"]
    return bool(edits) and all(ch in _PUNCTUATION for text in edits for ch in text)


def _force(segments: Sequence[inline.Segment]) -> bool:
    """Whether an edit of an inline diff puts in or takes out a question or exclamation
    mark: a quoted statement that became a question (``好。”`` / ``好？”``) is a change."""
    return any(tag != "equal" and force(text) != "." for tag, text in segments)


def force(mark: str) -> str:
    """What a sentence's end mark makes of it: ``?`` a question, ``!`` an exclamation,
    ``.`` a statement."""
    if "?" in mark or "？" in mark:
        return "?"
    if "!" in mark or "！" in mark:
        return "!"
    return "."


def _marked(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    ar: tuple[int, int],
    br: tuple[int, int],
    kind: str,
) -> Op:
    """A change of end marks between runs of sentences with the same words."""
    ta = joined(a[ar[0] : ar[1]], last_mark=True)[0]
    tb = joined(b[br[0] : br[1]], last_mark=True)[0]
    return Op(
        kind,
        ar,
        br,
        Indel.normalized_similarity(ta, tb),
        tuple(inline.diff(ta, tb)),
        with_marks=True,
    )


def _end_marks(ops: list[Op], a: Sequence[Sentence], b: Sequence[Sentence]) -> list[Op]:
    """Equal sentences whose end marks differ.

    A statement that became a question (or an exclamation) is a change; another mark
    (``；`` for ``。``) is a punctuation change, unless the sentence is next to a removal
    or an insertion: a list's ``；`` becomes ``。`` when the item after it goes, and that
    belongs to the removal. Runs that a layout cut differently (a heading joined to the
    sentence after it) end with the same words: their last marks are compared.
    """
    out = list(ops)
    for k, op in enumerate(ops):
        if op.op != "equal":
            continue
        sa, sb = a[op.a_range[1] - 1], b[op.b_range[1] - 1]
        if sa.mark == sb.mark or punctuation_variant(sa.mark, sb.mark):
            continue
        if force(sa.mark) != force(sb.mark):
            out[k] = _marked(a, b, op.a_range, op.b_range, "change")
            continue
        near = ops[k - 1 : k] + ops[k + 1 : k + 2]
        if not any(n.op in ("delete", "insert") for n in near):
            out[k] = _marked(a, b, op.a_range, op.b_range, "punctuation")
    return out


def _strict(ops: list[Op], a: Sequence[Sentence], b: Sequence[Sentence]) -> list[Op]:
    """Equal sentences whose original text differs (width, script, layout): one change
    each, marked as layout only."""
    out: list[Op] = []
    for op in ops:
        if op.op == "equal":
            old = "".join(s.text for s in a[op.a_range[0] : op.a_range[1]])
            new = "".join(s.text for s in b[op.b_range[0] : op.b_range[1]])
            if old != new:
                segments = tuple(inline.diff(old, new))
                out.append(Op("change", op.a_range, op.b_range, 1.0, segments, layout_only=True))
                continue
        out.append(op)
    return out


def _raw_ops(a: Sequence[Sentence], b: Sequence[Sentence], threshold: float) -> list[Op]:
    ka = [s.key for s in a]
    kb = [s.key for s in b]
    ma = [s.key + s.mark for s in a]
    mb = [s.key + s.mark for s in b]
    ops: list[Op] = []
    prev_a = prev_b = 0
    for i, j in [*_match_equal(ka, kb), (len(ka), len(kb))]:
        gap = _align_gap(ka[prev_a:i], kb[prev_b:j], threshold, ma[prev_a:i], mb[prev_b:j])
        for kind, x0, x1, y0, y1 in gap:
            ar, br = (prev_a + x0, prev_a + x1), (prev_b + y0, prev_b + y1)
            if kind == "pair":
                ops.append(_pair_op(a, b, ar, br))
            elif kind == "delete":
                ops.extend(Op("delete", (k, k + 1), (br[0], br[0]), 0.0) for k in range(*ar))
            else:
                ops.extend(Op("insert", (ar[0], ar[0]), (k, k + 1), 0.0) for k in range(*br))
        if i < len(ka):
            ops.append(Op("equal", (i, i + 1), (j, j + 1)))
        prev_a, prev_b = i + 1, j + 1
    return ops


def _find_moves(ops: list[Op], a: Sequence[Sentence], b: Sequence[Sentence]) -> list[Op]:
    """Turn a delete and an insert of the same (or nearly the same) sentence into a move."""
    deletes = [
        k for k, op in enumerate(ops) if op.op == "delete" and len(a[op.a_range[0]].key) >= 4
    ]
    inserts = [
        k for k, op in enumerate(ops) if op.op == "insert" and len(b[op.b_range[0]].key) >= 4
    ]
    if not deletes or not inserts:
        return ops
    by_key: dict[str, deque[int]] = {}
    for k in inserts:
        by_key.setdefault(b[ops[k].b_range[0]].key, deque()).append(k)
    pairs: dict[int, int] = {}  # insert op index -> delete op index
    unmatched: list[int] = []
    for d in deletes:
        same = by_key.get(a[ops[d].a_range[0]].key)
        if same:
            pairs[same.popleft()] = d
        else:
            unmatched.append(d)
    free = [k for k in inserts if k not in pairs]
    if unmatched and free:
        candidates = _move_candidates(
            [a[ops[d].a_range[0]].key for d in unmatched],
            [b[ops[k].b_range[0]].key for k in free],
        )
        used_d: set[int] = set()
        used_i: set[int] = set()
        for _, x, y in candidates:
            if x not in used_d and y not in used_i:
                used_d.add(x)
                used_i.add(y)
                pairs[free[y]] = unmatched[x]
    if not pairs:
        return ops
    moved_from = set(pairs.values())
    out: list[Op] = []
    for k, op in enumerate(ops):
        if k in moved_from:
            continue
        if k in pairs:
            source = ops[pairs[k]]
            moved = _pair_op(a, b, source.a_range, op.b_range, kind="move")
            out.append(moved if moved.op == "move" else Op("move", source.a_range, op.b_range))
        else:
            out.append(op)
    return out


#: Cells up to which deleted and inserted sentences are compared for moves with
#: rapidfuzz's matrix (about 0.6 s for 2,000 by 2,000 report sentences here).
MOVE_CAP = 4_000_000


def _move_candidates(deleted: list[str], inserted: list[str]) -> list[tuple[float, int, int]]:
    """Pairs (similarity, index in ``deleted``, index in ``inserted``) at least
    :data:`MOVE_THRESHOLD` alike, best first. Up to :data:`GAP_CAP` cells as a gap's
    matrix is made; up to :data:`MOVE_CAP` with rapidfuzz's matrix and its cut-off (a
    block of 400 edited sentences moved elsewhere was 400 removals and 400 insertions);
    beyond that, or with a very long "sentence" among them, none."""
    cells = len(deleted) * len(inserted)
    if cells <= GAP_CAP:
        sims = _similarity_matrix(deleted, inserted, MOVE_THRESHOLD)
        return sorted(
            (
                (sims[x][y], x, y)
                for x in range(len(deleted))
                for y in range(len(inserted))
                if sims[x][y] >= MOVE_THRESHOLD
            ),
            reverse=True,
        )
    if cells > MOVE_CAP or _very_long(deleted, inserted):
        return []
    from rapidfuzz.process import cdist

    matrix = cdist(
        deleted,
        inserted,
        scorer=Indel.normalized_similarity,
        score_cutoff=MOVE_THRESHOLD,
        workers=1,
    )
    xs, ys = (matrix >= MOVE_THRESHOLD).nonzero()
    return sorted(zip(matrix[xs, ys].tolist(), xs.tolist(), ys.tolist()), reverse=True)


def _join_moves(ops: list[Op], a: Sequence[Sentence], b: Sequence[Sentence]) -> list[Op]:
    """Sentences moved together (in a row on both sides) are one moved block: one op,
    its inline diff made over the whole block, as a reviewer reads a moved paragraph.
    Each block is diffed once (it was diffed again as each sentence joined it: 300
    sentences moved together took 12 s)."""
    out: list[Op] = []
    k = 0
    while k < len(ops):
        end = k + 1
        while (
            end < len(ops)
            and ops[k].op == ops[end].op == "move"
            and ops[end - 1].a_range[1] == ops[end].a_range[0]
            and ops[end - 1].b_range[1] == ops[end].b_range[0]
        ):
            end += 1
        if end - k == 1:
            out.append(ops[k])
        else:
            ar = (ops[k].a_range[0], ops[end - 1].a_range[1])
            br = (ops[k].b_range[0], ops[end - 1].b_range[1])
            joined_op = _pair_op(a, b, ar, br, kind="move")
            out.append(joined_op if joined_op.op == "move" else Op("move", ar, br))
        k = end
    return out


def _coalesce(ops: list[Op]) -> list[Op]:
    """Join runs of adjacent equal, delete and insert ops into one op each."""
    out: list[Op] = []
    for op in ops:
        last = out[-1] if out else None
        if (
            last is not None
            and op.op == last.op
            and op.op in ("equal", "delete", "insert")
            and not op.layout_only
            and not last.layout_only
            and last.a_range[1] == op.a_range[0]
            and last.b_range[1] == op.b_range[0]
        ):
            out[-1] = Op(
                op.op,
                (last.a_range[0], op.a_range[1]),
                (last.b_range[0], op.b_range[1]),
                op.similarity,
            )
        else:
            out.append(op)
    return out


def _similarity(ops: Sequence[Op], a: Sequence[Sentence], b: Sequence[Sentence]) -> float:
    """Share of characters the two documents have in common, by sentence alignment."""
    total = sum(len(s.key) for s in a) + sum(len(s.key) for s in b)
    if total == 0:
        return 1.0
    common = 0.0
    for op in ops:
        if op.op in ("equal", "change", "move", "punctuation"):
            la = sum(len(s.key) for s in a[op.a_range[0] : op.a_range[1]])
            lb = sum(len(s.key) for s in b[op.b_range[0] : op.b_range[1]])
            common += op.similarity * (la + lb)
    return common / total


def align(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    strict: bool = False,
    ignore_punctuation: bool = False,
) -> Alignment:
    """Align two sentence lists and return the operations that turn ``a`` into ``b``.

    Args:
        a: the old version's sentences.
        b: the new version's sentences.
        threshold: similarity (0..1) below which a pair is a delete plus an insert.
        strict: also report sentences whose original text differs while their keys are
            equal (punctuation width, script, line layout), one op per sentence.
        ignore_punctuation: drop punctuation-only changes (a change of a sentence's
            force, statement to question, is still reported).
    """
    if not 0.0 <= threshold <= 1.0:  # also refuses NaN
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    ops = _end_marks(_join_moves(_find_moves(_raw_ops(a, b, threshold), a, b), a, b), a, b)
    if ignore_punctuation:
        ops = [
            Op("equal", op.a_range, op.b_range, layout_only=True) if op.op == "punctuation" else op
            for op in ops
        ]
    if strict:
        ops = _strict(ops, a, b)
    ops = _coalesce(ops)
    return Alignment(tuple(ops), _similarity(ops, a, b), summarise(ops))


def summarise(ops: Sequence[Op]) -> dict[str, int]:
    """Sentences per kind of op; a change or move counts once, even a split or merge.

    ``move_edited`` counts the moves that were also edited (they are among ``move``).
    """
    summary = dict.fromkeys((*OP_KINDS, "move_edited"), 0)
    for op in ops:
        width = max(op.a_range[1] - op.a_range[0], op.b_range[1] - op.b_range[0])
        summary[op.op] += width if op.op in ("equal", "delete", "insert") else 1
        summary["move_edited"] += op.edited
    return summary
