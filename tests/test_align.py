"""Alignment: anchors, gaps, splits and merges, moves, inline diff, figures, invariants."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

import pytest
from conftest import SEEDS, genre_texts
from hypothesis import given, settings
from hypothesis import strategies as st

from difftool import load, normalise
from difftool.align import GAP_CAP, align
from difftool.inline import changed_numbers, cleanup_semantic, diff, tokens
from difftool.models import Sentence
from difftool.variants import evaluate


def sents(*keys: str) -> list[Sentence]:
    return [Sentence(i, k, k, 0, len(k)) for i, k in enumerate(keys)]


A1 = "坚持稳中求进工作总基调,完整准确全面贯彻新发展理念"
A2 = "全市查办各类违法案件4377宗,罚没2791.19万元"
A3 = "新增在线消费纠纷解决机制企业26家"
A4 = "联合澳门、珠海、中山、横琴发布全省首个消费维权团体标准"
A5 = "及时公开重大行政决策事项目录,清理现行有效规范性文件"


def kinds(result) -> list[str]:
    return [op.op for op in result.ops]


def test_tokens_keep_figures_and_words_whole():
    assert tokens("罚没2791.19万元,增长5.2%,GDP grew") == [
        "罚",
        "没",
        "2791.19",
        "万",
        "元",
        ",",
        "增",
        "长",
        "5.2%",
        ",",
        "GDP",
        " ",
        "grew",
    ]


def test_changed_figure_is_one_change_and_listed():
    result = align(sents(A1, A2, A3), sents(A1, A2.replace("4377", "4378"), A3))
    assert kinds(result) == ["equal", "change", "equal"]
    op = result.ops[1]
    assert (op.numbers_a, op.numbers_b) == (("4377",), ("4378",))
    assert ("delete", "4377") in op.inline and ("insert", "4378") in op.inline


def test_changed_numbers_are_multisets():
    assert changed_numbers("增长5%和5%", "增长5%和6%") == (["5%"], ["6%"])
    assert changed_numbers("同样的1和2", "同样的2和1") == ([], [])


def test_semantic_cleanup_keeps_rewritten_phrases_whole():
    segments = diff("省药品监管局法治建设要求", "省局法治工作要求")
    assert segments == [
        ("equal", "省"),
        ("delete", "药品监管"),
        ("equal", "局法治"),
        ("delete", "建设"),
        ("insert", "工作"),
        ("equal", "要求"),
    ]
    # a coincidental function character inside a rewrite is folded into the edit
    confetti = [
        ("delete", "推进"),
        ("insert", "加强"),
        ("equal", "的"),
        ("delete", "治理"),
        ("insert", "监管"),
    ]
    assert cleanup_semantic(confetti) == [("delete", "推进的治理"), ("insert", "加强的监管")]
    # but an unchanged word between two edits is not: the English example
    english = diff(
        "the prescribed initial condition of the PDE problem", "the initial datum of the IBVP"
    )
    changed = [text for tag, text in english if tag != "equal"]
    # (what both begin with is equal first, its space too: "the [-prescribed -]initial")
    assert changed == ["prescribed ", "condition", "datum", "PDE problem", "IBVP"]


#: What a long text is cut into tokens at: figures with thousands groups and points
#: (ASCII and full-width), words with apostrophes, runs of spaces, CJK, marks.
_TOKEN_PIECES = [
    "1",
    "2,345",
    ",",
    "678",
    ".",
    "9%",
    "１２",
    "．５",
    "%",
    "don",
    "'",
    "t",
    "’s",
    "GDP",
    " ",
    "\n\n",
    "\u3000",
    "增长",
    "，",
    "。",
    "(",
    "𠀀",
    "é",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKEN_PIECES), max_size=200), st.integers(1, 9))
def test_a_long_text_is_tokenised_as_a_whole_piece_by_piece(pieces, piece):
    """A long text is split a piece at a time: each cut falls after a character that is a
    token of its own, so the tokens are those of the whole text, a figure or a word never
    cut in two (pieces of a few characters here, to cut everywhere)."""
    import re

    from difftool import inline

    text = "".join(pieces)
    saved = inline._PIECE, inline._SHARED_TOKENS
    inline._PIECE, inline._SHARED_TOKENS = piece, 0
    try:
        assert tokens(text) == re.findall(inline._TOKEN, text)
    finally:
        inline._PIECE, inline._SHARED_TOKENS = saved


def test_a_long_texts_equal_tokens_are_one_object():
    """A CJK character is a 76-byte string: a long line's tokens share one object each
    (a 2-million-character line's diff peaked at 716 MB, 477 MB after, the same report)."""
    text = "增长百分之五，" * 5_000 + "GDP 2,345.6% " * 100
    found = tokens(text)
    assert "".join(found) == text
    assert len({id(t) for t in found}) == len(set(found))


def test_inline_segments_rebuild_both_sides():
    a, b = "全面深化商事制度改革,突出加强食品安全", "深化商事制度改革,大力加强药品安全监管"
    segments = diff(a, b)
    assert "".join(t for tag, t in segments if tag != "insert") == a
    assert "".join(t for tag, t in segments if tag != "delete") == b


def test_insert_and_delete():
    assert kinds(align(sents(A1, A3), sents(A1, A2, A3))) == ["equal", "insert", "equal"]
    assert kinds(align(sents(A1, A2, A3), sents(A1, A3))) == ["equal", "delete", "equal"]


def test_unrelated_replacement_is_delete_plus_insert_not_change():
    result = align(sents(A1, A2, A3), sents(A1, A4, A3))
    assert sorted(kinds(result)) == ["delete", "equal", "equal", "insert"]


def test_threshold_decides_between_change_and_replacement():
    old, new = "全市共审查新增文件253件,梳理存量文件511件", "全市共清理新增文件253件"
    assert kinds(align(sents(old), sents(new), threshold=0.3)) == ["change"]
    assert sorted(kinds(align(sents(old), sents(new), threshold=0.9))) == ["delete", "insert"]


def test_split_and_merge_are_one_change():
    whole = (
        "建立告知承诺许可企业库,已入库企业250家,并通过双随机加信用标准化监管新模式推进企业精准画像"
    )
    first, second = (
        "建立告知承诺许可企业库,已入库企业250家",
        "并通过双随机加信用标准化监管新模式推进企业精准画像",
    )
    split = align(sents(A1, whole, A3), sents(A1, first, second, A3))
    assert kinds(split) == ["equal", "change", "equal"]
    assert split.ops[1].a_range == (1, 2) and split.ops[1].b_range == (1, 3)
    merged = align(sents(A1, first, second, A3), sents(A1, whole, A3))
    assert kinds(merged) == ["equal", "change", "equal"]
    assert merged.ops[1].a_range == (1, 3) and merged.ops[1].b_range == (1, 2)


def test_split_that_changes_no_word_is_equal_layout():
    result = align(
        sents(A1, "甲乙丙丁戊己庚辛壬癸" * 2),
        sents(A1, "甲乙丙丁戊己庚辛壬癸", "甲乙丙丁戊己庚辛壬癸"),
    )
    assert [(op.op, op.layout_only) for op in result.ops] == [("equal", False), ("equal", True)]
    assert result.summary["change"] == 0


def test_sentences_cut_at_other_places_are_one_equal_layout_op():
    # each layout broke a line without a mark elsewhere: X / YZ against XY / Z
    x, y, z = (
        "二、我们坚持在和平共处五项原则的基础上发展关系",
        "“互相尊重主权、和平共处”",
        "五项原则",
    )
    result = align(sents(A1, x, y + z, A3), sents(A1, x + y, z, A3))
    assert [(op.op, op.layout_only) for op in result.ops] == [
        ("equal", False),
        ("equal", True),
        ("equal", False),
    ]
    assert result.ops[1].a_range == (1, 3) and result.ops[1].b_range == (1, 3)
    # three against two, and the other way round
    three = align(sents(A1, x, y, z + A2, A3), sents(A1, x + y, z + A2, A3))
    assert [op.op for op in three.ops] == ["equal", "equal", "equal"]
    assert three.summary["change"] == three.summary["insert"] == 0


def test_a_regrouping_beside_a_real_change_leaves_the_change():
    x, y, z = (
        "二、我们坚持在和平共处五项原则的基础上发展关系",
        "“互相尊重主权、和平共处”",
        "五项原则",
    )
    result = align(
        sents(A1, x, y + z, A2, A3),
        sents(A1, x + y, z, A2.replace("4377", "4378"), A3),
    )
    assert [(op.op, op.layout_only) for op in result.ops] == [
        ("equal", False),
        ("equal", True),
        ("change", False),
        ("equal", False),
    ]
    assert result.ops[2].numbers_a == ("4377",) and result.ops[2].numbers_b == ("4378",)


def test_a_regrouping_with_another_end_mark_is_a_difference():
    a = [
        Sentence(0, A1, A1, 0, 1, mark="。"),
        Sentence(1, "甲乙丙", "甲乙丙", 0, 1),
        Sentence(2, "丁戊己庚", "丁戊己庚", 0, 1, mark="。"),
        Sentence(3, A3, A3, 0, 1, mark="。"),
    ]
    b = [
        Sentence(0, A1, A1, 0, 1, mark="。"),
        Sentence(1, "甲乙丙丁", "甲乙丙丁", 0, 1),
        Sentence(2, "戊己庚", "戊己庚", 0, 1, mark="？"),
        Sentence(3, A3, A3, 0, 1, mark="。"),
    ]
    # the same words, but a statement became a question: not layout
    result = align(a, b)
    assert result.summary["change"] >= 1
    assert not any(op.layout_only for op in result.ops)


def test_moved_sentence_is_one_move():
    result = align(sents(A1, A2, A3, A4, A5), sents(A1, A3, A4, A2, A5))
    moves = [op for op in result.ops if op.op == "move"]
    assert len(moves) == 1
    assert moves[0].a_range == (1, 2) and moves[0].b_range == (3, 4)
    assert result.summary["delete"] == result.summary["insert"] == 0


def test_moved_and_edited_sentence_is_a_move_with_its_inline_edit():
    edited = A2.replace("4377", "4380")
    result = align(sents(A1, A2, A3, A4, A5), sents(A1, A3, A4, edited, A5))
    (move,) = [op for op in result.ops if op.op == "move"]
    assert move.numbers_a == ("4377",) and move.numbers_b == ("4380",)


def test_threshold_is_validated():
    with pytest.raises(ValueError, match="threshold"):
        align(sents(A1), sents(A1), threshold=1.5)


def test_gap_beyond_the_cap_falls_back_to_delete_and_insert():
    old = [f"第{i}条 旧的规定内容第{i}项" for i in range(300)]
    new = [f"第{i}条 新的规定内容第{i}项" for i in range(300)]
    result = align(sents(*old), sents(*new))
    assert result.summary["delete"] + result.summary["change"] >= 300


# --- invariants --------------------------------------------------------------------------

keys = st.lists(
    st.sampled_from([A1, A2, A3, A4, A5, "短句", "另一个短句", A2 + "新增内容"]), max_size=12
)


def apply_ops(ops, a: Sequence[str], b: Sequence[str]) -> list[str]:
    """Rebuild b from a and the ops: equal ranges copied from a, the rest from the ops."""
    out: list[str] = []
    for op in sorted(
        (op for op in ops if op.b_range[1] > op.b_range[0]), key=lambda op: op.b_range
    ):
        if op.op == "equal" and not op.layout_only:
            out += a[op.a_range[0] : op.a_range[1]]
        else:
            out += b[op.b_range[0] : op.b_range[1]]
    return out


@settings(max_examples=300, deadline=None)
@given(keys)
def test_compare_x_with_x_is_all_equal(x):
    result = align(sents(*x), sents(*x))
    assert all(op.op == "equal" for op in result.ops)
    assert result.similarity == 1.0


@settings(max_examples=300, deadline=None)
@given(keys, keys)
def test_ops_cover_both_sides_once_and_rebuild_b(x, y):
    result = align(sents(*x), sents(*y))
    a_seen = [i for op in result.ops for i in range(*op.a_range)]
    b_seen = [j for op in result.ops for j in range(*op.b_range)]
    assert sorted(a_seen) == list(range(len(x)))
    assert sorted(b_seen) == list(range(len(y)))
    for op in result.ops:
        if op.op == "equal":
            assert "".join(x[op.a_range[0] : op.a_range[1]]) == "".join(
                y[op.b_range[0] : op.b_range[1]]
            )
    assert apply_ops(result.ops, x, y) == list(y)


@settings(max_examples=300, deadline=None)
@given(keys, keys)
def test_swapping_a_and_b_swaps_inserts_and_deletes(x, y):
    forward = align(sents(*x), sents(*y)).summary
    backward = align(sents(*y), sents(*x)).summary
    assert forward["insert"] == backward["delete"]
    assert forward["delete"] == backward["insert"]
    assert forward["change"] == backward["change"]
    assert forward["move"] == backward["move"]


# --- generated variant pairs --------------------------------------------------------------


def test_generated_variant_pairs_recall_and_precision():
    """50 pairs of seed text with known edits, each side in its own layout."""
    texts = [normalise(load(p).text).text for p in sorted(SEEDS.glob("*.txt"))]
    total = evaluate(texts, 50, seed=20231204)
    assert total.edits > 200
    assert total.recall >= 0.95, total
    assert total.precision >= 0.95, total


def test_a_very_long_sentence_against_short_ones_is_scored_by_its_length_first():
    from difftool.inline import similarity

    long = "".join(chr(0x4E00 + k * 7919 % 20_000) for k in range(20_000))  # none twice
    short = long[5_000:5_040]
    # the share in common is at most 2 * 40 / 20,040: under any cutoff above it, 0
    assert similarity(long, short, cutoff=0.5) == 0.0
    assert 0.0 < similarity(long, short) <= 2 * len(short) / (len(long) + len(short))
    # and the alignment still pairs the long sentence with its own edited copy
    edited = long[:1000] + "戊" + long[1000:]
    ops = align(sents(short, long), sents(edited)).ops
    assert [op.op for op in ops] == ["delete", "change"]


def test_one_long_sentence_is_not_scored_against_two_short_ones_in_full(monkeypatch):
    """The one-to-two step (a sentence a layout cut in two) is bounded as the gap's
    matrix is: a 20,000-character sentence against two of 40 is told by its length, and
    no exact similarity of the long one is computed (it cost 60 ms a pair, 5.7 s on a
    630 KB line without full stops against a seed)."""
    from rapidfuzz.distance import Indel

    import difftool.align as align_module
    import difftool.inline as inline_module

    long_pairs: list[int] = []

    class Spy:
        @staticmethod
        def normalized_similarity(a: str, b: str, **kw: float) -> float:
            if len(a) + len(b) > inline_module.EXACT_SIMILARITY:
                long_pairs.append(len(a) + len(b))
            return float(Indel.normalized_similarity(a, b, **kw))

    monkeypatch.setattr(align_module, "Indel", Spy)
    monkeypatch.setattr(inline_module, "Indel", Spy)
    long = "".join(chr(0x4E00 + k * 7919 % 20_000) for k in range(20_000))  # none twice
    first, second = long[5_000:5_040], long[9_000:9_040]
    ops = align(sents("前言", long), sents("前言", first, second)).ops
    assert long_pairs == []
    assert ops[0].op == "equal" and sorted(op.op for op in ops[1:]) == ["delete", "insert"]


# --- long changed sentences whose text repeats itself ----------------------------------------


def _table_dump(rows: int, rng: random.Random) -> str:
    """A table exported without punctuation: a few row shapes repeated, so that almost
    no run of tokens is unique (round 3 diffed such a line as one deletion plus one
    insertion, similarity 0)."""
    shapes = ["项目资金拨付情况{}万元完成率{}", "监督抽检批次{}合格{}", "案件查办数量{}罚没{}万元"]
    cells = [rng.choice(["1", "2", "12", "3.5"]) for _ in range(12)]
    return "".join(shapes[r % 3].format(cells[r % 12], cells[(r + 5) % 12]) for r in range(rows))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("一二三"), min_size=0, max_size=300),
    st.lists(st.sampled_from("一二三"), min_size=0, max_size=300),
    st.sampled_from([4, 8, 16]),
)
def test_the_array_pass_pairs_runs_as_the_list_pass(ta, tb, size):
    """Runs seen as often on each side (at most REPEATS times) pair in order: the k-th
    place of a run with its k-th on the other side, in NumPy as in the list pass. (The
    array pass keeps a diagonal's first pair and each size-th after it, so its chain may
    keep fewer anchors; it finds one wherever the list pass does.)"""
    from difftool import inline

    saved = inline._ARRAY_TOKENS
    try:
        inline._ARRAY_TOKENS = 10**9
        listed = inline._anchors(ta, tb, 0, len(ta), 0, len(tb), size)
        inline._ARRAY_TOKENS = 0
        arrays = inline._anchors(ta, tb, 0, len(ta), 0, len(tb), size)
    finally:
        inline._ARRAY_TOKENS = saved
    assert bool(arrays) == bool(listed)
    in_a, in_b = inline.runs(ta, 0, len(ta), size), inline.runs(tb, 0, len(tb), size)
    for (i, j), (k, m) in pairwise(arrays):
        assert k >= i + size and m >= j + size  # in order, not overlapping
    for i, j in arrays:
        key = "".join(ta[i : i + size])
        assert key == "".join(tb[j : j + size]) and len(in_a[key]) == len(in_b[key])
        assert in_a[key].index(i) == in_b[key].index(j)


@pytest.mark.parametrize("rows", [400, 6_000])  # the list pass, and the array pass
def test_a_long_line_that_repeats_itself_is_one_change_with_exactly_its_edits(rows):
    from difftool.inline import _ARRAY_TOKENS, DIRECT_TOKENS, similarity

    rng = random.Random(rows)
    a = _table_dump(rows, rng)
    edits = sorted(rng.sample(range(100, len(a) - 100), 12))
    both = 2 * len(tokens(a))  # the two sizes take the two passes
    assert (DIRECT_TOKENS < both <= _ARRAY_TOKENS) if rows == 400 else both > _ARRAY_TOKENS
    pieces, last = [], 0
    for at in edits:
        if at < last + 20:  # edits apart, each replacing one character by 戊
            continue
        pieces += [a[last:at], "戊"]
        last = at + 1
    b = "".join(pieces) + a[last:]
    segments = diff(a, b)
    assert "".join(t for tag, t in segments if tag != "insert") == a
    assert "".join(t for tag, t in segments if tag != "delete") == b
    inserted = [t for tag, t in segments if tag == "insert"]
    assert inserted and all("戊" in t and len(t) <= 4 for t in inserted)
    assert len(inserted) == b.count("戊")
    assert similarity(a, b) > 0.99
    ops = align(sents(a), sents(b)).ops
    assert [op.op for op in ops] == ["change"]


# each row about 7 times (paired in order) and 162 times (walked): both past the gap's matrix
@pytest.mark.parametrize("rows", [250, 6_000])
def test_a_document_that_repeats_its_sentences_is_aligned_row_for_row(rows):
    """A table of results as sentences, cycling through 37 rows: round 3 found no unique
    sentence, gave the gap up as deletions and insertions, and reported 1,235 of the
    6,000 sentences as moved."""
    period = 37
    a = [f"第{k % period}项检查结果合格" for k in range(rows)]
    b = list(a)
    rng = random.Random(rows)
    # one near each end: what is equal at the ends is matched before any anchor
    changed = sorted([1, *rng.sample(range(3, rows - 3), 2), rows - 2])
    for k in changed:
        b[k] = b[k].replace("合格", "不合格")
    b.insert(rows // 2, "新增一句话说明抽检情况")
    gone = rows - rows // 4
    del b[gone + 1]  # a's sentence gone + 1 (b has one more before it)
    ops = align(sents(*a), sents(*b)).ops
    kinds = Counter(op.op for op in ops if op.op != "equal")
    assert kinds == {"change": 4, "insert": 1, "delete": 1}, kinds
    assert sorted(op.a_range[0] for op in ops if op.op == "change") == changed
    assert [op.b_range[0] for op in ops if op.op == "insert"] == [rows // 2]
    assert [op.a_range[0] for op in ops if op.op == "delete"] == [gone]


def test_a_long_run_of_edited_sentences_without_an_anchor_is_changes_not_removals():
    """Every sentence of three reports edited (a word added before each full stop): no
    sentence is left equal to anchor on, so the gap is far larger than one matrix. Round
    3 gave it up: 876 sentences removed and 876 inserted, similarity 0.46."""
    text = "".join(genre_texts()[-8:-5])
    a = [s for s in normalise(text).text.replace("。", "。\n").splitlines() if len(s) > 8]
    b = [s[:-1] + "等。" for s in a]
    assert len(a) * len(b) > 10 * GAP_CAP
    result = align(sents(*a), sents(*b))
    assert result.summary["change"] == len(a)
    assert result.summary["insert"] == result.summary["delete"] == result.summary["move"] == 0
    assert all("等" in "".join(t for tag, t in op.inline if tag == "insert") for op in result.ops)


def test_a_large_block_of_edited_sentences_moved_elsewhere_is_one_moved_block(monkeypatch):
    """500 sentences moved to the end, each with a character changed: too many for a
    gap's matrix, so round 3 found only the 76 that no edit touched as moves and gave
    the rest as 421 removals and 421 insertions; and each sentence that joined a moved
    block diffed the block again (300 sentences: 12 s)."""
    import difftool.align as align_module

    text = "".join(genre_texts()[-8:-5])
    a = [s for s in normalise(text).text.replace("。", "。\n").splitlines() if len(s) > 12]
    assert len(a) > 900
    block = [s[:5] + "甲" + s[6:] for s in a[200:700]]
    b = a[:200] + a[700:] + block
    diffed: list[tuple[tuple[int, int], tuple[int, int]]] = []
    pair_op = align_module._pair_op

    def spy(sa, sb, ar, br, kind="change"):
        if kind == "move":
            diffed.append((ar, br))
        return pair_op(sa, sb, ar, br, kind)

    monkeypatch.setattr(align_module, "_pair_op", spy)
    result = align(sents(*a), sents(*b))
    moves = [op for op in result.ops if op.op == "move"]
    assert [(op.a_range, op.b_range) for op in moves] == [((200, 700), (len(a) - 500, len(a)))]
    assert moves[0].edited
    assert result.summary["insert"] == result.summary["delete"] == 0
    # the block is diffed once as a block (and each sentence once as it is found moved)
    assert diffed.count(((200, 700), (len(a) - 500, len(a)))) == 1
    assert sum(1 for ar, _ in diffed if ar[1] - ar[0] > 1) == 1


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("一二" * 750, "一二" * 374 + "三" + "一二" * 376, [("insert", "三")]),
        ("ab " * 500, "ab " * 250 + "c " + "ab " * 250, [("insert", "c ")]),
        ("1、2、3、" * 40, "1、2、3、" * 20 + "4、" + "1、2、3、" * 20, [("insert", "4、")]),
    ],
)
def test_an_insertion_inside_a_sentence_that_repeats_itself_is_only_that(a, b, edits):
    """The longest common run of a text that repeats itself lies a period off: round 3
    showed the '三' inserted into 一二一二… as 748 characters inserted and as many
    deleted."""
    segments = diff(a, b)
    assert [(tag, text) for tag, text in segments if tag != "equal"] == edits


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("", "甲乙丙丁" * 12_000),  # one side empty, past the array pass's threshold
        ("甲" * 10, "甲乙丙丁" * 12_000),  # one side shorter than a run
        ("甲乙丙丁" * 12_000, "甲乙丙丁" * 11_000 + "戊" + "甲乙丙丁" * 1_000),
        ("ab " * 20_000, "ab " * 9_000 + "x " + "ab " * 11_000),  # Latin words repeated
    ],
)
def test_long_degenerate_pairs_diff_to_their_texts(a, b):
    """Long token lists with one side empty, shorter than an anchor, or repeating one
    word: the array pass, as first written, asked NumPy for an array of negative size,
    and the diff must still give back each side."""
    segments = diff(a, b)
    assert "".join(t for tag, t in segments if tag != "insert") == a
    assert "".join(t for tag, t in segments if tag != "delete") == b
    assert sum(len(t) for tag, t in segments if tag != "equal") <= abs(len(a) - len(b)) + 4


def _two_token_line(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("一二") for _ in range(n))


def test_a_stretch_from_two_tokens_is_not_searched_run_by_run(monkeypatch):
    """difflib's longest-run search compares, for each token of a, every place of that
    token in b: over an alphabet of two that is half the product of the lengths (0.5 s
    a 3,000-token window; two unrelated 200,000-character lines took 16 s). Such a
    stretch is matched as a longest common subsequence; report text is not."""
    import difftool.inline as inline_module

    searched: list[int] = []
    matcher = inline_module.SequenceMatcher

    def spy(junk, a, b, autojunk):
        searched.append(len(a) + len(b))
        return matcher(junk, a, b, autojunk=autojunk)

    monkeypatch.setattr(inline_module, "SequenceMatcher", spy)
    a, b = _two_token_line(1_400, 1), _two_token_line(1_400, 2)
    segments = diff(a, b)
    assert "".join(t for tag, t in segments if tag != "insert") == a
    assert "".join(t for tag, t in segments if tag != "delete") == b
    assert all(n < 400 for n in searched), searched  # small stretches only, if any
    # a long sentence of a real report, edited, keeps the longest-runs-first search
    searched.clear()
    text = genre_texts()[-8].replace("\n", "")[1_000:2_400]
    edited = text[:200] + "甲乙" + text[202:1_200] + text[1_205:]
    real = diff(text, edited)
    assert max(searched) > 1_800
    assert [t for tag, t in real if tag == "insert"] == ["甲乙"]


@pytest.mark.parametrize("n", [3_000, 60_000])  # one window; the anchored walk
def test_unrelated_lines_from_two_tokens_diff_to_their_texts(n):
    a, b = _two_token_line(n, 3), _two_token_line(n, 4)
    segments = diff(a, b)
    assert "".join(t for tag, t in segments if tag != "insert") == a
    assert "".join(t for tag, t in segments if tag != "delete") == b


def test_a_gap_of_few_distinct_sentences_asks_each_question_once(monkeypatch):
    """One side a sentence repeated, the other the same and its reversal at random:
    nothing to anchor on, so windows of the gap's matrix align it, and each of their
    cells asked the same few questions again (10,000 sentences took 19 s). Answered
    once a window, they give the same alignment."""
    import difftool.align as align_module

    asked: list[tuple[str, ...]] = []
    same_words = align_module.same_words

    def spy(xs, ys):
        asked.append((*xs, *ys))
        return same_words(xs, ys)

    monkeypatch.setattr(align_module, "same_words", spy)
    rng = random.Random(11)
    n = 400
    a = sents(*["一二三"] * n)
    b = sents(*[rng.choice(["一二三", "三二一"]) for _ in range(n)])
    assert n * n > GAP_CAP
    ops = align(a, b).ops
    assert len(asked) < 1_000, len(asked)  # per window, not per cell (10,000 a window)
    asked.clear()
    monkeypatch.setattr(align_module, "cache", lambda fn: fn)  # every cell asks
    assert align(a, b).ops == ops
    assert len(asked) > 10_000
    # both sides covered in order, and what is called equal is equal
    assert [op.a_range for op in ops if op.a_range[1] > op.a_range[0]] == sorted(
        op.a_range for op in ops if op.a_range[1] > op.a_range[0]
    )
    assert sum(op.a_range[1] - op.a_range[0] for op in ops) == n
    assert sum(op.b_range[1] - op.b_range[0] for op in ops) == n
    for op in ops:
        if op.op == "equal":
            assert [s.key for s in a[op.a_range[0] : op.a_range[1]]] == [
                s.key for s in b[op.b_range[0] : op.b_range[1]]
            ]
