"""Normalise a text into its comparison key, recording what each step did.

Each step is a small pure function from a text to edits (:mod:`difftool.offsets`); the
pipeline applies them in order, composes their offset maps so that any span of the key
maps back to the original, and keeps a note of each step that changed something
("joined 212 wrapped lines"). The original text is never changed: it is what docdiff
shows.

Only what needs folding is folded: full NFKC over every character is slow and would also
fold characters the key must keep (``“”`` ``。`` ``、`` ``《》``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from difftool import layout
from difftool.charclass import CharClass
from difftool.models import NormalisedText
from difftool.offsets import Edit, OffsetMap, apply_edits, edited

__all__ = ["STEPS", "TOKEN_STEPS", "Step", "normalise"]

_WIDE_PUNCT = frozenset("“”‘’—…·\n")
#: Marks CJK and English text share: a space next to one is layout only when the
#: character on its other side is CJK too (``称为 “中国” 的``, but ``the “people first”
#: principle``).
_SHARED_PUNCT = frozenset("“”‘’—…·")


def _is_wide(ch: str) -> bool:
    """CJK characters and punctuation, full-width forms, and line ends: spaces next to them
    are layout. (A test on the code point: a regex class this large costs milliseconds to
    compile in every process.)"""
    return ch >= "\u2e80" or ch in _WIDE_PUNCT


def _is_annotated(ch: str) -> bool:
    """What a pinyin annotation follows: a CJK character, or what mojibake left of one."""
    return ch >= "\u2e80" or ch in "\ufffd?" or (ch.isascii() and ch.isalpha())


class Step(NamedTuple):
    """One normalisation step.

    Attributes:
        name: short name, used in ``--notes``.
        edits: text -> (edits, count); count is what the note reports. A step that
            only swaps characters one for one may return the new text instead of edits.
        note: format string for the note, with ``{n}`` for the count.
        needs: a character class; when given, the step runs only on texts that hold
            one of its characters (one combined scan decides for all steps).
        takes_present: the step function also takes, as ``present``, the characters
            of its class that the scan found.
    """

    name: str
    edits: Callable[..., tuple[list[Edit] | str, int]]
    note: str
    needs: str = ""
    takes_present: bool = False


def _regex_edits(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]):  # type: ignore[no-untyped-def]
    """A step function replacing every match of ``pattern``."""

    def edits(text: str) -> tuple[list[Edit], int]:
        out: list[Edit] = []
        for m in pattern.finditer(text):
            new = repl if isinstance(repl, str) else repl(m)
            if new != m.group():
                out.append((m.start(), m.end(), new))
        return out, len(out)

    return edits


#: Occurrences, and distinct characters, past which the steps that look for the
#: characters the needs scan found one by one (each a pass at C speed) scan with their
#: pattern after all.
_FIND_LIMIT = 20_000
_FIND_CHARS = 12


def _class_runs(text: str, chars: list[str]) -> list[tuple[int, int]] | None:
    """The runs of consecutive characters from ``chars`` in ``text``, found with
    ``str.find`` (a hundred times faster than a regex class scan on a long text); None
    when they occur too often for a list of positions to pay."""
    if len(chars) > _FIND_CHARS or sum(text.count(ch) for ch in chars) > _FIND_LIMIT:
        return None
    positions: list[int] = []
    for ch in chars:
        at = text.find(ch)
        while at >= 0:
            positions.append(at)
            at = text.find(ch, at + 1)
    positions.sort()
    runs: list[tuple[int, int]] = []
    for at in positions:
        if runs and runs[-1][1] == at:
            runs[-1] = (runs[-1][0], at + 1)
        else:
            runs.append((at, at + 1))
    return runs


def _class_edits(pattern: re.Pattern[str], repl: str):  # type: ignore[no-untyped-def]
    """:func:`_regex_edits` for a pattern ``[class]+``, told (``present``) which of the
    text's characters the needs scan found: only those of its class are looked for."""
    scan: Callable[[str], tuple[list[Edit], int]] = _regex_edits(pattern, repl)

    def edits(text: str, present: str | None = None) -> tuple[list[Edit], int]:
        if present is None:
            return scan(text)
        runs = _class_runs(text, list("".join(pattern.findall(present))))
        if runs is None:
            return scan(text)
        out: list[Edit] = [(start, end, repl) for start, end in runs if text[start:end] != repl]
        return out, len(out)

    return edits


# --- line ends and invisible characters ---------------------------------------------


def _runs(chars: str) -> re.Pattern[str]:
    """A pattern for runs of the class ``[chars]``, written ``[c][c]*``, not ``[c]+``:
    the engine then skips ahead to a run's first character at C speed, where before a
    repeat it tries each position in turn (``" +"`` scans report text 15 times slower
    than ``"  *"``, a class 1.6 to 2.7 times)."""
    return re.compile(f"[{chars}][{chars}]*")


_CR = re.compile(r"\x0c\n?|\r\n?|[\u2028\u2029\x0b\x85]")


def _line_end(m: re.Match[str]) -> str:
    """A newline; a form feed on a line of its own (a page break: see
    :data:`difftool.layout.PAGE_BREAK`)."""
    if m.group()[0] != "\x0c":
        return "\n"
    start = m.start()
    return "\x0c\n" if start == 0 or m.string[start - 1] == "\n" else "\n\x0c\n"


#: Latin ligatures a PDF's fonts put in for ``fi``, ``fl``…: the letters they stand for.
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_LIGATURE = re.compile("[ﬀ-ﬆ]")
_INVISIBLE_CHARS = "\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e"
_INVISIBLE = _runs(_INVISIBLE_CHARS)

# --- markup ---------------------------------------------------------------------------

#: HTML's element names (and the obsolete ones old pages use): a tag is one of them, a
#: namespaced one (``<o:p>``, Word's HTML) or a custom element (``<my-card>``). Anything
#: else in angle brackets is text: ``<https://fsf.org/>``, ``<year>``, ``<name of author>``.
#: (Looked up in a set: an alternation of them costs 1.5 ms to compile at every start.)
_HTML_WORDS = (
    "a abbr acronym address area article aside audio b base basefont bdi bdo big blink"
    " blockquote body br button canvas caption center cite code col colgroup data datalist"
    " dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font"
    " footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img"
    " input ins kbd label legend li link main map mark marquee menu meta meter nav nobr"
    " noframes noscript object ol optgroup option output p param picture pre progress q rp"
    " rt ruby s samp script section select small source span strike strong style sub"
    " summary sup svg table tbody td template textarea tfoot th thead time title tr track"
    " tt u ul var video wbr xml"
)
_HTML_NAMES = frozenset(_HTML_WORDS.split())
#: What may be a tag; its name (group 1) decides.
_HTML_TAG = re.compile(r"</?([a-zA-Z][\w.-]*(?::[a-zA-Z][\w.-]*)?)(?=[\s/>])[^<>]*>")


def _is_tag_name(name: str) -> bool:
    return ":" in name or "-" in name or name.lower() in _HTML_NAMES


#: What opens a block whose content is not text: a comment, a script, a style.
_HTML_BLOCK_OPEN = re.compile(r"<!--|<(script|style)\b[^<>]*>", re.IGNORECASE)
_HTML_BLOCK_CLOSE = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}
_HTML_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|pre|hr)\b",
    re.IGNORECASE,
)
_ENTITY = re.compile(
    # full-width forms count too: width folding comes later and would make an entity
    r"(?:&amp;)*[&＆](?:[#＃][0-9０-９]{1,7}|[#＃][xX][0-9a-fA-F]{1,6}"
    r"|[a-zA-Zａ-ｚＡ-Ｚ][a-zA-Z0-9ａ-ｚＡ-Ｚ０-９]{1,31})[;；]"
)


def _html_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of comments, scripts and styles, in one linear pass: once a closer is
    missing, no later opener of that kind looks for it again (unclosed ``<!--`` repeated
    80,000 times would otherwise be quadratic)."""
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        m = _HTML_BLOCK_OPEN.search(text, pos)
        if m is None:
            return spans
        kind = (m.group(1) or "--").lower()
        end = -1
        if kind not in unclosed:
            if kind == "--":
                close = text.find("-->", m.end())
                end = close + 3 if close >= 0 else -1
            else:
                found = _HTML_BLOCK_CLOSE[kind].search(text, m.end())
                end = found.end() if found else -1
        if end < 0:
            unclosed.add(kind)
            pos = m.end()
            continue
        spans.append((m.start(), end))
        pos = end


def _html_tags(text: str) -> tuple[list[Edit], int]:
    # Two or more tags make it HTML; a lone "<b>" in prose is left alone.
    blocks = _html_blocks(text)
    edits: list[Edit] = [(s, e, "") for s, e in blocks]
    k = 0
    for m in _HTML_TAG.finditer(text):
        if not _is_tag_name(m.group(1)):
            continue
        while k < len(blocks) and blocks[k][1] <= m.start():
            k += 1
        if k < len(blocks) and blocks[k][0] <= m.start() < blocks[k][1]:
            continue  # inside a comment or a script
        edits.append((m.start(), m.end(), "\n" if _HTML_BLOCK.match(m.group()) else ""))
    if len(edits) < 2:
        return [], 0
    edits.sort()
    return edits, len(edits)


def _entity(m: re.Match[str]) -> str:
    # "&amp;lt;" (escaped twice) decodes all the way, so normalising is idempotent
    import html  # only a text with "&" gets here (html.entities: 2 ms to import)

    text = m.group().translate(_WIDTH_TABLE)
    while True:
        decoded = html.unescape(text)
        if decoded == text:
            # the character steps have run: what an entity decodes to gets them here
            # (a line end, an invisible mark, an odd space, a full-width character)
            text = _INVISIBLE.sub("", _CR.sub("\n", text))
            return _ODD_SPACE.sub(" ", text).translate(_WIDTH_TABLE)
        text = decoded


# Line-start marks and inline marks are two patterns: an inline pattern whose first
# characters are known lets the regex engine skip ahead, which matters at 20 MB/s.
# The line-start pattern is anchored on the newline before the line, a literal the
# engine finds at C speed, where a multiline "^" is tried at every position (2.5 times
# faster on report text); the first line is matched with one put before it.
_MARKDOWN_LINE = re.compile(
    r"\n[ \t]*(?:"
    r"(?:[-*_][ \t]*){3,}$"  # horizontal rule
    # ATX heading markers, blockquotes and bullets, nested in any order ("> ## 标题",
    # "- # 标题"): all of them go, or the next normalising would find the inner ones
    # (">." on a line is an address's end cut off at the margin, not a blockquote; "##"
    # alone is an empty heading, as a wrap after the marker leaves it)
    r"|(?:#{1,6}(?:[ \t]+|$)|>(?![.,;:!?)\]])[ \t]?|[-*+][ \t]+(?=\S))+"
    r")",
    re.MULTILINE,
)
# Every alternative starts with one character class, and each branch checks with a
# lookbehind which character it was: written so, the engine skips ahead at C speed
# (seven times faster on report text than the plain alternation).
_MARKDOWN_INLINE = re.compile(
    r"[*_`!\[\]](?:"
    r"(?<=\*)\*|(?<=_)_|(?<=`)`*"  # bold, code
    # lookaheads are bounded: a line of 100,000 "[" is linear, not quadratic
    r"|(?<=!)\[(?=[^\]\n]{0,500}\][(（][^)）\n]{0,2000}[)）])"  # image: "![alt](url)" keeps "alt"
    r"|(?<=\[)(?=[^\]\n]{0,500}\][(（][^)）\n]{0,2000}[)）])"  # link: "[text](url)" keeps "text"
    r"|(?<=\])[(（][^)）\n]{0,2000}[)）]"  # the "(url)" after either (full-width parens fold later)
    r")"
)


def _markdown(text: str) -> tuple[list[Edit], int]:
    # each line's marks, without the newline before them that anchors the pattern
    newline = text.find("\n")
    first = _MARKDOWN_LINE.match("\n" + (text if newline < 0 else text[:newline]))
    edits = [(0, first.end() - 1, "")] if first and first.end() > 1 else []
    edits += [(m.start() + 1, m.end(), "") for m in _MARKDOWN_LINE.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _MARKDOWN_INLINE.finditer(text)]
    edits.sort()
    merged: list[Edit] = []
    for edit in edits:  # a line mark and an inline mark may touch ("**" after "- ")
        if merged and edit[0] < merged[-1][1]:
            continue
        merged.append(edit)
    return merged, len(merged)


# --- characters -----------------------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# one leading character class, each branch checking with a lookbehind which it was: the
# engine then skips ahead at C speed (2.6 times faster than the plain alternation)
#: A line break, with the spaces and blank lines around it: a PDF wraps inside an
#: annotation as anywhere else (``堅（jiān`` / ``）持``, ``社會（h`` / ``uì）``), and the
#: annotation goes with the break inside it (the wraps step would join those lines). A
#: break just before one (``開`` / ``（kāi）局``) is found after the match.
_ANNOTATION_BREAK = r"(?:[ \t]*\n[ \t\n]*)?"
_SYLLABLE = rf"[a-zü{_TONED}](?:{_ANNOTATION_BREAK}[a-zü{_TONED}]){{0,5}}"
_PINYIN = re.compile(
    rf"[(（?？](?:(?<=[(（]){_ANNOTATION_BREAK}({_SYLLABLE}){_ANNOTATION_BREAK}[)）]"
    rf"|(?<=[?？]){_ANNOTATION_BREAK}{_SYLLABLE}{_ANNOTATION_BREAK}[)）])"
)
_TONE = re.compile(f"[{_TONED}]")
#: Neutral-tone syllables, stripped only in texts that carry toned annotations.
_NEUTRAL = frozenset(("de", "le", "men", "zi", "me", "ma", "ne", "ba", "zhe", "ge", "la"))


def _annotation_start(text: str, start: int) -> int:
    """Where an annotation found at ``start`` begins: before the line break (and blank
    lines) between it and the character it annotates, if there is one."""
    at = start
    while at > 0 and start - at < 16 and text[at - 1] in " \t\n":
        at -= 1
    return at if "\n" in text[at:start] else start


def _pinyin(text: str) -> tuple[list[Edit], int]:
    found = []
    for m in _PINYIN.finditer(text):
        start = _annotation_start(text, m.start())
        if m.group(1) is None or (start and _is_annotated(text[start - 1])):
            found.append((start, m))
    toned = [m for _, m in found if _TONE.search(m.group())]
    if len(toned) < 3:
        # A few toned parentheses are a dictionary-style gloss, not injected annotations.
        return [], 0
    edits: list[Edit] = [
        (start, m.end(), "")
        for start, m in found
        if m.group(1) is None
        or _TONE.search(m.group(1))
        or re.sub(r"\s", "", m.group(1)) in _NEUTRAL
    ]
    return edits, len(edits)


_WIDTH_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update({0xFF61: ord("。"), 0xFF64: ord("、")})
#: Full-width forms of the characters that markup is written with: folded before the
#: markup steps, so that they see "＊＊" as "**" (and normalising stays idempotent).
#: Everything else full-width (letters, digits, CJK punctuation) folds after the wraps
#: are judged, so that a line of full-width figures still measures its width.
_EARLY_WIDTH_CHARS = "＆＃＊＿｀［］＞－＋＜＝／＂＇"
_LATE_WIDTH = "".join(chr(c) for c in _WIDTH_TABLE if chr(c) not in _EARLY_WIDTH_CHARS)
_FULL_WIDTH = _runs(re.escape(_EARLY_WIDTH_CHARS + _LATE_WIDTH))


def _width(text: str, present: str | None = None, *, only: str = "") -> tuple[str, int]:
    """Fold full-width characters (those in ``only`` when given); ``present`` lists the
    ones the text may hold (the pipeline's scan found them), so no pass over the text is
    needed to find them."""
    candidates = set(present) if present is not None else set("".join(_FULL_WIDTH.findall(text)))
    if only:
        candidates &= set(only)
    count = 0
    # a report uses a dozen distinct full-width characters: one C-speed replace each
    for ch in candidates:
        folded = _WIDTH_TABLE.get(ord(ch))
        if folded is None:
            continue
        n = text.count(ch)
        if n:
            count += n
            text = text.replace(ch, chr(folded))
    return (text if count else ""), count


def _early_width(text: str, present: str | None = None) -> tuple[str, int]:
    return _width(text, present, only=_EARLY_WIDTH_CHARS)


def _late_width(text: str, present: str | None = None) -> tuple[str, int]:
    return _width(text, present, only=_LATE_WIDTH)


_ODD_SPACE_CHARS = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # and the ideographic space
_ODD_SPACE = _runs(_ODD_SPACE_CHARS)
_SPACE_RUN = _runs(" ")


#: Full-width digits and point too: the width step folds them after the spaces are
#: judged, and "０. 5" judged otherwise than "0. 5" is not normalised idempotently.
_FIGURE_CHARS = frozenset("0123456789.,０１２３４５６７８９．")


_POINTS = frozenset(".,．")


def _digit_beyond(text: str, at: int, step: int) -> bool:
    """Whether the first character from ``at`` on (going by ``step``) that is not a
    space is a digit."""
    while 0 <= at < len(text) and text[at] == " ":
        at += step
    return 0 <= at < len(text) and text[at].isdigit()


#: What may stand inside a figure, or between it and its CJK neighbours: layout spaces,
#: line ends, and the page breaks the page-numbers step marked (see
#: :data:`difftool.layout.PAGE_BREAK`).
_BETWEEN = " \n\f\v"


def _inside_figure(text: str, start: int, end: int, last: list[int]) -> bool:
    """A space a PDF extractor put inside a figure in CJK text: ``969 8宗``, ``757. 5万吨``,
    ``0 . 5``, ``12.5 %``.

    Digits (or a point) on each side, a per cent sign on the right, and CJK next to the
    figure on either side; English ``in 2019 500 people`` is left alone. ``last`` holds
    the end of the figure judged last and the verdict: the spaces of one figure share it
    (a figure of n spaces is scanned once, not n times).
    """
    left, right = text[start - 1], text[end]
    left_point, right_point = left in _POINTS, right in _POINTS
    # a digit on each side, or a point with a digit beyond it ("757. 5", "0 . 5": spaces
    # around a point are judged alike whichever side is judged first)
    if not (left.isdigit() or (left_point and _digit_beyond(text, start - 2, -1))):
        return False
    if not (
        right.isdigit()
        or (right_point and _digit_beyond(text, end + 1, 1))
        or (right in "%％" and left.isdigit())  # "12.5 %"
    ):
        return False
    if left_point and right_point:
        return False
    if start < last[0]:
        return bool(last[1])
    # the whole figure, spaces inside it included ("7 4 7 7 2亿元", "7  4", "1 . 5 %"): a
    # run of spaces between two of its characters is inside, and so is a line end (a
    # wrap inside the figure: "下降到1 0" / " ．0 6 ‰。" is one figure in CJK text)
    i = start - 1
    while i > 0:
        if text[i - 1] in _FIGURE_CHARS:
            i -= 1
            continue
        k = i - 1
        while k > 0 and text[k] in _BETWEEN:
            k -= 1
        if k == i - 1 or text[k] not in _FIGURE_CHARS:
            break
        i = k + 1
    j = end
    while j < len(text):
        if text[j] in _FIGURE_CHARS or text[j] == "%":
            j += 1
            continue
        k = j
        while k < len(text) and text[k] in _BETWEEN:
            k += 1
        if k == j or not (text[k : k + 1] in _FIGURE_CHARS or text[k : k + 1] in ("%", "％")):
            break
        j = k
    # layout spaces, line ends and page breaks may stand between the figure and the CJK
    # text around it ("（PM" / "2. 5" / "- 2 -" / "）和"; but "Version 3, 29" / "June
    # 2007" is English)
    last[0] = j
    while i > 0 and text[i - 1] in _BETWEEN:
        i -= 1
    while j < len(text) and text[j] in _BETWEEN:
        j += 1
    wide = (i > 0 and _is_wide(text[i - 1])) or (j < len(text) and _is_wide(text[j]))
    last[1] = wide
    return wide


def _spaces(text: str) -> tuple[list[Edit], int]:
    """Drop spaces next to CJK (``2023 年``), at line ends, in runs and inside figures in
    CJK text; keep Latin spacing."""
    edits: list[Edit] = []
    n = len(text)
    runs = _SPACE_RUN.finditer(text)
    prev_start = prev_end = -1  # the previous run
    figure = [0, 0]  # the figure judged last: its end, its verdict
    m = next(runs, None)
    while m is not None:
        following = next(runs, None)
        start, end = m.start(), m.end()
        left, right = text[start - 1 : start], text[end : end + 1]
        # past a mark CJK and English share, and the spaces on its other side: what
        # decides is the character there (a run's neighbours decide alike on every pass)
        if left in _SHARED_PUNCT:
            at = prev_start if prev_end == start - 1 else start - 1
            left = text[at - 1] if at > 0 else "\n"
        if right in _SHARED_PUNCT:
            at = (
                following.end()
                if following is not None and following.start() == end + 1
                else end + 1
            )
            right = text[at : at + 1] or "\n"
        prev_start, prev_end = start, end
        m = following
        if (
            start == 0
            or end == n
            or _is_wide(left)
            or _is_wide(right)
            or _inside_figure(text, start, end, figure)
        ):
            edits.append((start, end, ""))
        elif end - start > 1:
            edits.append((start + 1, end, ""))
    return edits, sum(e - s for s, e, _ in edits)


@lru_cache(maxsize=1)
def traditional_chars() -> str:
    """The characters OpenCC's ``t2s`` changes: the mark of Traditional text.

    Read from ``data/traditional.txt`` (made by ``data/build_data.py``), so that telling
    a Simplified text costs no OpenCC import.
    """
    data = Path(__file__).parent / "data" / "traditional.txt"
    return data.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def _traditional_chars() -> re.Pattern[str]:
    return re.compile(f"[{traditional_chars()}]")


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc  # imported on first use: Simplified texts never pay for it

    return opencc.OpenCC("t2s")


def _script(text: str) -> tuple[list[Edit], int]:
    """Convert each line that holds a Traditional character (OpenCC works on a line's
    phrases); the lines without one are skipped at the pattern's speed."""
    converter = _converter()
    traditional = _traditional_chars()
    edits: list[Edit] = []
    count = 0
    found = traditional.search(text)
    while found is not None:
        at = found.start()
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        count += len(traditional.findall(text, at, end))
        edits.append((start, end, converter.convert(text[start:end])))
        found = traditional.search(text, end)
    return edits, count


def _lines_step(fn: Callable[[str], list[Edit]]) -> Callable[[str], tuple[list[Edit], int]]:
    def edits(text: str) -> tuple[list[Edit], int]:
        out = fn(text)
        return out, len(out)

    return edits


def _running_headers(text: str) -> tuple[list[Edit], int]:
    """The headers and the page-break marks: only the headers are counted."""
    edits = layout.running_headers(text)
    marks = sum(1 for start, end, _ in edits if text[start:end].strip("\n") in "\f\v")
    return edits, len(edits) - marks


def _spaced_lines(text: str) -> tuple[list[Edit], int]:
    edits = layout.spaced_out(text)
    return edits, len({text.rfind("\n", 0, start) for start, _, _ in edits})


STEPS: tuple[Step, ...] = (
    Step(
        "newlines",
        _regex_edits(_CR, _line_end),
        "converted {n} line ends to \\n",
        needs="\r\u2028\u2029\x0b\x0c\x85",
    ),
    Step(
        "invisible",
        _class_edits(_INVISIBLE, ""),
        "removed {n} runs of invisible characters",
        needs=_INVISIBLE_CHARS,
        takes_present=True,
    ),
    Step(
        "spaces",
        _class_edits(_ODD_SPACE, " "),
        "turned {n} tabs and odd spaces into spaces",
        needs=_ODD_SPACE_CHARS,
        takes_present=True,
    ),
    Step(
        "markup-width",
        _early_width,
        "folded {n} full-width markup characters to half-width",
        needs=re.escape(_EARLY_WIDTH_CHARS),
        takes_present=True,
    ),
    Step(
        "ligatures",
        _regex_edits(_LIGATURE, lambda m: _LIGATURES[m.group()]),
        "spelt out {n} ligatures",
        needs="ﬀ-ﬆ",
    ),
    Step("html", _html_tags, "removed {n} HTML tags", needs="<"),
    Step("entities", _regex_edits(_ENTITY, _entity), "decoded {n} HTML entities", needs="&＆"),
    Step("letter-spacing", _spaced_lines, "closed up {n} spaced-out lines"),
    Step("page-numbers", _lines_step(layout.page_numbers), "removed {n} page-number lines"),
    Step("web-chrome", _lines_step(layout.web_chrome), "removed {n} lines of web page chrome"),
    Step("markdown", _markdown, "removed {n} Markdown marks", needs=r"\-*_#>+`\["),
    Step("cjk-spaces", _spaces, "dropped {n} layout spaces"),
    Step("running-headers", _running_headers, "removed {n} running header lines"),
    Step("wraps", layout.join_wrapped, "joined {n} wrapped lines"),
    # after the wraps: a printed line's width counts its annotations, and a wrap inside
    # one is joined first
    Step("pinyin", _pinyin, "stripped {n} pinyin annotations", needs=_TONED),
    # after the wraps: full-width punctuation still takes two cells when lines are measured
    Step(
        "width",
        _late_width,
        "folded {n} full-width characters to half-width",
        needs=re.escape(_LATE_WIDTH),
        takes_present=True,
    ),
    Step(
        "script",
        _script,
        "Traditional -> Simplified ({n} characters)",
        needs="\x00",  # stands for traditional_chars(): too many to spell out here
    ),
)
_SCRIPT_MARK = "\x00"


#: Needed characters that Chinese report text is full of (``，`` is one character in
#: twenty): the needs scan leaves them out of its class and asks ``ch in text`` for each,
#: which stops at the first one, or costs one pass at memchr speed for an absent one.
#: Scanned for, the commas alone made the scan build a list of 150,000 one-character
#: strings for a 15 MB report.
_FREQUENT_NEEDS = "，（）；：％！？\u3000０１２３４５６７８９"


@lru_cache(maxsize=8)
def _needs_scanner(
    steps: tuple[Step, ...], traditional: bool = True
) -> tuple[re.Pattern[str], str]:
    """One class of every character some step needs, except :data:`_FREQUENT_NEEDS`,
    and those of them that some step needs; the Traditional ones only with
    ``traditional``. Without them (a short text, in a process that has read little),
    they are looked for with a set when the script step is reached, and the class of
    3,500 characters is not compiled (see ``charclass``). The frequent characters are
    spelt out, not in ranges, in every ``needs``, so they are taken out as text (a test
    checks the class and the list find every character the steps need)."""
    mark = traditional_chars() if traditional else ""
    body = "".join(step.needs for step in steps).replace(_SCRIPT_MARK, mark)
    frequent = "".join(ch for ch in _FREQUENT_NEEDS if ch in body)
    return re.compile(f"[{body.translate(dict.fromkeys(map(ord, frequent)))}]"), frequent


def _needed_present(text: str, steps: tuple[Step, ...], traditional: bool) -> str:
    """The distinct characters of ``text`` that some step needs."""
    scanner, frequent = _needs_scanner(steps, traditional)
    return "".join(set(scanner.findall(text))) + "".join(ch for ch in frequent if ch in text)


@lru_cache(maxsize=1)
def _traditional_set() -> frozenset[str]:
    return frozenset(traditional_chars())


#: Traditional characters, looked for one by one in short texts (see ``charclass``).
_TRADITIONAL = CharClass(_traditional_set, _traditional_chars)


@lru_cache(maxsize=32)
def _needs_pattern(needs: str) -> re.Pattern[str]:
    return re.compile(f"[{needs}]")


def _wanted(step: Step, present: str, text: str, scanned: bool) -> bool:
    """Whether a step with ``needs`` may find anything in ``text``, given the characters
    the scan found in the original text (Traditional ones among them if ``scanned``)."""
    if not step.needs or "&" in present or "＆" in present:  # entities decode into anything
        return True
    if step.needs == _SCRIPT_MARK:
        if scanned:  # a set, not a class of 3,500 characters to compile
            return not _traditional_set().isdisjoint(present)
        return _TRADITIONAL.found_in(text)
    return _needs_pattern(step.needs).search(present) is not None


#: The steps dedup needs before tokenizing. Tokens skip spaces, line breaks and
#: punctuation, so joining wraps and dropping layout spaces change no token, and the
#: tokenizer folds full-width letters and digits itself; leaving those four steps out
#: makes fingerprinting a fifth faster. Three rare layouts tokenize differently: a number
#: split by a hard wrap ("202" / "3") or by an extractor's space ("969 8宗"), and a layout
#: space next to a full-width letter or digit ("3 ０"); each changes a token or two,
#: never a group. A test checks the rest.
TOKEN_STEPS: tuple[Step, ...] = tuple(
    s for s in STEPS if s.name not in {"spaces", "cjk-spaces", "wraps", "width", "markup-width"}
)


def normalise(text: str, *, steps: tuple[Step, ...] = STEPS, mapped: bool = True) -> NormalisedText:
    """Normalise ``text`` into a comparison key.

    Args:
        text: the original text (as loaded).
        steps: the steps to run, in order; the default is :data:`STEPS`.
        mapped: keep each step's offset map (what a diff needs to show the original);
            without them the key costs less (fingerprinting, ``docdiff normalise``).

    Returns:
        The key (one paragraph, heading or short line per line), the notes of what was
        done, and the offset map back to ``text``.
    """
    current = text
    maps: list[OffsetMap] = []
    notes: list[str] = []
    # One scan finds which of the rarely needed steps can find anything at all.
    scanned = _TRADITIONAL.past_budget(len(text))  # compiled, the class joins the scan
    present = _needed_present(text, steps, scanned)
    for step in steps:
        if not _wanted(step, present, current, scanned):
            continue
        if step.takes_present:
            known = "&" not in present and "＆" not in present
            edits, count = step.edits(current, present=present if known else None)
        else:
            edits, count = step.edits(current)
        if not edits:
            continue
        if isinstance(edits, str):  # one-for-one: positions do not move
            current = edits
            # folded characters may be what later steps look for ("＊" became "*")
            present += present.translate(_WIDTH_TABLE)
        elif mapped:
            current, step_map = apply_edits(current, edits)
            maps.append(step_map)
        else:
            current = edited(current, edits)
        if count:
            notes.append(step.note.format(n=count))
    return NormalisedText(current, text, tuple(notes), tuple(maps), mapped)
