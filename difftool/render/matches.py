"""Render match results: a rich table of candidates, and JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported when a terminal view is drawn, not for JSON or CSV
    from rich.console import Console, ConsoleOptions, RenderResult

from difftool.matching import MatchResult
from difftool.render import NARROW, indented, list_table, percent, printable, valid_text


def to_dict(result: MatchResult) -> dict[str, Any]:
    """``{"query", "candidates": [{"path", "similarity", "containment", "summary"}], "errors"}``."""
    return {
        "query": valid_text(result.query),
        "candidates": [
            {
                "path": valid_text(c.path),
                "similarity": round(c.similarity, 4),
                "jaccard": round(c.jaccard, 4),
                "containment": round(c.containment, 4),
                "excerpt": c.excerpt,
                "tie": result.tied(c),
                "summary": {k: c.summary[k] for k in ("change", "insert", "delete", "move")},
            }
            for c in result.candidates
        ],
        "errors": [{"path": valid_text(p), "error": valid_text(e)} for p, e in result.errors],
        # what was checked to be current: with --trust-cache, the folders and candidates
        "checked": "folders and candidates" if result.trusted else "every file",
    }


def render_json(result: MatchResult) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2)


class MatchView:
    """The ranked candidates, best first, with what differs from the filed copy."""

    def __init__(self, result: MatchResult) -> None:
        self.result = result

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        result = self.result
        yield Text(f"filed: {printable(result.query)}", style="bold")
        narrow = options.max_width < NARROW
        table = list_table(narrow)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column(
            "version" if narrow else "archived version", overflow="fold", ratio=1, min_width=4
        )
        headings = ("similar", "contains", "changed", "added", "removed", "moved")
        for name in ("sim", "in", "chg", "+", "-", "mv") if narrow else headings:
            table.add_column(name, justify="right", no_wrap=True)
        for n, c in enumerate(result.candidates, 1):
            s = c.summary
            label = Text(printable(c.path), style="bold" if n == 1 else "")
            if c.excerpt:
                label.append("  (filed copy is an excerpt)", style="yellow")
            if result.tied(c):
                label.append("  (tie)", style="yellow")
            table.add_row(
                str(n),
                label,
                percent(c.similarity, c.comparison.differs),
                f"{c.containment:.1%}",
                str(s["change"]),
                str(s["insert"]),
                str(s["delete"]),
                str(s["move"]),
            )
        yield table
        best = result.candidates[0]
        if not best.comparison.changes:
            yield Text(
                f"the filed copy is {printable(best.path)}, with no differences", style="green"
            )
        else:
            yield Text(
                f"closest: {printable(best.path)}; it differs (docdiff match --diff shows how)"
            )
        if result.trusted:
            yield Text(result.TRUSTED_NOTE, style="dim")
        if result.errors:
            yield indented(
                Text(f"{printable(path)}: {printable(error)}", style="red")
                for path, error in result.errors
            )
