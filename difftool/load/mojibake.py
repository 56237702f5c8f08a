"""Find and repair mojibake: text decoded with the wrong encoding somewhere upstream.

Three kinds are common in Chinese archives and all three are reversible where the bytes
survived:

* UTF-8 bytes decoded as GBK (``锛堝叚锛`` for ``（六）``): re-encode as GB18030, decode UTF-8;
* GBK bytes decoded one byte out of step after a lost byte (``?。┎粩嘀巍``, seed 002):
  re-encode as GBK, drop the first byte, decode GBK;
* UTF-8 bytes decoded as Windows-1252 (``æ–‡ä»¶``): re-encode, decode UTF-8.

Suspect runs are clusters of characters that real report text rarely uses; a candidate
repair is kept only when it makes the run much more plausible (see ``plausibility``).
Runs that no transform explains are left as they are and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import NamedTuple

from difftool.load import plausibility

REPLACEMENT = "\ufffd"
#: Rare characters closer together than this belong to one run.
MAX_GAP = 3
#: A cluster needs this many rare characters to be suspected.
MIN_RARE = 3
#: A repair must raise the run's total log-frequency by this much per original character.
MIN_GAIN_PER_CHAR = 2.0
#: Mean log-frequency below which an unrepaired cluster is counted as garbled.
GARBLED_BELOW = -11.0


def _utf8_read_as_gbk(s: str) -> str:
    return s.replace(REPLACEMENT, "?").encode("gb18030").decode("utf-8", errors="replace")


def _gbk_out_of_step(s: str) -> str:
    return s.encode("gbk", errors="replace")[1:].decode("gbk", errors="replace")


def _utf8_read_as_cp1252(s: str) -> str:
    data = bytearray()
    for ch in s.replace(REPLACEMENT, "?"):
        try:
            data += ch.encode("cp1252")
        except UnicodeEncodeError:
            # cp1252 leaves five bytes undefined; decoders turn them into U+FFFD or latin-1
            data += ch.encode("latin-1")  # raises for anything else: not this kind
    return data.decode("utf-8", errors="replace")


TRANSFORMS: tuple[Callable[[str], str], ...] = (
    _utf8_read_as_gbk,
    _gbk_out_of_step,
    _utf8_read_as_cp1252,
)


class Repair(NamedTuple):
    """The outcome of :func:`repair`."""

    text: str
    runs_repaired: int = 0
    chars_repaired: int = 0
    runs_unrepaired: int = 0
    chars_unrepaired: int = 0


def _total(s: str) -> float:
    """Plausibility excess; a lost byte (U+FFFD or ``?``) counts as an unseen character."""
    lost = s.count(REPLACEMENT) + s.count("?")
    kept = s.replace(REPLACEMENT, "").replace("?", "")
    return plausibility.excess(kept) + lost * (plausibility.UNSEEN - plausibility.REFERENCE)


#: Characters at the start of a text whose rare ones tell whole-text mojibake.
PROBE = 2_000


def whole_text(text: str, probed: list[int]) -> str | None:
    """The repaired text if the whole text is one consistent mojibake, else None.

    ``probed``: the rare characters' positions in the first :data:`PROBE` characters
    (:func:`repair` scans them, and goes on to scan the rest)."""
    if text.isascii():
        return None
    sample = text[:20_000]
    # whole-text mojibake is mostly characters real reports rarely use; most texts have
    # almost none, and this scan is much cheaper than scoring every character
    if len(probed) < 0.2 * min(len(text), PROBE):
        return None
    for transform in (_utf8_read_as_gbk, _utf8_read_as_cp1252):
        try:
            fixed = transform(sample)
        except UnicodeError:
            continue
        # bytes a transform cannot place come out as U+FFFD (and GB18030's four-byte
        # codes as ASCII digits among them: one odd character became "�1�3"); a real
        # whole-text mojibake loses about one character in twelve, and a repair that
        # loses more than one in four repairs nothing
        if fixed.count(REPLACEMENT) * 4 > len(fixed):
            continue
        if plausibility.score(fixed) > plausibility.score(sample) + MIN_GAIN_PER_CHAR:
            return transform(text) if len(text) > len(sample) else fixed
    return None


def _clusters(positions: Iterable[int]) -> Iterator[tuple[int, int, int]]:
    """Yield ``(start, end, rare_count)`` for each cluster of the rare characters at
    ``positions``."""
    start = end = count = -1
    for pos in positions:
        if count > 0 and pos - end <= MAX_GAP:
            end, count = pos + 1, count + 1
            continue
        if count > 0:
            yield start, end, count
        start, end, count = pos, pos + 1, 1
    if count > 0:
        yield start, end, count


def _best_repair(text: str, start: int, end: int) -> tuple[int, int, str, float] | None:
    """Try each transform on spans around the cluster; the best ``(s, e, new, gain)``."""
    best: tuple[int, int, str, float] | None = None
    for s in range(max(0, start - 3), start + 1):
        for e in range(end, min(len(text), end + 2) + 1):
            segment = text[s:e]
            before = _total(segment)
            for transform in TRANSFORMS:
                try:
                    candidate = transform(segment)
                except UnicodeError:
                    continue
                gain = _total(candidate) - before
                if best is None or gain > best[3]:
                    best = (s, e, candidate, gain)
    return best


#: The straight lines of a table drawn with box-drawing characters.
_RULES = frozenset("─━│┃═║")


def _drawn_table(run: str) -> bool:
    """A table drawn in box-drawing characters (``┌──┬──┐`` / ``│ 指标 │``): its rare
    characters are all box drawing, its straight lines among them. Mojibake mixes box
    drawing with other symbols and letters, and seldom repeats a rule."""
    rare = [ch for ch in run if not "\u4e00" <= ch <= "\u9fff" and plausibility.is_rare(ch)]
    return (
        bool(rare)
        and all("\u2500" <= ch <= "\u257f" for ch in rare)
        and any(ch in _RULES for ch in rare)
    )


def _looks_garbled(text: str, start: int, end: int) -> bool:
    """A rare cluster counts as garbled only with a sign beyond rarity.

    Real reports hold rare words (``披荆斩棘``); a lost byte (``?``) or a symbol that no
    Chinese sentence uses (box drawing, ``€``, bopomofo) is what mojibake leaves behind.
    """
    run = text[start:end]
    if plausibility.score(run) >= GARBLED_BELOW:
        return False
    if _drawn_table(run):
        return False
    marked = "?" in text[max(0, start - 3) : end] or REPLACEMENT in run
    return marked or any(not "\u4e00" <= ch <= "\u9fff" and plausibility.is_rare(ch) for ch in run)


def repair(text: str) -> Repair:
    """Repair mojibake runs in ``text``; count what could not be repaired."""
    # the probe's scan is the first part of the text's: a text is read once
    plain = text.isascii()  # a flag of the string: no scan
    probed = [] if plain else plausibility.rare_positions(text[:PROBE])
    fixed = whole_text(text, probed)
    if fixed is not None:
        lost = fixed.count(REPLACEMENT)
        return Repair(fixed, 1, len(text), int(lost > 0), lost)
    parts: list[str] = []
    last = 0
    repaired = repaired_chars = unrepaired = unrepaired_chars = 0
    rest = [] if plain or len(text) <= PROBE else plausibility.rare_positions(text, PROBE)
    for start, end, rare in _clusters(chain(probed, rest)):
        near_question = "?" in text[max(0, start - 3) : start]
        if (rare < MIN_RARE and not (near_question and rare >= 2)) or start < last:
            continue
        best = _best_repair(text, start, end)
        if (
            best is not None
            and best[3] >= MIN_GAIN_PER_CHAR * (best[1] - best[0])
            and plausibility.score(best[2]) > GARBLED_BELOW
        ):
            s, e, new, _ = best
            if s < last:
                continue
            parts += [text[last:s], new]
            last = e
            repaired += 1
            repaired_chars += e - s
            unrepaired_chars += new.count(REPLACEMENT)
        elif _looks_garbled(text, start, end):
            unrepaired += 1
            unrepaired_chars += end - start
    if not repaired:
        return Repair(text, runs_unrepaired=unrepaired, chars_unrepaired=unrepaired_chars)
    parts.append(text[last:])
    return Repair("".join(parts), repaired, repaired_chars, unrepaired, unrepaired_chars)
