"""Render near-duplicate groups: a rich table, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported when a terminal view is drawn, not for JSON or CSV
    from rich.console import Console, ConsoleOptions, RenderResult

from difftool.index import DedupResult
from difftool.render import printable, valid_text


def to_dict(result: DedupResult) -> dict[str, Any]:
    """``{"documents", "clusters": [{"id", "representative", "members": [...]}], "errors"}``."""
    return {
        "documents": result.documents,
        "clusters": [
            {
                "id": cluster.id,
                "representative": valid_text(cluster.representative),
                "members": [
                    {
                        "path": valid_text(m.path),
                        "similarity": round(m.similarity, 4),
                        "containment": round(m.containment, 4),
                        "partial": m.partial,
                        "size": m.size,
                    }
                    for m in cluster.members
                ],
            }
            for cluster in result.clusters
        ],
        "errors": [
            {"path": valid_text(path), "error": valid_text(error)} for path, error in result.errors
        ],
    }


def render_json(result: DedupResult) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2)


def render_csv(result: DedupResult) -> str:
    """One row per member: cluster, representative, path, similarity, containment, partial,
    size; then one row per unreadable file, with its error and no cluster."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "cluster",
            "representative",
            "path",
            "similarity",
            "containment",
            "partial",
            "size",
            "error",
        ]
    )
    for cluster in result.clusters:
        for m in cluster.members:
            writer.writerow(
                [
                    cluster.id,
                    valid_text(cluster.representative),
                    valid_text(m.path),
                    f"{m.similarity:.4f}",
                    f"{m.containment:.4f}",
                    m.partial,
                    m.size,
                    "",
                ]
            )
    for path, error in result.errors:
        writer.writerow(["", "", valid_text(path), "", "", "", "", valid_text(error)])
    return out.getvalue()


class GroupsView:
    """The terminal view: one table row per member, grouped, and a one-line total."""

    def __init__(self, result: DedupResult) -> None:
        self.result = result

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table
        from rich.text import Text

        result = self.result
        if result.clusters:
            table = Table(show_lines=False, expand=False)
            table.add_column("group", justify="right")
            table.add_column("document", overflow="fold")
            table.add_column("similarity", justify="right")
            table.add_column("contained", justify="right")
            table.add_column("size", justify="right")
            for cluster in result.clusters:
                for n, m in enumerate(cluster.members):
                    label = Text(printable(m.path), style="bold" if n == 0 else "")
                    if n == 0:
                        label.append("  representative", style="dim")
                    elif m.partial:
                        label.append("  partial", style="yellow")
                    table.add_row(
                        str(cluster.id) if n == 0 else "",
                        label,
                        "" if n == 0 else f"{m.similarity:.1%}",
                        "" if n == 0 else f"{m.containment:.1%}",
                        f"{m.size / 1024:.1f} KB",
                        end_section=n == len(cluster.members) - 1,
                    )
            yield table
        grouped = sum(len(c.members) for c in result.clusters)
        n = len(result.clusters)
        total = Text(
            f"{result.documents} document{'' if result.documents == 1 else 's'}: "
            f"{n} group{'' if n == 1 else 's'} of near-duplicates "
            f"({grouped} documents), {len(result.errors)} unreadable"
        )
        if result.cached:
            total.append(f", {result.cached} from the cache", style="dim")
        yield total
        for path, error in result.errors:
            yield Text(f"  {printable(path)}: {printable(error)}", style="red")
