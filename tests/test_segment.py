"""Sentence splitting: Chinese and English rules, spans, invariants."""

from __future__ import annotations

import itertools

from conftest import SEED_000, read
from hypothesis import given, settings
from hypothesis import strategies as st

from difftool import load, normalise, sentences
from difftool.segment import sentence_key, split


def keys(text: str) -> list[str]:
    return [s.key for s in sentences(normalise(text))]


def test_chinese_sentence_ends():
    assert keys("第一句。第二句！第三句？第四句；第五句") == [
        "第一句",
        "第二句",
        "第三句",
        "第四句",
        "第五句",
    ]


def test_never_inside_book_titles_quotes_or_brackets():
    text = "送选的《看视频涨知识，教您科学选购儿童化妆品！》参赛作品获评优秀影片奖。下一句。"
    assert keys(text) == [
        "送选的《看视频涨知识,教您科学选购儿童化妆品!》参赛作品获评优秀影片奖",
        "下一句",
    ]
    assert keys("他说：“今年要做好三件事。”然后散会。") == ["他说:“今年要做好三件事。”", "然后散会"]
    assert keys("（注：本数据为初步统计。）全年增长5%。") == ["(注:本数据为初步统计。)全年增长5%"]


def test_closing_quote_stays_with_its_sentence():
    spans = split("“要坚持稳中求进。”下一句。")
    assert [("“要坚持稳中求进。”下一句。")[s:e] for s, e in spans] == [
        "“要坚持稳中求进。”",
        "下一句。",
    ]


def test_unbalanced_quote_does_not_swallow_the_paragraph():
    assert len(keys("他说“第一句。第二句。第三句。")) == 3


def test_decimals_and_figures_do_not_split():
    assert keys("罚没2791.19万元,增长5.2%。下一句。") == ["罚没2791.19万元,增长5.2%", "下一句"]


def test_english_sentences_and_abbreviations():
    text = "Mr. Li met Dr. Wang at 3.5 p.m. on Monday. GDP grew 5.2 percent! Was it enough? Yes."
    assert keys(text) == [
        "Mr. Li met Dr. Wang at 3.5 p.m. on Monday",
        "GDP grew 5.2 percent",
        "Was it enough",
        "Yes",
    ]


def test_lines_are_structural_breaks_and_headings_are_marked():
    sents = sentences(normalise("一、总体要求\n坚持稳中求进。推动高质量发展。\n专此报告。"))
    assert [(s.key, s.heading) for s in sents] == [
        ("一、总体要求", True),
        ("坚持稳中求进", False),
        ("推动高质量发展", False),
        ("专此报告", False),
    ]


def test_key_ignores_the_end_punctuation():
    assert sentence_key("获评市直单位法治文化“十佳”特色品牌；") == sentence_key(
        "获评市直单位法治文化“十佳”特色品牌。"
    )


def test_each_sentence_keeps_its_original_text():
    doc = load(SEED_000)
    sents = sentences(normalise(doc.text))
    for s in sents:
        assert s.text == doc.text[s.start : s.end]
    wrapped = next(s for s in sents if s.key.startswith("2023年,我局坚持"))
    assert wrapped.text.startswith("2023 年，我局坚持以习近平新时代中国特色社会主义思想\n\n为指导")
    assert read(SEED_000).index(wrapped.text) == wrapped.start


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中文。！？；!?;.《》“”（）() \nAbc1")), max_size=200))
def test_spans_cover_the_text_in_order_without_overlap(text: str):
    spans = split(text)
    pos = 0
    for start, end in spans:
        assert pos <= start < end <= len(text)
        assert text[pos:start].strip() == ""  # only whitespace between sentences
        pos = end
    assert text[pos:].strip() == ""


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_sentence_spans_in_the_original_are_in_order(text: str):
    norm = normalise(text)
    sents = sentences(norm)
    for a, b in itertools.pairwise(sents):
        assert a.start <= a.end <= b.start <= b.end


def test_english_numbered_headings_are_not_split():
    assert keys("1. Review of our work\nIV. Tasks for 2024\nPrices rose. Jobs grew.") == [
        "1. Review of our work",
        "IV. Tasks for 2024",
        "Prices rose",
        "Jobs grew",
    ]


def _reference_split_line(line, nested):  # type: ignore[no-untyped-def]
    """The per-character state machine the fast splitter replaced: the reference."""
    from difftool import segment

    stack: list[str] = []
    breaks: list[int] = []
    english = segment._english_breaks(line) if "." in line or "!" in line or "?" in line else set()
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in segment._OPENERS and ch in nested:
            stack.append(segment._OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            quote = ch in segment._QUOTE_CLOSERS
            if not stack and quote and i > 0 and line[i - 1] in segment._HARD_END and i + 1 < n:
                breaks.append(i + 1)
        elif not stack and (ch in segment._HARD_END or i + 1 in english):
            j = i + 1
            while j < n and (line[j] in segment._HARD_END or line[j] in segment._CLOSERS):
                j += 1
            if j < n:
                breaks.append(j)
            i = j
            continue
        i += 1
    return None if stack else breaks


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("报告。！？；“”《》（）()「」‘’\"'. !?AaBb1 ,，")),
        max_size=80,
    )
)
def test_fast_splitter_matches_the_reference(line):
    from difftool import segment

    full = frozenset(segment._OPENERS)
    for nested in (full, full - {"“", "‘"}, frozenset()):
        assert segment._split_line(line, nested) == _reference_split_line(line, nested)
