"""Render near-duplicate groups: a rich table, JSON, CSV."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported when a terminal view is drawn, not for JSON or CSV
    from rich.console import Console, ConsoleOptions, RenderResult

    # and the family tree (the whole diff pipeline) only with --tree
    from difftool.family import Edge, Family

from difftool.index import DedupResult
from difftool.render import (
    NARROW,
    counted,
    indented,
    json_text,
    list_table,
    printable,
    valid_text,
)


def tree_dict(family: Family) -> dict[str, Any]:
    """A family tree as JSON: the root, and each edge with what that step changed."""
    return {
        "root": valid_text(family.root),
        "edges": [
            {
                "parent": valid_text(e.parent),
                "child": valid_text(e.child),
                "distance": e.distance,
                "summary": e.summary,
                "figures": [{"old": list(old), "new": list(new)} for old, new in e.figures],
                "headings": list(e.headings),
            }
            for e in family.edges
        ],
    }


def edge_label(edge: Edge) -> str:
    """``2 changed · 1 inserted · figures 4377 → 4378 · under (二)…``."""
    names = {"change": "changed", "insert": "inserted", "delete": "removed", "move": "moved"}
    parts = [
        f"{n} {names.get(k, k)}"
        for k, n in edge.summary.items()
        if k in names or k == "punctuation"
    ]
    if edge.figures:
        shown = "; ".join(
            f"{', '.join(o) or '–'} → {', '.join(n) or '–'}" for o, n in edge.figures[:3]
        )
        parts.append(f"figures {shown}")
    if edge.headings:
        parts.append(
            "under " + ", ".join(edge.headings[:2]) + (" …" if len(edge.headings) > 2 else "")
        )
    return " · ".join(parts) or "no sentence changed (layout only)"


def to_dict(
    result: DedupResult, trees: dict[int, Family] | None = None, *, list_all: bool = False
) -> dict[str, Any]:
    """``{"documents", "clusters": [{"id", "representative", "members": [...], "tree"}],
    "singletons", "errors"}`` (``tree`` with ``--tree``; ``singletons`` with
    ``--list-all``)."""
    trees = trees or {}
    out: dict[str, Any] = {
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
    for cluster, entry in zip(result.clusters, out["clusters"]):
        if cluster.id in trees:
            entry["tree"] = tree_dict(trees[cluster.id])
    if list_all:
        out["singletons"] = [valid_text(p) for p in result.singletons]
    return out


def render_json(
    result: DedupResult, trees: dict[int, Family] | None = None, *, list_all: bool = False
) -> str:
    return json_text(
        to_dict(result, trees, list_all=list_all), rows=("clusters", "errors", "singletons")
    )


def render_csv(result: DedupResult, *, list_all: bool = False) -> str:
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
    if list_all:
        for path in result.singletons:
            writer.writerow(["", "", valid_text(path), "", "", "", "", ""])
    for path, error in result.errors:
        writer.writerow(["", "", valid_text(path), "", "", "", "", valid_text(error)])
    return out.getvalue()


class TreesView:
    """Each group's family tree (rich Tree): the root, then each version under the one
    it was made from, labelled with what that step changed."""

    def __init__(self, result: DedupResult, trees: dict[int, Family]) -> None:
        self.result = result
        self.trees = trees

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text
        from rich.tree import Tree

        for cluster in self.result.clusters:
            family = self.trees.get(cluster.id)
            if family is None:
                yield Text(f"group {cluster.id}: too large for a family tree", style="dim")
                continue
            tree = Tree(Text(f"group {cluster.id}: {printable(family.root)}", style="bold"))
            stack = [(tree, family.root)]
            while stack:
                node, path = stack.pop()
                for edge in sorted(family.children_of(path), key=lambda e: e.child):
                    label = Text(printable(edge.child))
                    label.append(f"  {printable(edge_label(edge))}", style="dim")
                    stack.append((node.add(label), edge.child))
            yield tree


class GroupsView:
    """The terminal view: one table row per member, grouped, and a one-line total."""

    def __init__(self, result: DedupResult, *, list_all: bool = False) -> None:
        self.result = result
        self.list_all = list_all

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        result = self.result
        if result.clusters:
            # the figures stay whole on a narrow terminal, under short headings, and the
            # paths fold in the room that is left
            narrow = options.max_width < NARROW
            table = list_table(narrow)
            table.add_column("#" if narrow else "group", justify="right", no_wrap=True)
            table.add_column("document", overflow="fold", min_width=8)
            for wide, short in (("similarity", "sim"), ("contained", "in")):
                table.add_column(short if narrow else wide, justify="right", no_wrap=True)
            table.add_column("size", justify="right", no_wrap=True)
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
            f"{counted(result.documents, 'document')}: "
            f"{counted(n, 'group')} of near-duplicates "
            f"({counted(grouped, 'document')}), {len(result.errors)} unreadable"
        )
        if result.cached:
            total.append(f", {result.cached} from the cache", style="dim")
        yield total
        if self.list_all and result.singletons:
            yield Text(f"in no group ({len(result.singletons)}):", style="bold")
            yield indented(Text(printable(path)) for path in result.singletons)
        if result.errors:
            yield indented(
                Text(f"{printable(path)}: {printable(error)}", style="red")
                for path, error in result.errors
            )
