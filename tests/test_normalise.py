"""Normalisation: each step alone, the seeds end to end, and invariants."""

from __future__ import annotations

import difflib
import random
import re
import sys

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_003, read
from hypothesis import example, given, settings
from hypothesis import strategies as st

from difftool import load, normalise, sentences


def key(text: str) -> str:
    return normalise(text).text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("２０２３年，我局（ＯＤＲ）：", "2023年,我局(ODR):"),  # full-width folded
        ("“双打”考核《报告》。、", "“双打”考核《报告》。、"),  # these stay as they are
        ("2023 年 12 月", "2023年12月"),  # PDF spaces between CJK and digits
        ("第 3并连续 4年获评 A级", "第3并连续4年获评A级"),
        ("the State Council report", "the State Council report"),  # Latin spacing kept
        ("中\u200b国\ufeff人\u00ad民", "中国人民"),  # invisible characters
        ("開(kāi)局(jú)之(zhī)年(nián)", "开局之年"),  # pinyin annotations, then t2s
        ("## 一、总体要求\n\n**重点**任务\n\n---\n\n- 第一项", "一、总体要求\n重点任务\n第一项"),
        ("<p>第一段&nbsp;内容</p><p>第二段&amp;</p>", "第一段内容\n第二段&"),
        # marks nested in any order all go: a second normalising found "#" left behind
        ("> ## 一、总体要求\n- # 第一项\n# >", "一、总体要求\n第一项"),
        # HTML's tags go, Word's namespaced ones too; other text in angle brackets stays
        ("<P CLASS=x>一</P><o:p></o:p><my-card>二</my-card>", "一\n二"),
        (
            "Copyright (C) <year> <name of author> <https://fsf.org/>",
            "Copyright (C) <year> <name of author> <https://fsf.org/>",
        ),
        ("正文\n\n— 3 —\n\n正文二", "正文\n正文二"),  # page number line
        ("正文\n第3页 共10页\n正文二", "正文\n正文二"),
        ("中華人民共和國", "中华人民共和国"),  # Traditional -> Simplified
        ("Line one\r\nLine two\r", "Line one\nLine two"),
        # an extractor's spaced-out line: figures, marks and Latin closed up with the CJK
        (
            "增 长 1 2 . 5 % ， 达 到 3 , 1 0 6 亿 元 （ O D R ） 。",
            "增长12.5%,达到3,106亿元(ODR)。",
        ),
        # in a text whose CJK lines are spaced out, its other lines too; wider gaps are
        # between words, and where all gaps are alike they are between letters
        (
            "中 国 人 民 政 府\nT h e  f i r s t  r e p o r t\n2 0 2 3",
            "中国人民政府\nThe first report\n2 0 2 3",
        ),
        ("中 国 人 民 政 府\na  b  c  d  e  f", "中国人民政府\nabcdef"),
        ("T h e  f i r s t  r e p o r t", "T h e f i r s t r e p o r t"),  # no CJK: left
        ("I am a man of the world, a b c", "I am a man of the world, a b c"),
        ("1 2 3\nx y z", "1 2 3 x y z"),  # joined as a wrap, not taken as spaced out
        ("0 0  0—", "000—"),  # a run of spaces inside a figure, judged as one figure
        # "##" alone on a line: an empty heading, as a wrap after the marker leaves it
        ("正文第一段。\n##\n审议发言摘要\n", "正文第一段。\n审议发言摘要"),
        # a page number between the figure and its CJK neighbour: the space still goes
        ("细颗粒物（PM\n2. 5\n- 2 -\n）和可吸入颗粒物", "细颗粒物(PM\n2.5)和可吸入颗粒物"),
        # English wrapped at a ragged margin: the next line goes on in lower case
        (
            "grew by 5.2 percent, and 12.44 million\nurban jobs were added.",
            "grew by 5.2 percent, and 12.44 million urban jobs were added.",
        ),
    ],
)
def test_steps(raw: str, expected: str):
    assert key(raw) == expected


def test_a_lone_parenthesised_pinyin_like_word_is_kept():
    # fewer than three toned annotations: a gloss, not injected annotations
    assert key("读作 行(xíng)。") == "读作行(xíng)。"


def test_running_headers_repeated_on_pages_are_removed():
    page = "江门市市场监督管理局工作简报\n" + "正文内容很长很长的一段话。\n" * 12
    assert "工作简报" not in key(page * 4)
    assert key(page * 4).count("正文内容很长很长的一段话。") == 48
    # missing from a page, and double-spaced: still a header
    pages = (page * 5).replace("工作简报\n", "工作简报\n正文内容很长很长的一段话。\n", 1)
    assert "工作简报" not in key(pages.replace("\n", "\n\n"))
    # pages of 30 to 36 lines of text with blank lines between paragraphs, one page
    # without its header: a header
    rng = random.Random(3)
    paged = [
        ("" if n == 4 else "江门市市场监督管理局工作简报\n")
        + "".join(
            "正文内容很长很长的一段话。\n" + "\n" * (rng.random() < 0.3)
            for _ in range(rng.randint(30, 36))
        )
        for n in range(9)
    ]
    assert "工作简报" not in key("".join(paged))


@pytest.mark.parametrize("page_break", ["\f", "\n\f", "\n- {n} -\n", "\n\n第{n}页\n\n"])
def test_a_header_on_a_short_documents_pages_is_removed_and_its_title_kept(page_break):
    """A three-page document has two running headers, under the three a header needed:
    the header stayed inside a sentence. Where the text marks its pages (form feeds, as
    pdftotext writes them, or page numbers), a line at the top of two pages is a header;
    the title that it repeats, at no page's edge, stays."""
    title = "Apache License Version 2.0, January 2004"
    body = "The licensee may copy and distribute verbatim copies of the work in any medium\n"
    pages = [title + "\nTERMS AND CONDITIONS\n" + body * 20] + [body * 20] * 2
    text = pages[0]
    for n, page in enumerate(pages[1:], start=1):
        text = (
            text.rstrip("\n")
            + page_break.format(n=n)
            + (title + "\n" if "\f" in page_break else "")
            + page
        )
    if "\f" not in page_break:  # the header after the page number
        text = text.replace(page_break.format(n=1), page_break.format(n=1) + title + "\n")
        text = text.replace(page_break.format(n=2), page_break.format(n=2) + title + "\n")
    out = key(text)
    assert out.count(title) == 1 and out.startswith(title)
    assert "verbatim copies of the work in any medium The licensee" in out  # pages joined
    # two pages: the title once more at the top of the second is its header
    two = title + "\n" + body * 20 + "\f" + title + "\n" + body * 5
    assert key(two).count(title) == 1
    # a line of the text that two of twenty page breaks fall beside is no header
    line = "纲要（草案）"
    page = "正文内容很长很长的一段话，" * 3 + "完。\n"
    paged = "".join(f"{page * 3}{line}\n- {n} -\n{page}" for n in range(2)) + "".join(
        f"{page * 3}{line}\n{page}- {n} -\n" for n in range(2, 20)
    )
    assert key(paged).count("纲要(草案)") == 20


def test_a_paragraphs_last_word_alone_on_its_line_is_no_header():
    # "License." ends three paragraphs a page apart, as a wrap left it
    para = ("Notices cannot be construed as modifying the terms of this\nLicense.\n") + (
        "The licensee may copy and distribute verbatim copies of it\n" * 14
    )
    assert key(para * 3).count("License.") == 3


def test_a_line_repeated_oftener_than_pages_or_unevenly_is_text():
    from difftool.variants import char_wrapped_layout

    # a quoted title that a wrap cut into the same line again and again, 4-47 lines apart
    body = "正文内容很长很长的一段话。\n"
    title = "纲要（草案）\n"
    text = "".join(body * gap + title for gap in (4, 9, 6, 12, 5, 8, 7)) + body * 20
    assert key(text).count("纲要(草案)") == 7
    # the same title quoted farther apart, the median gap as long as a short page (16),
    # half the gaps within a factor 1.5 of it: still no page's (the 2006 report, FF and
    # page numbers in its layout, where "《》" was left)
    gaps = (4, 4, 7, 12, 13, 15, 16, 16, 21, 21, 58, 59)
    text = "".join(body * gap + title for gap in random.Random(5).sample(gaps, len(gaps)))
    assert key(text + body * 20).count("纲要(草案)") == len(gaps)
    # a stock phrase cut alike by a narrow wrap at lines far apart and uneven
    stock = "以习近平新时代中国特色社会主义思想为指导，"
    filler = "各地区各部门要认真贯彻落实党中央国务院决策部署扎实推进各项工作。"
    report = "\n".join(filler * n + stock + "砥砺奋进，攻坚克难。" for n in (3, 40, 5, 120, 2))
    assert key(char_wrapped_layout(report, width=12)).count(stock.rstrip("，")) == 5


def test_hard_wraps_are_joined_but_headings_and_short_lines_stay():
    norm = key(read(SEED_000))
    lines = norm.split("\n")
    assert lines[:4] == [
        "江门市市场监督管理局文件",
        "江市监〔2023〕149号签发人:谢少谋",
        "江门市市场监督管理局关于2023年度",
        "法治政府建设情况的报告",
    ]
    assert "广东省药品监督管理局:" in lines
    heading = "一、深入学习贯彻落实习近平总书记重要讲话重要指示精神、党的二十大关于法治建设重大部署和习近平法治思想"
    assert heading in lines  # a heading wrapped over two PDF lines is one line again
    assert "2023年12月4日" in lines  # the date stays its own line
    assert all(len(line) < 1000 for line in lines)


def test_notes_say_what_was_done():
    notes = normalise(read(SEED_000)).notes
    assert any(n.startswith("joined ") and "wrapped lines" in n for n in notes)
    assert any("full-width" in n for n in notes)
    notes_002 = normalise(load(SEED_002).text).notes
    assert any(n.startswith("stripped ") and "pinyin" in n for n in notes_002)
    assert any("Traditional -> Simplified" in n for n in notes_002)


def test_seed_002_has_no_pinyin_left_and_is_simplified():
    norm = key(load(SEED_002).text)
    assert "(kāi)" not in norm
    assert not any(ch in norm for ch in "āáǎàōóǒòēéěèīíǐìūúǔù")
    assert "开局之年" in norm
    assert "開" not in norm


def test_markdown_seed_loses_its_marks():
    norm = key(read(SEED_003))
    assert "**" not in norm
    assert "#" not in norm
    assert "---" not in norm
    # a paragraph split by a page break (line 13/15 of the seed) is one line again
    assert "连续五年获法治广东建设考评优秀等次" in norm


def _sentence_keys(path) -> list[str]:
    return [s.key for s in sentences(normalise(load(path).text))]


def test_seeds_000_and_001_differ_only_in_their_real_content():
    """Every line of a plain diff of the two versions' sentences, explained."""
    a, b = _sentence_keys(SEED_000), _sentence_keys(SEED_001)
    removed = [line[1:] for line in difflib.ndiff(a, b) if line.startswith("- ")]
    added = [line[1:] for line in difflib.ndiff(a, b) if line.startswith("+ ")]
    assert [r.strip() for r in removed] == [
        # letterhead and title: the PDF print has them, the web text does not
        "江门市市场监督管理局文件",
        "江市监〔2023〕149号签发人:谢少谋",
        "江门市市场监督管理局关于2023年度",
        "法治政府建设情况的报告",
        # addressee: the drug bureau, not the market bureau
        "广东省药品监督管理局",
        # the requirement wording: "省药品监管局法治建设要求" became "省局法治工作要求"
        "2023年,我局坚持以习近平新时代中国特色社会主义思想为指导,深入学习贯彻党的二十大精神,"
        "全面贯彻习近平法治思想,认真落实省委“1310”具体部署、省药品监管局法治建设要求和江门市委"
        "“1+6+3”工作安排,坚持在法治轨道上统筹推进市场监管工作,法治政府建设取得新成效",
        # the drug-supervision pilot clause, and the Hong Kong/Macao medicine sentence
        "7个项目获省药监局药品监管综合改革立项,积极实施药品生产环节监管规范化试点工作,"
        "出台全省首个地级市药品生产监督检查地方规范",
        "推动全国首个实现“境外持有+境内简化注册+境内生产销售”的港澳外用中成药品种在江门投产上市",
        # the video award
        "送选的《看视频涨知识,教您科学选购儿童化妆品!》参赛作品获评第二届广东省药品安全公益短视频大赛优秀影片奖",
        # the footer of the print
        "公开方式:主动公开",
        "江门市市场监督管理局办公室2023年12月4日印发",
        "校对:甄春丽",
    ]
    assert [r.strip() for r in added] == [
        "广东省市场监督管理局",
        "2023年,我局坚持以习近平新时代中国特色社会主义思想为指导,深入学习贯彻党的二十大精神,"
        "全面贯彻习近平法治思想,认真落实省委“1310”具体部署、省局法治工作要求和江门市委"
        "“1+6+3”工作安排,坚持在法治轨道上统筹推进市场监管工作,法治政府建设取得新成效",
        "7个项目获省药监局药品监管综合改革立项,出台全省首个地级市药品生产监督检查地方规范",
    ]


def test_offsets_point_back_into_the_original():
    doc = load(SEED_000)
    norm = normalise(doc.text)
    start = norm.text.index("质量考核排名全省第3并连续4年获评A级")
    o_start, o_end = norm.original_span(start, start + len("质量考核排名全省第3并连续4年获评A级"))
    assert doc.text[o_start:o_end] == "质量考核排名全省第 3并连续 4年获评 A级"


report_text = st.text(
    alphabet=st.sampled_from(
        list("中国人民政府工作报告开局之年發展質量，。；：！？、“”《》（）()[]*#-— \n\t")
        + list("０１２３４５abcXYZ 0123.&amp;<p></p>(kāi)\u200b\u3000ﬁﬃ%’")
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(report_text, st.text(max_size=200)))
# a blank line between a line ending in a word and one going on in lower case: it ended
# the paragraph, and in the key (no blank line) the two lines then joined
@example("0\r\ra\r0\x850")
@example("0\r0\r0\x0ca")  # a form feed inside a line: a page break, no blank line
def test_normalise_is_idempotent_and_never_raises(text: str):
    once = normalise(text).text
    assert normalise(once).text == once


#: Report text with every third line spaced out by an extractor (a space after every
#: character; the line's own spaces become wider gaps).
spaced_report_text = st.tuples(report_text, st.integers(0, 2)).map(
    lambda t: "\n".join(
        " ".join(line) if (i + t[1]) % 3 == 0 else line for i, line in enumerate(t[0].split("\n"))
    )
)


@settings(max_examples=300, deadline=None)
@given(spaced_report_text)
@example("！ ;\na")  # a full-width mark judged CJK before the width step, ASCII after
def test_spaced_out_lines_normalise_idempotently(text: str):
    once = normalise(text).text
    assert normalise(once).text == once


@settings(max_examples=200, deadline=None)
@given(st.one_of(report_text, spaced_report_text, st.text(max_size=200)))
def test_offsets_stay_inside_the_original_and_in_order(text: str):
    norm = normalise(text)
    positions = [norm.offsets(i) for i in range(len(norm.text))]
    assert all(0 <= p < max(1, len(text)) for p in positions)
    assert positions == sorted(positions)


@settings(max_examples=200, deadline=None)
@given(st.one_of(report_text, st.text(max_size=200)), st.booleans())
def test_the_key_without_maps_is_the_key_with_them(text: str, tokens_only: bool):
    """``mapped=False`` (fingerprinting, ``docdiff normalise``) skips the offset maps
    only: the same key and notes, and no offsets to be misread as the identity."""
    module = sys.modules["difftool.normalise"]
    steps = module.TOKEN_STEPS if tokens_only else module.STEPS
    full = normalise(text, steps=steps)
    bare = normalise(text, steps=steps, mapped=False)
    assert (bare.text, bare.notes, bare.step_maps) == (full.text, full.notes, ())
    with pytest.raises(ValueError, match="mapped=False"):
        bare.original_span(0, 1)


_MARKDOWN_ALPHABET = "-*_#>+ \t\n年a。[]()!`.,"
_MARKDOWN_LINE_AT_EVERY_START = re.compile(
    r"^[ \t]*(?:(?:[-*_][ \t]*){3,}$|(?:#{1,6}(?:[ \t]+|$)|>(?![.,;:!?)\]])[ \t]?|[-*+][ \t]+(?=\S))+)",
    re.MULTILINE,
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_MARKDOWN_ALPHABET, max_size=120))
def test_markdown_line_marks_anchored_on_newlines_are_those_at_every_line_start(text):
    """The line-start pattern is anchored on the newline before each line (and the first
    line matched with one put before it): it finds what a multiline ``^`` finds."""
    module = sys.modules["difftool.normalise"]
    line_marks = [
        (m.start(), m.end())
        for m in _MARKDOWN_LINE_AT_EVERY_START.finditer(text)
        if m.end() > m.start()
    ]
    inline = [(m.start(), m.end()) for m in module._MARKDOWN_INLINE.finditer(text)]
    edits, _ = module._markdown(text)
    expected, last = [], -1
    for start, end in sorted(line_marks + inline):  # as _markdown merges them
        if start >= last:
            expected.append((start, end))
            last = end
    assert [(s, e) for s, e, _ in edits] == expected


_CLASS_ALPHABET = "\t\u00a0\u3000\u2003\u200b\u200d\ufeff\u00ad 年a。\n"


@given(st.text(alphabet=_CLASS_ALPHABET, max_size=300), st.integers(0, 5))
@settings(max_examples=300, deadline=None)
def test_class_steps_found_with_str_find_equal_the_regex_scan(text, limit):
    """The invisible and odd-space steps, told which characters are present, find their
    runs with ``str.find``; they must give the regex scan's edits exactly, also past the
    limit where they fall back to it."""
    module = sys.modules["difftool.normalise"]
    present = module._needed_present(text, module.STEPS, True)
    for pattern, repl in ((module._INVISIBLE, ""), (module._ODD_SPACE, " ")):
        fast = module._class_edits(pattern, repl)
        plain = module._regex_edits(pattern, repl)
        assert fast(text, present=present) == plain(text)
        module._FIND_LIMIT, old = limit, module._FIND_LIMIT
        try:
            assert fast(text, present=present) == plain(text)
        finally:
            module._FIND_LIMIT = old


def test_needs_scan_finds_every_needed_character_frequent_ones_included():
    """The needs scan leaves the frequent characters out of its class and asks for each
    with ``in``: together they must find exactly the characters the full class of every
    step's needs finds, for each step subset, Traditional ones included or not."""
    module = sys.modules["difftool.normalise"]
    alphabet = {chr(c) for c in range(0x10000)}  # the steps need only BMP characters
    for steps in (module.STEPS, module.TOKEN_STEPS):
        for traditional in (True, False):
            mark = module.traditional_chars() if traditional else ""
            body = "".join(s.needs for s in steps).replace("\x00", mark)
            full = re.compile(f"[{body}]")
            wanted = {ch for ch in alphabet if full.match(ch)}
            if steps is module.STEPS:  # the token steps fold no width: none is needed
                assert set(module._FREQUENT_NEEDS) <= wanted
            text = "".join(sorted(alphabet))
            assert set(module._needed_present(text, steps, traditional)) == wanted
            for ch in module._FREQUENT_NEEDS:  # each alone, in a CJK text without it
                found = set(module._needed_present(f"中文{ch}文本", steps, traditional))
                assert found == ({ch} & wanted)


def _running_header_edits_line_by_line(text: str, repeated: set[str]) -> list[tuple[int, int, str]]:
    """What :func:`difftool.layout.running_headers` must give: every line that is one of
    ``repeated``, with its line end, found by walking the lines."""
    edits, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line in repeated:
            edits.append((start, min(end + 1, len(text)), ""))
        start = end + 1
    return edits


@given(
    st.lists(
        st.sampled_from(["江门市政府工作报告", "第 3 页", "正文一句。", "", "抬头抬头"]),
        max_size=40,
    ),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_running_headers_found_by_search_equal_a_walk_over_the_lines(lines, trailing):
    from collections import Counter

    from difftool import layout

    text = "\n".join(lines) + ("\n" if trailing else "")
    found = layout.running_headers(text)
    counts = Counter(text.split("\n"))
    repeated = {line for (s, e, _) in found for line in [text[s:e].rstrip("\n")]}
    assert found == _running_header_edits_line_by_line(text, repeated)
    # past the few lines it searches for, it walks the lines: the same edits
    headers = "".join(f"\n页眉{n:03d}" for n in range(layout._FOUND_BY_SEARCH + 1))
    many = text + (headers + "\n正文一句。" * 12) * 3
    more = {line for (s, e, _) in layout.running_headers(many) for line in [many[s:e].rstrip("\n")]}
    assert len(more) > layout._FOUND_BY_SEARCH
    assert layout.running_headers(many) == _running_header_edits_line_by_line(many, more)
    # a short repeated non-sentence line counts only where pages could hold it: these
    # lines are at most 40 apart, never as regular as pages
    for line in ("江门市政府工作报告", "抬头抬头"):
        assert line not in repeated or counts[line] >= 3


@given(
    st.lists(
        st.sampled_from(["江门市政府工作报告", "正文一句。", "", "\f", "\v", "抬头抬头", "a\fb"]),
        max_size=60,
    ),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_running_headers_delete_whole_lines_and_every_page_mark(lines, trailing):
    """With page marks about, the step still deletes only whole lines (with their line
    end), and no mark that is a line of its own is left; one inside a line stays."""
    from difftool import layout
    from difftool.offsets import edited

    text = "\n".join(lines) + ("\n" if trailing else "")
    edits = layout.running_headers(text)
    for start, end, new in edits:
        gone = text[start:end]
        assert new == ""
        # a line and its line end, or the last line with the line end before it
        line = (start == 0 or text[start - 1] == "\n") and "\n" not in gone[:-1]
        line = line and (gone.endswith("\n") or end == len(text))
        last = gone.startswith("\n") and "\n" not in gone[1:] and end == len(text)
        assert line or last, (text, start, end)
    out = edited(text, edits)
    assert not {"\f", "\v"} & set(out.split("\n"))
    assert out.count("a\fb") == text.count("a\fb")


def test_a_short_traditional_text_gets_the_same_key_with_the_class_compiled(monkeypatch):
    """The script step is chosen by a set lookup in short texts, by the compiled class
    once it has been compiled: the same key (seed 002 is Traditional; 000 is not)."""
    module = sys.modules["difftool.normalise"]
    from difftool.charclass import BUDGET, CharClass

    short = [normalise(read(seed)) for seed in (SEED_002, SEED_000)]
    assert any("Traditional" in note for note in short[0].notes)
    assert not any("Traditional" in note for note in short[1].notes)
    compiled = CharClass(module._traditional_set, module._traditional_chars)
    compiled._compiled = module._traditional_chars()
    monkeypatch.setattr(module, "_TRADITIONAL", compiled)
    assert [normalise(read(seed)) for seed in (SEED_002, SEED_000)] == short
    # past the budget the class joins the scan for what needs doing: one pass
    spent = CharClass(module._traditional_set, module._traditional_chars)
    spent._looked = BUDGET + 1
    monkeypatch.setattr(module, "_TRADITIONAL", spent)
    assert [normalise(read(seed)) for seed in (SEED_002, SEED_000)] == short
    assert spent._compiled is None  # folded into the scanner, not compiled on its own
