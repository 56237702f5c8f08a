"""Line-level layout: headings, page furniture and hard line wraps.

PDF text breaks every line at the page width, puts page numbers and running headers
between the lines, and (seed 000) a blank line after every line. These functions look at
whole lines and return edits (see :mod:`difftool.offsets`) that remove the furniture and
join the wrapped lines into paragraphs, so that a PDF print and a web page of the same
report have the same paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate, compress, pairwise
from operator import not_

from difftool.offsets import Edit

_CN_NUM = "一二三四五六七八九十百千零〇两"
#: A line that starts a heading or a numbered item: ``一、`` ``（一）`` ``第三条`` ``1.`` ``(2)``.
HEADING_START = re.compile(
    rf"(?:[{_CN_NUM}]+[、.]"
    rf"|[(（][{_CN_NUM}]+[)）]"
    rf"|第[{_CN_NUM}\d]+[条章节款编部分]"
    r"|\d{1,3}[.、](?!\d)"
    r"|[(（]\d{1,3}[)）]"
    r"|[①-⑳⑴-⒇]"
    r"|#{1,6}\s"
    r"|附件)"
)
#: Characters that end a sentence or a clause that may end a line.
_BREAK_END = set("。!?;:…！？；：")
_CLOSERS = set("”’」』)）》】]\"'")
_PAGE_NUMBER_BODY = (
    r"[ \t]{0,40}(?:[-—–－~·]{1,4}[ \t]{0,4}\d{1,4}[ \t]{0,4}[-—–－~·]{1,4}"
    r"|第[ \t]{0,4}\d{1,4}[ \t]{0,4}页(?:[ \t]{0,4}[,，/]?[ \t]{0,4}共[ \t]{0,4}\d{1,4}[ \t]{0,4}页)?"
    r"|\d{1,4}[ \t]{0,4}/[ \t]{0,4}\d{1,4}"
    r"|[Pp]age[ \t]{1,4}\d{1,4}(?:[ \t]{1,4}of[ \t]{1,4}\d{1,4})?)[ \t]{0,40}"
)
_SENTENCE_END = re.compile("[。!?;！？；]")
_CLAUSE_COMMA = re.compile("[，,]")
_HEADING_FIRST = frozenset(
    _CN_NUM + "(（第#附0123456789" + "".join(chr(c) for c in range(0x2460, 0x2488))
)
#: An English list item (``(b) ``, ``a) ``, ``2) ``): where each line is a paragraph, one
#: that starts a line is never the line before's continuation. (In wrapped text it may be
#: an enumeration inside a sentence that a wrap put first: ``means`` / ``(i) the power``.)
_LATIN_ITEM = re.compile(r"(?:\([a-zA-Z]|[a-z]|\d{1,3})\)\s")
_LATIN_FIRST = frozenset("(0123456789abcdefghijklmnopqrstuvwxyz")
#: A list item's last words before the next item: ``…Software; or`` / ``(b) for…``.
_ITEM_JOINER = re.compile(r"[;,] (?:or|and)$")
#: What a line that ends with a full stop ends with: the stop, or a closer after it.
_STOP_ENDS = _CLOSERS | {"."}
#: Shortest paragraph-like line in a text that is not hard-wrapped, in display cells.
LONG_LINE_CELLS = 80


def _before_closers(line: str) -> int:
    """Where a line's closing brackets and quotes at its end begin."""
    end = len(line)
    while end and line[end - 1] in _CLOSERS:
        end -= 1
    return end


def ends_break(line: str) -> bool:
    """True when a line ends a sentence or a clause (``。`` ``：`` ``；``), closers aside."""
    end = _before_closers(line)
    return end > 0 and line[end - 1] in _BREAK_END


#: Whole lines of web page chrome that government sites put around the text: QR-code
#: prompts, print and close buttons, font-size switches, share bars, visit counters and
#: the publication-date line. Only whole lines match: a sentence that mentions them stays.
_WEB_CHROME_BODY = (
    # every repeat is bounded, and no two neighbouring ones share a character they could
    # trade: a line of 5,000 spaces after "发布日期:" is rejected in linear time
    r"[ \t]{0,40}(?:"
    r"扫一扫在手机(?:上)?打开当前页|扫一扫在手机打开|"
    r"【?打印(?:本页|此页)?】?|【?关闭(?:窗口|本页)?】?|【?收藏】?|"
    r"【?字体[:：]?[ \t]{0,4}[大中小 ]{1,12}】?|"
    r"分享到[:：]?[^\n]{0,40}|"
    r"(?:浏览|访问|阅读)(?:次数|量)[:：]?[ \t]{0,4}\d{0,12}|"
    r"(?:发布|发文|成文)(?:日期|时间)[:：][ \t]{0,8}[\d\-年月日:./][\d\-年月日 :./]{0,30}"
    r"(?:[ \t]{1,8}(?:来源|信息来源)[:：][^\n]{0,30})?"
    r")[ \t]{0,40}"
)


def _whole_lines(body: str) -> re.Pattern[str]:
    """A pattern for a whole line matching ``body``, the newline before it included.

    It is anchored on that newline, a literal the regex engine finds at C speed, where
    a multiline ``^`` is tried at every position; the first line, which has none, is
    matched with one put before it (one pattern compiled, not two: start-up time).
    """
    return re.compile(rf"\n{body}(?=\n|$)")


def _delete_lines(text: str, pattern: re.Pattern[str]) -> list[Edit]:
    edits: list[Edit] = []
    newline = text.find("\n")
    first = text if newline < 0 else text[:newline]
    start = 0
    if first and pattern.match("\n" + first):  # the first line goes with its newline
        start = len(first) + (newline >= 0)
        edits.append((0, start, ""))
    for m in pattern.finditer(text, start):
        edits.append((m.start(), m.end(), ""))
    return edits


_PAGE_NUMBER_LINES = _whole_lines(_PAGE_NUMBER_BODY)
_WEB_CHROME_LINES = _whole_lines(_WEB_CHROME_BODY)


def web_chrome(text: str) -> list[Edit]:
    """Delete lines of web page chrome."""
    return _delete_lines(text, _WEB_CHROME_LINES)


#: Four lone characters in a row with spaces between: where a spaced-out line may be
#: (the pattern starts with a space, so the engine skips ahead to the text's spaces).
_SPACED = re.compile(r"  *\S  *\S  *\S  *\S ")
_GAP = re.compile(r"  *")


def spaced_out(text: str) -> list[Edit]:
    """Close up the lines an extractor spaced out, a space after every character
    (``2 0 2 3 年 ， 罚 没 2 7 9 1 . 1 9 万 元``): lines of six or more characters that
    each stand alone between spaces, in a text where some such line has CJK in it (the
    mark of the extractor: CJK text is never written so). Such a line's narrowest gap
    is the one between letters and goes; a wider one is between words and becomes one
    space (``T h e  f i r s t``).

    Normalising its own result changes nothing: every line that was closed up has a
    gap closed, and no line of the result has a lone CJK character between spaces (the
    spaces step drops spaces next to CJK), so no line of it is taken as spaced out."""
    lines: list[tuple[int, str]] = []
    cjk = False
    pos = 0
    while (found := _SPACED.search(text, pos)) is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.end())
        end = len(text) if end < 0 else end
        pos = end
        line = text[start:end]
        parts = [part for part in line.split(" ") if part]
        if len(parts) >= 6 and all(len(part) == 1 for part in parts):
            lines.append((start, line))
            cjk = cjk or any(part >= "\u2e80" for part in parts)
    edits: list[Edit] = []
    for start, line in lines if cjk else ():
        first = len(line) - len(line.lstrip(" "))
        last = len(line.rstrip(" "))
        gaps = [(m.start(), m.end()) for m in _GAP.finditer(line, first, last)]
        narrowest = min(b - a for a, b in gaps)
        for a, b in gaps:  # the spaces at the line's ends are the spaces step's
            if b - a == narrowest:
                edits.append((start + a, start + b, ""))
            elif b - a > 1:
                edits.append((start + a + 1, start + b, ""))
    return edits


#: A form feed's line: the newlines step puts each form feed on a line of its own, and
#: :func:`running_headers` reads it as a page break and removes it with its line.
PAGE_BREAK = "\f"
#: What :func:`page_numbers` leaves of a page-number line: a page break, removed alike.
#: (The newlines step has turned every vertical tab of the file into a newline, so
#: none is the file's own.)
PAGE_NUMBER = "\v"


def page_numbers(text: str) -> list[Edit]:
    """Mark page-number lines (``— 3 —``, ``- 3 -``, ``第3页 共10页``, ``3/10``, ``Page 3
    of 10``) as :data:`PAGE_NUMBER`: the running-headers step removes them."""
    edits = _delete_lines(text, _PAGE_NUMBER_LINES)
    return [
        (start, end, "\n" + PAGE_NUMBER if start else PAGE_NUMBER + "\n") for start, end, _ in edits
    ]


#: Repeated lines up to which :func:`running_headers` searches for each (at C speed)
#: instead of walking the lines.
_FOUND_BY_SEARCH = 8


def running_headers(text: str, *, min_repeats: int = 3) -> list[Edit]:
    """Delete short lines repeated on many pages (running headers and footers), and the
    page breaks the earlier steps marked (:data:`PAGE_BREAK`, :data:`PAGE_NUMBER`).

    A line counts when it is short (4-40 characters), is not a sentence, a heading or
    one word that ends with a full stop or a comma, and either sits at the top or the
    bottom of pages where the text marks its pages (see :func:`_page_edges`: only those
    copies go, so a title that the header repeats stays), or occurs at least
    ``min_repeats`` times, once a page (see :func:`_once_a_page`). Lines are compared as
    they stand: the spaces step has already stripped them.
    """
    lines = text.split("\n")
    counts = Counter(lines)  # C speed; most texts have no candidate at all
    repeated = {line for line, n in counts.items() if n >= min_repeats and _header_like(line)}
    # page breaks and the headers beside them by their places in the text: a pass over
    # every line in Python is most of this step's time in a long archive file
    breaks = _marks(text) if PAGE_BREAK in counts or PAGE_NUMBER in counts else []
    edges = _page_edges(text, breaks, counts) if breaks else {}
    uneven = {line for line in repeated if line not in edges}
    if uneven:
        hits = [k for k, line in enumerate(lines) if line in uneven]
        uneven = _once_a_page(lines, uneven, hits)
    numbered = _numbered_headers(lines, counts, min_repeats)
    size = len(text)
    # a page break goes with its line, as a page number did
    edits = [(at, at + 2, "") if at + 1 < size else (max(at - 1, 0), at + 1, "") for at in breaks]
    edits += [
        (start, min(start + len(line) + 1, size), "")
        for line, places in edges.items()
        for start in places
    ]
    if len(uneven) + len(numbered) > _FOUND_BY_SEARCH:  # each search reads the whole text
        upto = list(accumulate(map(len, lines)))  # line k ends at upto[k] + k
        edits += [
            (upto[k] + k - len(line), min(upto[k] + k + 1, size), "")
            for k, line in enumerate(lines)
            if line in uneven or line in numbered
        ]
    else:  # a few repeated lines: their places by str.find
        for line in uneven | numbered:
            edits += _places(text, line)
    return sorted(set(edits))


def _header_like(line: str) -> bool:
    """Short (4-40 characters), not a sentence, a heading or one word that ends with a
    full stop or a comma (a paragraph's last word, as a wrap left it alone on a line:
    ``License.``)."""
    stripped = line.strip()
    return (
        4 <= len(stripped) <= 40
        and not ends_break(stripped)
        and not HEADING_START.match(stripped)
        and not (line[-1:] in ".," and " " not in stripped)
    )


def _marks(text: str) -> list[int]:
    """The places of the page-break marks, in order (by ``str.find``: C speed). Only a
    mark that is a whole line is one (a step list without the newlines step may leave
    a form feed inside a line)."""
    places = []
    size = len(text)
    for mark in (PAGE_BREAK, PAGE_NUMBER):
        at = text.find(mark)
        while at >= 0:
            if (at == 0 or text[at - 1] == "\n") and (at + 1 == size or text[at + 1] == "\n"):
                places.append(at)
            at = text.find(mark, at + 1)
    return sorted(places)


def _places(text: str, line: str) -> list[Edit]:
    """The edits that delete every copy of ``line`` (a whole line) with its line end."""
    edits = []
    if text.startswith(line + "\n"):
        edits.append((0, len(line) + 1, ""))
    needle = f"\n{line}\n"
    at = text.find(needle)
    while at >= 0:
        start = at + 1
        edits.append((start, start + len(line) + 1, ""))
        at = text.find(needle, start + len(line))  # its line end may start the next
    if text.endswith("\n" + line):
        edits.append((len(text) - len(line), len(text), ""))
    return edits


#: How many lines from a page break a running header may be (blank lines and other
#: header lines aside): a header and a date line, or a footer above a page number.
_EDGE_LINES = 3


def _page_edges(text: str, breaks: list[int], counts: Counter[str]) -> dict[str, list[int]]:
    """The lines that open or close pages, and where their copies there start: walking
    away from each page break (its place in the text, ``breaks``) over blank lines,
    other marks and other such lines (seen twice or more, and :func:`_header_like`;
    ``counts`` are the text's lines). A header is on a third of
    the pages or more (a form feed and a page number may mark one break twice), on two
    at least (two copies beside one break are a document's end), and most of its copies
    are there (all but one: a title that the header repeats; the title once again at a
    page's edge is a header too, on two pages). Not a line of the text
    that two page breaks happen to fall beside ("纲要（草案）", on a line of its own 19
    times in a layout of the 2006 report)."""
    found: dict[str, set[int]] = {}
    pages: dict[str, set[int]] = {}  # the breaks each line was found at
    judged: dict[str, bool] = {}

    def candidate(line: str) -> bool:
        if line not in judged:
            judged[line] = counts[line] >= 2 and _header_like(line)
        return judged[line]

    for at in breaks:
        # down the page that starts here, then up the page that ends here
        for walk in (_lines_after(text, at + 2), _lines_before(text, at - 1)):
            seen = 0
            for start, line in walk:
                if seen == _EDGE_LINES:
                    break
                if line and line not in _PAGE_MARKS:
                    if not candidate(line):
                        break
                    found.setdefault(line, set()).add(start)
                    pages.setdefault(line, set()).add(at)
                    seen += 1
    total = max(counts[PAGE_BREAK], counts[PAGE_NUMBER]) + 1
    title = text.lstrip("\n\f\v").split("\n", 1)[0]
    return {
        line: sorted(places)
        for line, places in found.items()
        if (
            len(pages[line]) >= 2
            and len(pages[line]) * 3 >= total
            and counts[line] - len(places) <= max(1, len(places) // 2)
        )
        # the title again at the top of a page: a two-page document's header
        or (line == title and counts[line] - len(places) == 1)
    }


def _lines_after(text: str, start: int) -> Iterator[tuple[int, str]]:
    """The lines from the one starting at ``start`` on, with their starts."""
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield start, text[start:end]
        start = end + 1


def _lines_before(text: str, end: int) -> Iterator[tuple[int, str]]:
    """The lines from the one ending at ``end`` back, with their starts."""
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        yield start, text[start:end]
        end = start - 1


_PAGE_MARKS = frozenset((PAGE_BREAK, PAGE_NUMBER))


#: Lines of text on the shortest and the longest page a running header is looked for
#: on (blank lines not counted: a PDF extractor's double spacing doubles them; a table
#: extracted one cell a line makes long pages).
_PAGE_LINES = (10, 150)
#: Characters of text a page holds at most (a dense English page at 10 points holds
#: about 5,000): lines that recur further apart are not on every page. Web text has a
#: paragraph a line, so 137 lines can be 14,000 characters: three copies of a report in
#: one file had each copy's short lines taken for running headers.
_PAGE_CHARS = 8_000
#: How far the lines of text of a page may be from the usual page's (a share of it):
#: headings, spacing between paragraphs and a table change a page's count a little.
_PAGE_SLACK = 0.2


def _once_a_page(lines: list[str], repeated: set[str], hits: list[int]) -> set[str]:
    """The repeated lines that recur as a page's header does: once a page (the median
    gap from one to the next as long as a page: :data:`_PAGE_LINES`), and evenly (two
    thirds of the gaps a whole number of pages, give or take :data:`_PAGE_SLACK` of one:
    a header missing from a page makes a gap of two). Text that a wrap cut into the
    same line several times is neither: a stock phrase of the genre
    ("新时代中国特色社会主义思" at lines 14, 354, 413 and 1742 of a report wrapped at 12
    characters; "識(shí)產(chǎn)權" 526, 608 and 39 lines apart), a title quoted in
    every paragraph ("纲要（草案）" 19 times, 4 to 47 lines apart; 13 times 4 to 59
    apart with a median of 16 in another layout), nor a short line of each copy of a
    report in a file that holds several (the median gap over :data:`_PAGE_CHARS`). A
    header missing from a few pages, or a file that holds several documents, still
    counts.

    ``hits`` are the lines (their numbers) that are one of ``repeated``. Gaps are
    counted in lines of text: the share of blank lines (the spaces step has emptied
    every blank line) is taken out of them, so double spacing does not matter."""
    places: dict[str, list[int]] = {line: [] for line in repeated}
    for k in hits:
        places[lines[k]].append(k)
    share = 1 - lines.count("") / len(lines)  # of lines that hold text
    found = set()
    ends: list[int] = []  # where each line ends, in characters: made when first needed
    for line, seen in places.items():
        gaps = sorted(round((b - a) * share) for a, b in pairwise(seen))
        page = gaps[len(gaps) // 2]
        if not _PAGE_LINES[0] <= page <= _PAGE_LINES[1]:
            continue
        if not ends:
            ends = list(accumulate(map(len, lines)))
        if sorted(ends[b] - ends[a] for a, b in pairwise(seen))[len(gaps) // 2] > _PAGE_CHARS:
            continue
        even = sum(
            1 for gap in gaps if abs(gap - page * max(round(gap / page), 1)) <= page * _PAGE_SLACK
        )
        if even * 3 >= len(gaps) * 2:
            found.add(line)
    return found


_DIGITS = re.compile(r"[0-9０-９]+")


def _numbered_headers(lines: list[str], counts: Counter[str], min_repeats: int) -> set[str]:
    """Running headers that carry the page number (``江门市市场监督管理局 第3页``): short
    lines that are one line with their figures set aside, at least ``min_repeats`` of
    them, each on a page of its own (five lines apart or more, and no gap three times
    the usual one), with a figure under 1,000 that counts up by one or two from each to
    the next. A table's rows are too close together, a list's numbered items too
    unevenly spread, a year is no page number."""
    by_form: dict[str, list[str]] = {}
    # the cheap tests first, at comprehension speed: this sees every distinct line
    short = [line for line, n in counts.items() if n <= 2 and 4 <= len(line) <= 40]
    search = _DIGITS.search
    for line in [line for line in short if search(line)]:
        stripped = line.strip()
        if ends_break(stripped) or HEADING_START.match(stripped):
            continue
        by_form.setdefault(_DIGITS.sub("#", line), []).append(line)
    forms = {form for form, lines in by_form.items() if len(lines) >= min_repeats}
    if not forms:
        return set()
    places: dict[str, list[tuple[int, str]]] = {form: [] for form in forms}
    wanted = {line: form for form in forms for line in by_form[form]}
    for k, line in enumerate(lines):
        form = wanted.get(line)
        if form is not None:
            places[form].append((k, line))
    found: set[str] = set()
    for seen in places.values():
        gaps = sorted(b[0] - a[0] for a, b in pairwise(seen))
        if len(seen) < min_repeats or gaps[0] < 5 or gaps[-1] > 3 * gaps[len(gaps) // 2]:
            continue
        figures = [[int(f) for f in _DIGITS.findall(line)] for _, line in seen]  # "３" too
        counters = zip(*figures)  # each figure's place, down the pages
        # a page number: under 1,000, so that a year that counts up ("2021年工作回顾",
        # "2022年工作回顾" as evenly spread titles) is no page
        if any(
            col[-1] < 1000 and all(0 < b - a <= 2 for a, b in pairwise(col)) for col in counters
        ):
            found.update(line for _, line in seen)
    return found


def _fit(widths: list[int], breaks: list[bool], least: int = 20) -> tuple[int, int] | None:
    """The page's line width if the text is hard-wrapped, and how many lines that do
    not end a sentence are full; None if it is not hard-wrapped.

    In hard-wrapped text the lines that do not end a sentence are nearly all full: as
    wide as the page. We take the 90th percentile of all widths as the page width and
    call the text wrapped when at least 30% of the lines that do not end a sentence
    (and at least three) are within 15% of it. Web text fails this: its lines without a
    sentence end are headings, much shorter than its paragraphs. A page narrower than
    ``least`` (20 cells: ten CJK characters) is no page.
    """
    if len(widths) < 4:
        return None
    # by counts of each width, at C speed: these run over every line of a long text
    counts = Counter(widths)
    rank, seen = min(len(widths) - 1, int(len(widths) * 0.9)), 0
    for width in sorted(counts):  # the width at that rank in sorted order
        seen += counts[width]
        if seen > rank:
            break
    if width < least:
        return None
    open_counts = Counter(compress(widths, map(not_, breaks)))
    near = sum(n for w, n in open_counts.items() if width * 0.85 <= w <= width * 1.05)
    return (width, near) if near >= 3 and near >= 0.3 * open_counts.total() else None


def _line_measure(texts: list[str], breaks: list[bool]) -> tuple[list[int], int | None]:
    """The lines' widths and the page width, measured as the text was wrapped.

    A PDF or a word processor wraps at a width in cells (a figure's digits take half
    a CJK character's room, so a line with figures holds more characters); a script
    that wraps a text file at a number of characters makes lines with figures short in
    cells, and a figure near their end ("经过1950年、1" / "952年") looked like a
    paragraph's end. Both are measured; characters are taken only when more lines are
    full by them. Display width is about: non-ASCII takes two cells, counted from the
    UTF-8 length (CJK takes 3 bytes, ASCII 1), because classifying each character is
    much slower; these run once per line of PDF text.
    """
    cells = [(len(line.encode("utf-8")) + len(line)) // 2 for line in texts]
    chars = list(map(len, texts))
    # the measure is chosen on the first lines of a long text: one wrap for all of it
    head = slice(0, _MEASURED_LINES)
    by_cells = _fit(cells[head], breaks[head])
    by_chars = _fit(chars[head], breaks[head], least=10)
    fit: tuple[int, int] | None
    if by_chars is not None and (by_cells is None or by_chars[1] > by_cells[1]):
        widths, least, fit = chars, 10, by_chars
    else:
        widths, least, fit = cells, 20, by_cells
    if len(texts) > _MEASURED_LINES:  # the page width, from every line
        fit = _fit(widths, breaks, least)
    return widths, fit[0] if fit is not None else None


#: Lines the choice of :func:`_line_measure` is made on.
_MEASURED_LINES = 4_000


def _joiner(left: str, right: str) -> str:
    """Latin words keep a space across a wrap; CJK text and split numbers join directly.

    A CJK page wraps at any character, so Latin letters on both sides of a wrap in CJK
    text are one word cut in two (``(OD`` / ``R)``); English text wraps between words.
    """
    a, b = left[-1:], right[:1]
    latin = (a.isascii() or a in "”’") and (b.isascii() or b in "“‘")
    if not latin or _cjk_near(left[-12:] + right[:12]):
        return ""
    # an address in angle brackets cut where it was too long for the line:
    # "<ht" / "tps://www.gnu.org/licenses/>", "<https" / "://www.gnu.org/…-lgpl.h" /
    # "tml>" (an address holds no space, so it goes on to its ">" or over the whole
    # next line; "<name" / "of author>" are words)
    word = left[left.rfind(" ") + 1 :]
    if (word.startswith("<") or "://" in word) and ">" not in word and not b.isspace():
        first = right.split(" ", 1)[0]
        if ">" in first or first == right:
            return ""
    if a.isalnum() and b.isalnum() and not (a.isdigit() and b.isdigit()):
        return " "
    # a word, then a quotation, a bracket or an address: 'and / "recipients"',
    # "distribution / (with", "see / <https://…>"
    if a.isalnum() and b in "(\"'“‘[<":
        return " "
    # English punctuation ends a word: "safe." / "We must", "cost," / "and"
    return " " if a in ".,;:!?)]>\"'”’" and (b.isalnum() or b in "(\"'“‘<") else ""


def _cjk_near(text: str) -> bool:
    """Whether ``text`` holds a CJK character. Full-width forms of ASCII (``！``, ``；``)
    are not: the width step folds them after the wraps, and the key, normalised again,
    must be judged alike (``！ ;`` / ``a`` kept its break, then ``!;`` / ``a`` joined)."""
    return any(ch >= "\u2e80" and not "\uff01" <= ch <= "\uff5e" for ch in text)


def _full_stop(line: str, following: str) -> bool:
    """A line that ends with ``.`` (closers aside), not a figure cut after its point."""
    end = _before_closers(line)
    return end > 0 and line[end - 1] == "." and not _decimal_wrap(line[:end], following)


def _decimal_wrap(line: str, following: str) -> bool:
    """A figure cut after its decimal point: ``增长1.`` / ``1%``."""
    return len(line) >= 2 and line[-1] == "." and line[-2].isdigit() and following[:1].isdigit()


#: Marks no line can start with: clause and sentence marks, closing brackets and quotes,
#: a percent sign. A line that starts with one goes on from the line before it, however
#: short that line is: web text puts each link on a line of its own (``依据《`` /
#: ``预算法`` / ``》，…``), a PDF wraps before a mark, a subscript takes a line.
_GOES_ON = frozenset("，、。；：？！,;:?!%％)）》」』】〕〉”’")
#: Opening brackets and quotes, and the enumeration comma: a line that ends with one
#: goes on in the next.
_OPENS = frozenset("《（「『【〔〈“‘([、")


_WORD_END = re.compile(r"[A-Za-z]+-$")
_WORD_START = re.compile(r"[a-z]+")
_CAPS_END = re.compile(r"[A-Z]{2,}-$")
_CAPS_START = re.compile(r"[A-Z]{2,}")
_COMPOUND = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")


def _wrapped_word(line: str, following: str) -> str | None:
    """An English word a line's end hyphenated (``mone-`` / ``tary``), written with its
    hyphen (``mone-tary``), or None."""
    if "://" in line[line.rfind(" ") + 1 :]:
        return None  # a web address wrapped at its own hyphen keeps it
    left = _WORD_END.search(line[-40:])
    right = _WORD_START.match(following)
    if left is not None and right is None and _CAPS_END.search(left.group()):
        right = _CAPS_START.match(following)  # "MERCHAN-" / "TABILITY"
    return None if left is None or right is None else left.group() + right.group()


def _sentence_like(line: str) -> bool:
    return bool(_SENTENCE_END.search(line) or _CLAUSE_COMMA.search(line))


def _quote_balance(texts: list[str]) -> list[int]:
    """Each line's opening minus closing quotation marks (``“”`` and ``「」``)."""
    return [
        t.count("“") - t.count("”") + t.count("「") - t.count("」")
        if "“" in t or "”" in t or "「" in t or "」" in t
        else 0
        for t in texts
    ]


def _inside_quote(texts: list[str], balance: list[int], first: int, last: int) -> bool:
    """Whether a full line that ends a sentence (``…而告终。``) is inside a quotation its
    paragraph opened and has not closed: then it is a wrap, not the paragraph's end,
    unless the next line opens a quote (a quotation of several paragraphs opens each
    with ``“`` and closes only the last). The last 40 lines are counted at most."""
    if texts[last + 1][:1] in "“‘「『":
        return False
    return sum(balance[max(first, last - 40) : last + 1]) > 0


#: First and last characters that may force a join (:func:`_forced_join`): each line is
#: tested against these two sets before anything else.
_MAY_GO_ON = _GOES_ON | frozenset(".．")
_MAY_OPEN = _OPENS | frozenset("，,")


def _forced_join(line: str, following: str, end: int, at: int, ended: bool) -> list[Edit] | None:
    """The edits that join a line to the next whatever its width (see :data:`_GOES_ON`),
    or None when the line may end there. ``end`` is where the line ends, ``at`` where
    the next starts, ``ended`` whether the line ends a sentence (only a mark that goes
    on joins it then). A figure cut before its decimal point (``17`` / ``. 63``, as
    extractors give it) joins, and the extractor's space after the point goes."""
    first, last = following[0], line[-1]
    wrap: Edit = (end, at, "")
    if first in _GOES_ON:
        return [wrap]
    if ended:
        return None
    if last in _OPENS:
        return [wrap]
    if first in ".．" and last.isdigit():
        if following[1:2].isdigit():
            return [wrap]
        if following[1:2] == " " and following[2:3].isdigit():
            return [wrap, (at + 1, at + 2, "")]
        return None
    # a CJK paragraph never ends with a comma ("第一，" / "支援工业建设…" is one sentence
    # in bold type); an English line may ("Dear Sir,")
    if last == "，" or (last == "," and _cjk_near(line[-12:] + following[:12])):
        return [wrap]
    return None


def _english_continues(line: str, following: str) -> bool:
    """English prose wrapped at a ragged margin: a line ending inside a sentence (a word,
    a figure or a comma) followed by one starting with a lower-case word."""
    first = following[0]
    if not ("a" <= first <= "z" or "\uff41" <= first <= "\uff5a"):  # most lines: at once
        return False
    last = _half(line[-1])
    return last.isascii() and (last.isalnum() or last in ",;-")


def _clause_goes_on(line: str, following: str) -> bool:
    """English wrapped after a colon or a semicolon, the sentence going on in lower case
    (``if you modify it:`` / ``responsibilities to respect…``): no break. A list item
    (``means:`` / ``a) that…``) and CJK text (``如下：``) break there."""
    return (
        _half(line[-1]) in ":;"
        and "a" <= following[0] <= "z"
        and _LATIN_ITEM.match(following) is None
        and not _cjk_near(line[-12:])
    )


def _colon_at_margin(line: str, cells: int, full: int) -> bool:
    """CJK text wrapped right after a colon: a full line that ends with ``：`` goes on
    (``今年政府工作总的要求是：`` / ``高举…``: one sentence, as the web text has it on
    one line). A lead-in's colon before a numbered item still breaks: the item starts
    a heading."""
    return cells >= full and line[-1] in "：:" and _cjk_near(line[-12:])


def _ragged(line: str, following: str) -> bool:
    """English wrapped at a ragged margin before a long, capitalised or quoted word: a line
    most of the page wide that ends with a comma. (One that ends with a word may end a
    list's lead-in: ``means`` / ``(a) that…``.)"""
    return line[-1] == "," and following[0].isascii() and not _cjk_near(line[-12:])


_FIRST_WORD = re.compile(r"[!-~]+")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _word_did_not_fit(line: str, cells: int, following: str, width: int) -> bool:
    """English wrapped at a ragged margin: the next line's first word would not have fitted
    on this line (``…interface displays`` / ``"Appropriate Legal Notices"``), so the line
    ended where the wrap put it. CJK wraps at any character, but not inside a Latin
    word, a figure or an address: a CJK line short of the margin before one that would
    not have fitted (``详见网址`` / ``https://www.samr.gov.cn/…``) goes on too, with no
    space between."""
    last = line[-1]
    if last == " ":
        return False
    word = _FIRST_WORD.match(following)
    if word is None:
        return False
    if last.isascii():
        return cells + 1 + word.end() > width
    return last >= "\u2e80" and cells + word.end() > width


def _half(ch: str) -> str:
    """A full-width ASCII variant as its ASCII self (width folding runs after the wraps)."""
    return chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch


def join_wrapped(text: str) -> tuple[list[Edit], int]:
    """Drop blank lines and join hard-wrapped lines into paragraphs.

    A line joins the next when it does not end a sentence or clause, the next line does
    not start a heading, and the line is full: within 15% of the page width in
    hard-wrapped text, or at least :data:`LONG_LINE_CELLS` wide anywhere (a paragraph
    split by a page break); English prose also joins when the next line goes on with a
    lower-case word, whatever the width. In text that is not hard-wrapped, a heading never joins: a
    long heading is still a heading; in wrapped text a heading joins one line at most.

    Returns:
        The edits and the number of line joins.
    """
    starts: list[int] = []
    texts: list[str] = []
    pos = 0
    for line in text.split("\n"):
        if line and not line.isspace():
            starts.append(pos)
            texts.append(line)
        pos += len(line) + 1
    if not texts:
        return ([(0, len(text), "")] if text else []), 0
    # in text with a blank line after most lines (a PDF extractor's double spacing) a
    # blank line says nothing; where they are few, they are what ends a paragraph (a
    # plain-text file, wrapped at its margin, with a blank line between paragraphs).
    # A run of blank lines is one match; a line has blank lines before it when more
    # than its newline lies between it and the line before.
    blanks_end_paragraphs = 0 < len(_BLANK_LINES.findall(text)) < len(texts) // 2
    breaks = [
        (
            line[-1] in _BREAK_END
            and not (
                i + 1 < len(texts)
                and (_decimal_wrap(line, texts[i + 1]) or _clause_goes_on(line, texts[i + 1]))
            )
        )
        or (line[-1] in _CLOSERS and ends_break(line))
        for i, line in enumerate(texts)
    ]
    widths, width = _line_measure(texts, breaks)
    if width is None:  # lines are paragraphs: an English one ends with a full stop too
        breaks = [
            ended
            or (
                line[-1] in _STOP_ENDS
                and _full_stop(line, texts[i + 1] if i + 1 < len(texts) else "")
            )
            for i, (ended, line) in enumerate(zip(breaks, texts))
        ]
    full = LONG_LINE_CELLS if width is None else min(LONG_LINE_CELLS, int(width * 0.85))
    ragged_from = full + 1 if width is None else width * 6 // 10  # cells: see _ragged
    match = HEADING_START.match
    heads = [line[:1] in _HEADING_FIRST and match(line) is not None for line in texts]
    if width is None:
        heads = [
            h or (line[:1] in _LATIN_FIRST and _LATIN_ITEM.match(line) is not None)
            for h, line in zip(heads, texts)
        ]
    edits: list[Edit] = []
    if starts[0] > 0:
        edits.append((0, starts[0], ""))
    joins = 0
    heading_lines = 0  # lines of a heading joined so far
    compounds: frozenset[str] | None = None  # the text's hyphenated words, when needed
    # lines a mark may join whatever their width (see _forced_join), at comprehension speed
    may_force = [b[0] in _MAY_GO_ON or a[-1] in _MAY_OPEN for a, b in pairwise(texts)]
    paragraph = 0  # the line the current paragraph starts at
    balances: list[list[int]] = []  # the quotation marks' balance, counted when first asked

    def balance() -> list[int]:
        if not balances:
            balances.append(_quote_balance(texts))
        return balances[0]

    wrapped = width is not None
    append = edits.append
    for i in range(len(texts) - 1):
        line = texts[i]
        end = starts[i] + len(line)
        nxt = starts[i + 1]
        following = texts[i + 1]
        if heads[i] and heading_lines == 0 and not _SENTENCE_END.search(line):
            # a title has no comma; "三、坚持把科技进步…，更…" is a numbered paragraph, and
            # so is English at the margin ("1. You may copy and distribute verbatim
            # copies" / "of the Library's…": it was cut off at its second line)
            heading_lines = 0 if _CLAUSE_COMMA.search(line) or not _cjk_near(line) else 1
        if may_force[i]:
            forced = _forced_join(line, following, end, nxt, breaks[i])
            if forced is not None:
                joins += 1
                if heading_lines:  # a title's second line, as any other join counts it
                    heading_lines = 0 if _sentence_like(following) else heading_lines + 1
                edits.extend(forced)
                continue
        if (
            (
                widths[i] < full
                and not _english_continues(line, following)
                and not (line[-1] == "," and ragged_from <= widths[i] and _ragged(line, following))
                and not (wrapped and _word_did_not_fit(line, widths[i], following, width or 0))
            )
            # a blank line ends the paragraph, unless the line before it is full and
            # goes on (a page break inside a paragraph)
            or (
                blanks_end_paragraphs
                and nxt - end > 1
                and (widths[i] < full or breaks[i] or line[-1] in _STOP_ENDS)
                # English going on in lower case across it: a page break inside a
                # sentence (and without the blank line, as the key has it, this joins)
                and not _english_continues(line, following)
            )
            or heads[i + 1]
            # a list item after a sentence or an item (in text whose lines are
            # paragraphs every item is a head): "…a relevant date." / "b) The work
            # must…", "…Covered Software; or" / "(b) for infringements…"
            or (
                wrapped
                and following[0] in _LATIN_FIRST
                and (line[-1] in ".;:" or _ITEM_JOINER.search(line) is not None)
                and _LATIN_ITEM.match(following) is not None
            )
            or (
                breaks[i]
                and not (wrapped and _inside_quote(texts, balance(), paragraph, i))
                and not (wrapped and _colon_at_margin(line, widths[i], full))
            )
            or (heading_lines and (heading_lines >= 2 or not wrapped))
        ):
            heading_lines = 0
            paragraph = i + 1
            if nxt - end != 1:
                append((end, nxt, "\n"))
            continue
        if heading_lines:
            # a numbered paragraph ("（一）…。") is not a heading: it joins on
            heading_lines = 0 if _sentence_like(following) else heading_lines + 1
        joins += 1
        word = _wrapped_word(line, following) if line[-1] == "-" else None
        if word is not None:
            if compounds is None:  # read once, and only from a text that hyphenates
                compounds = frozenset(_COMPOUND.findall(text))
            if word not in compounds:  # "mone-" / "tary": the hyphen goes with the wrap;
                append((end - 1, nxt, ""))  # "well-known" written so elsewhere keeps it
                continue
        # most joins are CJK to CJK: test the cheap case before calling _joiner
        append((end, nxt, "" if line[-1] >= "\x80" else _joiner(line, following)))
    last_end = starts[-1] + len(texts[-1])
    if last_end < len(text):
        edits.append((last_end, len(text), ""))
    return edits, joins
