"""How much a stretch of text looks like real report text, by character frequency.

The table (``difftool/data/charfreq.tsv``) counts characters in 52 national government
work reports, Traditional variants included. Mojibake is made of characters that such
text rarely uses, so its mean log-frequency is far lower than that of real text.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from difftool.charclass import CharClass

#: Log-probability of a character the table has never seen.
UNSEEN = -14.0
#: Log-probability of a printable ASCII character (names, figures, English words).
ASCII = -7.0
#: Pinyin letters with tone marks: annotations are real text, not mojibake.
PINYIN_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
#: The level of an ordinary character: above it a character makes text more plausible.
REFERENCE = -9.0


@lru_cache(maxsize=1)
def table() -> dict[str, float]:
    """Character -> natural log of its relative frequency."""
    text = (Path(__file__).parent.parent / "data" / "charfreq.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    total = int(lines[0].split("\t")[1])
    scores: dict[str, float] = {}
    for line in lines[1:]:
        ch, _, count = line.partition("\t")
        scores[ch] = math.log(int(count) / total)
    return scores


@lru_cache(maxsize=1)
def _scores() -> dict[str, float]:
    """:func:`table` with printable ASCII and the pinyin letters at :data:`ASCII` where
    the table has no entry: one lookup per character, done by ``map`` in C."""
    scores = dict.fromkeys([chr(c) for c in range(0x20, 0x7F)] + list(PINYIN_LETTERS), ASCII)
    scores.update(table())
    return scores


def _total(text: str) -> float:
    return sum(map(_scores().get, text, repeat(UNSEEN)))


def excess(text: str) -> float:
    """Sum over characters of how far each is above :data:`REFERENCE`.

    Unlike a total log-probability this does not reward dropping ordinary characters,
    so candidate repairs of different lengths compare fairly.
    """
    return _total(text) - REFERENCE * len(text)


def score(text: str) -> float:
    """Mean log-frequency per character; higher means more like real text."""
    if not text:
        return 0.0
    return _total(text) / len(text)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """The table's characters and the pinyin letters (without reading the counts)."""
    text = (Path(__file__).parent.parent / "data" / "charfreq.tsv").read_text(encoding="utf-8")
    return frozenset(line.partition("\t")[0] for line in text.splitlines()[1:]) | frozenset(
        PINYIN_LETTERS
    )


@lru_cache(maxsize=1)
def rare_pattern() -> re.Pattern[str]:
    """Matches one character outside the table and outside ASCII and common whitespace."""
    escaped = re.escape("".join(sorted(_known())))
    return re.compile(f"[^\\x00-\\x7f\\s{escaped}]")


#: The characters :func:`rare_pattern` matches, looked for one by one in short texts.
RARE = CharClass(_known, rare_pattern, outside=True)


def is_rare(ch: str) -> bool:
    """Whether ``ch`` is a character :func:`rare_pattern` matches."""
    return ch in RARE


def rare_positions(text: str, start: int = 0) -> list[int]:
    """Where ``text`` holds a character :func:`rare_pattern` matches, from ``start`` on."""
    return RARE.positions(text, start)
