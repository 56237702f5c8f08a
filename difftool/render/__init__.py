"""Render a comparison: terminal (rich), JSON, Markdown, unified diff, HTML.

Helpers shared by the renderers live here: what a similarity is shown as, the hunks
that group nearby changes, and the sanitising of document text before it is printed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from difftool.align import Op
    from difftool.comparison import Comparison


def batches(
    renderable: RenderableType, console: Console, rows: int = 200
) -> Iterator[RenderableType]:
    """``renderable`` as a sequence of smaller ones that print the same: a group's
    parts, and the rows of a part that makes them one by one (``streamed_rows``), ``rows``
    at a time. Printed one by one, memory holds one batch's segments, not the whole
    report's (a file-sized inserted sentence is tens of thousands of rows)."""
    from rich.console import Group

    parts = renderable.renderables if isinstance(renderable, Group) else [renderable]
    for part in parts:
        if isinstance(part, Group):
            yield from batches(part, console, rows)
        elif hasattr(part, "streamed_rows"):
            lines = part.streamed_rows(console, console.options.max_width)
            while batch := list(islice(lines, rows)):
                yield Group(*batch)
        else:
            yield part


#: C0 and C1 controls (ESC, CSI, OSC openers, BEL...) but tab and line feed; bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Document text or a file name made safe for a terminal or a Markdown file: control
    and escape characters are shown as ``\\xNN`` instead of being obeyed, and the bytes
    of a file name that is not UTF-8 (GBK names from a Windows zip) as ``\\xNN`` too."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", valid_text(text))


def valid_text(text: str) -> str:
    """Text that encodes as UTF-8: surrogate escapes (undecodable bytes of a file name)
    become ``\\xNN``; JSON and HTML outputs stay valid UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape" if _escapes_only(text) else "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def _escapes_only(text: str) -> bool:
    return all(not "\ud800" <= ch <= "\udfff" or "\udc80" <= ch <= "\udcff" for ch in text)


def json_text(data: dict[str, Any], *, rows: Collection[str] = ()) -> str:
    """``data`` as JSON indented by two spaces, except that each item of the lists named
    in ``rows`` takes one line: an archive's thousands of groups stay one line each,
    easy to grep, and are written by the json module's C encoder (its indenting encoder
    is pure Python, and took most of a warm dedup's output time)."""
    # imported here, and under another name: the terminal diff never needs it, and
    # `json` in this package is the module difftool.render.json
    import json as _json

    dump = partial(_json.dumps, ensure_ascii=False)
    lines = ["{"]
    for n, (key, value) in enumerate(data.items()):
        comma = "," if n < len(data) - 1 else ""
        if key in rows and isinstance(value, list) and value:
            lines.append(f"  {dump(key)}: [")
            last = len(value) - 1
            lines.extend(
                f"    {dump(item)}{',' if i < last else ''}" for i, item in enumerate(value)
            )
            lines.append(f"  ]{comma}")
        else:
            body = dump(value, indent=2).replace("\n", "\n  ")
            lines.append(f"  {dump(key)}: {body}{comma}")
    lines.append("}")
    return "\n".join(lines)


#: Below this many cells a table's headings are short ("sim", "in") and its figures
#: keep their width, the paths folding in the room left.
NARROW = 80


def indented(lines: Iterable[Text]) -> RenderableType:
    """Lines indented by two cells, a line too long for the terminal folding under its
    own start rather than at the left margin."""
    from rich.console import Group
    from rich.padding import Padding

    return Group(*(Padding(line, (0, 0, 0, 2), expand=False) for line in lines))


def list_table(narrow: bool) -> Table:
    """The table dedup and match list their files in: on a narrow terminal without
    column rules, so that the paths keep most of the width."""
    from rich import box
    from rich.table import Table

    if narrow:
        return Table(box=box.SIMPLE_HEAD, padding=(0, 0), show_edge=False, expand=False)
    return Table(show_lines=False, expand=False)


def counted(n: int, noun: str) -> str:
    """``1 group``, ``2 groups``: English nouns that take an ``s``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def percent(similarity: float, differs: bool) -> str:
    """A similarity as a percentage that never rounds a difference away (no 100.0% for
    texts that differ, no 0.0% for texts that share something)."""
    shown = f"{similarity:.1%}"
    if differs and shown == "100.0%":
        return "99.9%"
    if similarity > 0 and shown == "0.0%":
        return "0.1%"
    return shown


LABELS = {
    "change": "changed",
    "insert": "inserted",
    "delete": "removed",
    "move": "moved",
    "punctuation": "punctuation",
}


def summary_counts(comparison: Comparison) -> str:
    """``3 changed · 0 inserted · 9 removed · 0 moved · 84 unchanged`` (punctuation and
    edited moves said when there are any)."""
    s = comparison.summary
    moved = f"{s['move']} moved"
    if s.get("move_edited"):
        moved += " (edited)" if s["move_edited"] == s["move"] else f" ({s['move_edited']} edited)"
    parts = [f"{s['change']} changed", f"{s['insert']} inserted", f"{s['delete']} removed", moved]
    if s.get("punctuation"):
        parts.append(f"{s['punctuation']} punctuation")
    parts.append(f"{s['equal']} unchanged")
    return " · ".join(parts)


class Hunk(NamedTuple):
    """Changes close enough to share their context, with the equal ops between them.

    Attributes:
        ops: from the first change to the last, equal ops between included.
        before: the equal op just before the first change, if any (context source).
        after: the equal op just after the last change, if any.
    """

    ops: tuple[Op, ...]
    before: Op | None
    after: Op | None

    @property
    def changes(self) -> tuple[Op, ...]:
        return tuple(op for op in self.ops if op.op != "equal")


def hunks(ops: Sequence[Op], context: int) -> list[Hunk]:
    """Group changes whose context would touch or overlap into one hunk, as ``diff -u``
    does: two changes with at most ``2 * context`` equal sentences between them share one."""
    out: list[Hunk] = []
    current: list[Op] = []
    gap: list[Op] = []
    before: Op | None = None
    for op in ops:
        if op.op != "equal":
            if current and _width(gap) <= 2 * context:
                current.extend(gap)
            elif current:
                out.append(Hunk(tuple(current), before, gap[0] if gap else None))
                before, current = gap[-1] if gap else None, []
            elif gap:
                before = gap[-1]
            current.append(op)
            gap = []
        else:
            gap.append(op)
    if current:
        out.append(Hunk(tuple(current), before, gap[0] if gap else None))
    return out


def _width(ops: Sequence[Op]) -> int:
    return sum(op.b_range[1] - op.b_range[0] for op in ops)
