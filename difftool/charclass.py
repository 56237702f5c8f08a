"""Classes of thousands of characters, compiled only once they pay for it.

Two classes are that large: the characters OpenCC's ``t2s`` changes (3,500, the mark
of Traditional text) and the characters the frequency table knows (3,400; mojibake is
made of the others). Compiling such a class takes 2.5 to 3 ms, most of what a
``docdiff A B`` of two reports spends on it; a compiled class then scans text at C
speed. Looking characters up in a set one by one costs nothing to set up and about
0.1 µs a character. A :class:`CharClass` does the latter until it has looked through
:data:`BUDGET` characters in the process, and then compiles once: a diff of two short
reports never compiles, a long text or an archive of reports compiles at once or
after a few.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Characters a class looks through one by one before it is compiled: about what the
#: compilation costs.
BUDGET = 20_000


class CharClass:
    """Characters in ``members()`` or, with ``outside=True``, characters outside it,
    outside ASCII and not whitespace (as ``[^\\x00-\\x7f\\s…]``). ``pattern()`` is the
    same class compiled; both are called when first needed."""

    def __init__(
        self,
        members: Callable[[], frozenset[str]],
        pattern: Callable[[], re.Pattern[str]],
        *,
        outside: bool = False,
    ) -> None:
        self._members = members
        self._pattern = pattern
        self._outside = outside
        self._compiled: re.Pattern[str] | None = None
        self._looked = 0

    def past_budget(self, size: int) -> bool:
        """Whether a text of ``size`` characters is to be scanned compiled: true once
        the class has looked through :data:`BUDGET` characters, this one counted. A
        caller may then fold the class into a pattern of its own, compiled once."""
        if self._compiled is None and self._looked <= BUDGET:
            self._looked += size
        return self._looked > BUDGET

    def _use_pattern(self, size: int) -> re.Pattern[str] | None:
        if self._compiled is None:
            if not self.past_budget(size):
                return None
            self._compiled = self._pattern()
        return self._compiled

    def __contains__(self, ch: str) -> bool:
        if self._outside:
            return ch > "\x7f" and ch not in self._members() and not ch.isspace()
        return ch in self._members()

    def positions(self, text: str, start: int = 0) -> list[int]:
        """Where ``text`` holds a character of the class, from ``start`` on."""
        pattern = self._use_pattern(len(text) - start)
        if pattern is not None:
            return [m.start() for m in pattern.finditer(text, start)]
        members = self._members()
        if self._outside:  # __contains__'s test, written out: a method call a character
            return [
                i
                for i, ch in enumerate(text[start:], start)
                if ch > "\x7f" and ch not in members and not ch.isspace()
            ]
        return [i for i, ch in enumerate(text[start:], start) if ch in members]

    def found_in(self, text: str) -> bool:
        """Whether ``text`` holds a character of the class."""
        if self._outside:
            return bool(self.positions(text))
        pattern = self._use_pattern(len(text))
        if pattern is not None:
            return pattern.search(text) is not None
        return not self._members().isdisjoint(text)  # the set walks the text in C
