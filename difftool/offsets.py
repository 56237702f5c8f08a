"""Offset maps: where each character of a rewritten text came from in the original.

Normalisation deletes and replaces text in many small steps. Instead of an array with
one entry per character, an :class:`OffsetMap` keeps breakpoints: from ``new[i]`` on,
positions advance one for one with ``old[i]`` until the next breakpoint. A text with
a thousand edits has about a thousand breakpoints, whatever its length.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import NamedTuple

Edit = tuple[int, int, str]
"""Replace ``text[start:end]`` with the string; an empty string deletes."""


class OffsetMap(NamedTuple):
    """A piecewise-linear map from positions in a rewritten text to the text it came from."""

    new: tuple[int, ...] = (0,)
    old: tuple[int, ...] = (0,)

    def __call__(self, pos: int) -> int:
        """The position in the older text of the character at ``pos``."""
        i = bisect_right(self.new, pos) - 1
        return self.old[i] + (pos - self.new[i])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span; the end maps through its last character."""
        if end <= start:
            at = self(start)
            return at, at
        return self(start), self(end - 1) + 1

    def then(self, later: OffsetMap) -> OffsetMap:
        """Compose: ``later`` maps a newer text to this map's text; the result maps it to ours."""
        if len(later.new) == 1 and later.old[0] == 0:
            return self
        if len(self.new) == 1 and self.old[0] == 0:
            return later
        new: list[int] = []
        old: list[int] = []
        bounds = [*later.new[1:], None]
        for p, m, nxt in zip(later.new, later.old, bounds):
            _append(new, old, p, self(m))
            hi = None if nxt is None else m + (nxt - p)
            j = bisect_right(self.new, m)
            while j < len(self.new) and (hi is None or self.new[j] < hi):
                _append(new, old, p + (self.new[j] - m), self.old[j])
                j += 1
        return OffsetMap(tuple(new), tuple(old))


def _append(new: list[int], old: list[int], n: int, o: int) -> None:
    if new and new[-1] == n:
        old[-1] = o
        return
    if new and o - old[-1] == n - new[-1]:
        return  # the new point lies on the previous piece's line
    new.append(n)
    old.append(o)


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, OffsetMap]:
    """Apply sorted, non-overlapping edits; return the new text and its map to ``text``."""
    parts: list[str] = []
    new: list[int] = [0]
    old: list[int] = [0]
    last = 0
    out = 0
    for start, end, repl in edits:
        parts.append(text[last:start])
        out += start - last
        if repl:
            # a replacement starts a piece unless it lies on the current one
            if out - new[-1] != start - old[-1]:
                new.append(out)
                old.append(start)
            parts.append(repl)
            if len(repl) > end - start > 0:  # "ﬁ" -> "fi": the extra ones map to its last
                for k in range(end - start, len(repl)):
                    new.append(out + k)
                    old.append(end - 1)
            out += len(repl)
        if new[-1] == out:
            old[-1] = end
        elif out - new[-1] != end - old[-1]:
            new.append(out)
            old.append(end)
        last = end
    parts.append(text[last:])
    return "".join(parts), OffsetMap(tuple(new), tuple(old))


def edited(text: str, edits: Iterable[Edit]) -> str:
    """:func:`apply_edits` without the map: the new text only (a fingerprint or a
    printed key needs no way back to the original)."""
    parts: list[str] = []
    last = 0
    for start, end, repl in edits:
        parts.append(text[last:start])
        parts.append(repl)
        last = end
    parts.append(text[last:])
    return "".join(parts)
