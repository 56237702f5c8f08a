"""Make realistic versions of a report, for tests and benchmarks.

Layouts turn one text into the forms archives hold (PDF text with hard wraps and page
numbers, web text, Markdown, Traditional script); edits change its content in known
ways, so that a test can check that docdiff reports exactly the edits and none of the
layout. Everything is deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass

from difftool.layout import HEADING_START

_TO_FULL = str.maketrans(
    {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
)
_TO_HALF = str.maketrans(
    {
        v: k
        for k, v in {
            ",": "，",
            ":": "：",
            ";": "；",
            "(": "（",
            ")": "）",
            "!": "！",
            "?": "？",
        }.items()
    }
)
_CJK_DIGIT = re.compile(r"(?<=[\u4e00-\u9fff])(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])(?=[\u4e00-\u9fff])")


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a text, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def web_layout(text: str) -> str:
    """One paragraph per line, half-width punctuation: how a web page's text is copied."""
    return "\n".join(p.translate(_TO_HALF) for p in paragraphs(text)) + "\n"


def pdf_layout(
    text: str, *, width: int = 28, page_lines: int = 36, rng: random.Random | None = None
) -> str:
    """Text as pulled out of a PDF print: full-width punctuation, a hard wrap every
    ``width`` characters, spaces between CJK and digits, a blank line after each line,
    a page number line and a stray space at each page break."""
    rng = rng or random.Random(0)
    out: list[str] = []
    count = 0
    page = 1
    for para in paragraphs(text):
        para = (
            _CJK_DIGIT.sub(" ", para.translate(_TO_FULL))
            if rng.random() < 0.7
            else para.translate(_TO_FULL)
        )
        # headings are set in a bold face: fewer characters to the line
        line_width = width - 2 if HEADING_START.match(para) else width
        for piece in _wrap_cells(para, line_width * 2):
            if count and count % page_lines == 0:
                out.append(f"— {page} —")
                out.append("")
                page += 1
                piece = " " + piece
            out.append(piece)
            out.append("")
            count += 1
    return "\n".join(out) + "\n"


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_DIGIT_RUN = re.compile(r"\d{4,}")


def extracted_pdf_layout(text: str, *, width: int = 38, rng: random.Random | None = None) -> str:
    """Text as a PDF extractor really gives it: a wrap at every ``width`` characters
    wherever it falls (inside figures, decimals and Latin words), a space before some
    wraps, spaces the extractor put inside figures (``757. 5``, ``969 8``), double-spaced
    lines (a blank line after each), and a page number now and then."""
    rng = rng or random.Random(0)
    out: list[str] = []
    for k, para in enumerate(paragraphs(text)):
        para = para.translate(_TO_FULL)
        para = _DECIMAL.sub(lambda m: ". " if rng.random() < 0.3 else ".", para)
        para = _DIGIT_RUN.sub(
            lambda m: m.group()[:-1] + " " + m.group()[-1] if rng.random() < 0.3 else m.group(),
            para,
        )
        for piece in _wrap_cells(para, width * 2):
            out.append(piece + (" " if rng.random() < 0.2 else ""))
            out.append("")
        if k % 9 == 8:
            out.append(f"- {k // 9 + 1} -")
            out.append("")
    return "\n".join(out) + "\n"


def char_wrapped_layout(text: str, *, width: int = 30, rng: random.Random | None = None) -> str:
    """A text file wrapped at a number of characters, as a script's ``textwrap`` does:
    a figure's digits take a character's room each, so a line with figures is short in
    display cells (a PDF wraps in cells: see :func:`pdf_layout`); a wrap may fall inside
    a figure. With ``rng`` the width is drawn from 12-24 characters (a narrow column,
    where a line of figures is the shortest in cells)."""
    if rng is not None:
        width = rng.randint(12, 24)
    lines = [line for para in paragraphs(text) for line in textwrap.wrap(para, width)]
    return "\n".join(lines) + "\n"


def _wrap_cells(text: str, cells: int) -> list[str]:
    """Break a paragraph into lines of at most ``cells`` display cells (CJK takes two)."""
    lines: list[str] = []
    start = used = 0
    for i, ch in enumerate(text):
        w = 1 if ch.isascii() else 2
        if used + w > cells:
            lines.append(text[start:i])
            start, used = i, 0
        used += w
    lines.append(text[start:])
    return [line for line in lines if line]


def markdown_layout(text: str) -> str:
    """Markdown: headings marked ``##`` and paragraphs separated by blank lines."""
    out: list[str] = []
    for para in paragraphs(text):
        marked = para.startswith("#")  # a Markdown source's own headings stay as they are
        if HEADING_START.match(para) and len(para) < 40 and not para.endswith("。") and not marked:
            out.append(f"## {para}")
        else:
            out.append(para)
        out.append("")
    return "\n".join(out)


def traditional(text: str) -> str:
    """The same text in Traditional script (OpenCC ``s2t``)."""
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


LAYOUTS = {
    "web": web_layout,
    "pdf": pdf_layout,
    "extracted-pdf": extracted_pdf_layout,
    "markdown": markdown_layout,
}


@dataclass(frozen=True)
class KnownEdit:
    """One edit made by :func:`edit_sentences`: its kind and the sentences it touched."""

    kind: str  # "delete", "insert", "change", "move", "split", "merge"
    before: tuple[str, ...]
    after: tuple[str, ...]


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CLAIM_ENDS = ("。", "！", "？", "；", "!", "?", ";")


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, with the text between them (docdiff's own splitter)."""
    from difftool.segment import split

    spans = split(paragraph)
    pieces = []
    for k, (start, _) in enumerate(spans):
        end = spans[k + 1][0] if k + 1 < len(spans) else len(paragraph)
        pieces.append(paragraph[0 if k == 0 else start : end])
    return pieces or [paragraph]


def _change_sentence(sentence: str, rng: random.Random, filler: list[str]) -> str:
    numbers = list(_NUMBER.finditer(sentence))
    if numbers and rng.random() < 0.5:
        m = rng.choice(numbers)
        new = str(int(float(m.group())) + rng.randint(1, 9))
        return sentence[: m.start()] + new + sentence[m.end() :]
    body = sentence.rstrip("。！？；!?;")
    if len(body) < 8:
        return rng.choice(filler) + body + sentence[len(body) :]
    cut = rng.randrange(2, len(body) - 4)
    span = rng.randint(2, min(6, len(body) - cut - 1))
    return body[:cut] + rng.choice(filler) + body[cut + span :] + sentence[len(body) :]


def edit_sentences(
    text: str, rng: random.Random, *, edits: int = 6, donor: str = ""
) -> tuple[str, list[KnownEdit]]:
    """Apply ``edits`` known edits to the sentences of ``text``.

    Kinds: delete a sentence, insert one (taken from ``donor``), change words or a
    figure in one, move one to another paragraph, split one in two, merge two.
    Sentences shorter than 12 characters are left alone, so that every edit is a claim
    a reviewer would care about.

    Returns:
        The edited text (one paragraph per line) and the edits made.
    """
    paras = [split_sentences(p) for p in paragraphs(text)]
    donors = [
        s
        for p in paragraphs(donor)
        for s in split_sentences(p)
        if len(s) >= 15 and s.endswith(_CLAIM_ENDS)
    ]
    filler = ["进一步", "全面", "切实加强", "有序推进", "大力"]
    made: list[KnownEdit] = []
    touched: set[int] = set()  # paragraphs already edited: indices in them have shifted
    kinds = ["delete", "insert", "change", "change", "rewrite", "replace", "move", "split", "merge"]
    attempts = 0
    while len(made) < edits and attempts < edits * 50:
        attempts += 1
        kind = rng.choice(kinds)
        pi = rng.randrange(len(paras))
        if not paras[pi]:
            continue
        si = rng.randrange(len(paras[pi]))
        s = paras[pi][si]
        if pi in touched or len(s) < 12 or not s.endswith(_CLAIM_ENDS):
            continue  # only claims: sentences with an end mark, not headings or titles
        if kind == "delete":
            del paras[pi][si]
            made.append(KnownEdit("delete", (s,), ()))
        elif kind == "insert" and donors:
            new = rng.choice(donors)
            paras[pi].insert(si, new)
            made.append(KnownEdit("insert", (), (new,)))
        elif kind == "change":
            new = _change_sentence(s, rng, filler)
            paras[pi][si] = new
            made.append(KnownEdit("change", (s,), (new,)))
        elif kind == "rewrite":  # a heavier edit: three phrases rewritten
            new = s
            for _ in range(3):
                new = _change_sentence(new, rng, filler)
            paras[pi][si] = new
            made.append(KnownEdit("change", (s,), (new,)))
        elif kind == "replace" and donors:  # a claim dropped, an unrelated one put in its place
            new = rng.choice(donors)
            paras[pi][si] = new
            made.append(KnownEdit("delete", (s,), ()))
            made.append(KnownEdit("insert", (), (new,)))
        elif kind == "move" and len(paras) > 3:
            del paras[pi][si]
            target = rng.randrange(len(paras))
            while abs(target - pi) < 2:
                target = rng.randrange(len(paras))
            if target in touched or not "".join(paras[target]).endswith(_CLAIM_ENDS):
                paras[pi].insert(si, s)
                continue
            paras[target].insert(rng.randrange(len(paras[target]) + 1), s)
            touched.add(target)
            made.append(KnownEdit("move", (s,), (s,)))
        elif kind == "split" and len(s) >= 30 and "，" in s[8:-8]:
            comma = s.index("，", 8)
            first, second = s[:comma] + "。", s[comma + 1 :]
            paras[pi][si : si + 1] = [first, second]
            made.append(KnownEdit("split", (s,), (first, second)))
        elif kind == "merge" and si + 1 < len(paras[pi]):
            t = paras[pi][si + 1]
            if len(t) < 12:
                continue
            merged = s.rstrip("。！？；!?;") + "，" + t
            paras[pi][si : si + 2] = [merged]
            made.append(KnownEdit("merge", (s, t), (merged,)))
        else:
            continue
        touched.add(pi)
    return "\n".join("".join(p) for p in paras if p) + "\n", made


def variant_pair(
    text: str, rng: random.Random, *, edits: int = 6, donor: str = ""
) -> tuple[str, str, list[KnownEdit]]:
    """Two versions of ``text``: the original and an edited copy, each in its own layout.

    Side A is laid out as PDF text (as printed, or as an extractor gives it: wraps
    inside figures and words, spaces inside figures) or Markdown, side B as web text,
    Markdown or (one time in four) Traditional web text, so that every pair mixes
    layout noise with the known edits.
    """
    edited, made = edit_sentences(text, rng, edits=edits, donor=donor)
    a = rng.choice([pdf_layout, markdown_layout, extracted_pdf_layout])(text)
    layout_b = rng.choice([web_layout, markdown_layout, web_layout])
    b = layout_b(edited)
    if rng.random() < 0.25:
        b = traditional(b)
    return a, b, made


@dataclass(frozen=True)
class Score:
    """How reported ops match known edits: counts for recall and precision."""

    edits: int
    found: int
    reported: int
    matched: int

    @property
    def recall(self) -> float:
        return self.found / self.edits if self.edits else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.reported if self.reported else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.edits + other.edits,
            self.found + other.found,
            self.reported + other.reported,
            self.matched + other.matched,
        )


_KIND_OF_OP = {"split": "change", "merge": "change"}


def score_ops(ops, a_keys: list[str], b_keys: list[str], made: list[KnownEdit], key) -> Score:  # type: ignore[no-untyped-def]
    """Match reported ops to known edits.

    A deletion or insertion of several sentences counts as one unit per sentence; a
    change, move, split or merge is one unit. A known edit is found when a unit of its
    kind has exactly its sentences (compared by ``key``, docdiff's sentence key of a
    raw sentence) on the old and the new side.
    """
    units: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
    for op in ops:
        if op.op == "equal":
            continue
        ak = tuple(a_keys[op.a_range[0] : op.a_range[1]])
        bk = tuple(b_keys[op.b_range[0] : op.b_range[1]])
        if op.op == "delete":
            units += [("delete", (x,), ()) for x in ak]
        elif op.op == "insert":
            units += [("insert", (), (x,)) for x in bk]
        else:
            units.append((op.op, ak, bk))
    used: set[int] = set()
    found = 0
    for edit in made:
        kind = _KIND_OF_OP.get(edit.kind, edit.kind)
        before = tuple(key(x) for x in edit.before)
        after = tuple(key(x) for x in edit.after)
        for i, (k, ak, bk) in enumerate(units):
            if i not in used and k == kind and ak == before and bk == after:
                used.add(i)
                found += 1
                break
    return Score(len(made), found, len(units), len(used))


def generated_pairs(
    texts: list[str], pairs: int, *, seed: int = 0
) -> list[tuple[str, str, list[KnownEdit]]]:
    """``pairs`` variant pairs, each 12 paragraphs cut from one of ``texts`` (normalised
    report texts) with known edits, each side in its own layout (see :func:`variant_pair`)."""
    rng = random.Random(seed)
    out = []
    for _ in range(pairs):
        paras = paragraphs(rng.choice(texts))
        start = rng.randrange(max(1, len(paras) - 12))
        donor = "\n".join(rng.choice(texts).split("\n")[:20])
        out.append(variant_pair("\n".join(paras[start : start + 12]), rng, donor=donor))
    return out


def score_pairs(
    pairs: list[tuple[str, str, list[KnownEdit]]], *, threshold: float | None = None
) -> tuple[Score, int]:
    """Recall and precision of :func:`difftool.align.align` on ``pairs``
    (:func:`generated_pairs`), and how many pairs hold a miss or a false op."""
    from difftool.align import DEFAULT_THRESHOLD, align
    from difftool.models import Document
    from difftool.normalise import normalise
    from difftool.pipeline import prepare_text
    from difftool.segment import sentence_key

    total = Score(0, 0, 0, 0)
    flawed = 0
    for a, b, made in pairs:
        pa = prepare_text(Document("a", a, "utf-8"))
        pb = prepare_text(Document("b", b, "utf-8"))
        ops = align(
            pa.sentences,
            pb.sentences,
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        ).ops
        score = score_ops(
            ops,
            [s.key for s in pa.sentences],
            [s.key for s in pb.sentences],
            made,
            lambda raw: sentence_key(normalise(raw).text),
        )
        total += score
        flawed += score.found < score.edits or score.matched < score.reported
    return total, flawed


def evaluate(
    texts: list[str], pairs: int, *, seed: int = 0, threshold: float | None = None
) -> Score:
    """Recall and precision of :func:`difftool.align.align` on generated variant pairs
    (:func:`generated_pairs`)."""
    return score_pairs(generated_pairs(texts, pairs, seed=seed), threshold=threshold)[0]
