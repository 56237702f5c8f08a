"""Version family trees: inside a group, which version was made from which.

The versions of one document form a tree: a draft, the copies edited from it, the
copies edited from those. Each pair's distance is the number of sentences that differ
(the sentence-level diff of :mod:`difftool.comparison`, layout ignored); the tree is the
minimum-cost arborescence over those distances (Chu-Liu/Edmonds, from networkx), so each
version hangs from the version it is closest to. Distances say which versions are
neighbours, not which came first: the direction comes from the dates the documents
carry (the latest ``2023年12月4日`` or ``2023-12-04`` in the text), and the root is the
earliest version; where the dates do not tell, the medoid (the version closest to all
the others, as an original sits among the copies made from it), then the group's
representative, then the files' modification times.

What it cannot know: a version made from a copy that is not in the archive hangs from
its closest surviving relative; two versions made independently from one lost draft
look like parent and child.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from difftool.comparison import Comparison, compare
from difftool.pipeline import Prepared

#: Groups larger than this get no tree (the pairwise diffs grow with the square).
MAX_MEMBERS = 60
_CN_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b")


@dataclass(frozen=True)
class Edge:
    """One step of the tree: ``child`` was made from ``parent``.

    Attributes:
        parent, child: the two versions' paths.
        distance: sentences that differ between them.
        summary: sentence counts by kind of change, from parent to child.
        figures: changed figures, ``(old, new)`` per change that has them.
        headings: the headings under which the changes lie, in order, once each.
    """

    parent: str
    child: str
    distance: int
    summary: dict[str, int]
    figures: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    """The derivation tree of one group."""

    root: str
    edges: tuple[Edge, ...] = field(default_factory=tuple)

    def parent_of(self, path: str) -> str | None:
        return next((e.parent for e in self.edges if e.child == path), None)

    def children_of(self, path: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == path]


def document_date(prepared: Prepared) -> tuple[int, int, int] | None:
    """The latest date written in a document (a report's date of issue), if any."""
    text = prepared.document.text
    found = [
        (int(y), int(m), int(d))
        for pattern in (_CN_DATE, _ISO_DATE)
        for y, m, d in pattern.findall(text)
        if 1 <= int(m) <= 12 and 1 <= int(d) <= 31
    ]
    return max(found) if found else None


def distance(comparison: Comparison) -> int:
    """Sentences that differ: every change, insertion, removal and move counts."""
    s = comparison.summary
    return s["change"] + s["insert"] + s["delete"] + s["move"] + s["punctuation"]


def _order(
    paths: Sequence[str],
    docs: dict[str, Prepared],
    representative: str,
    dist: dict[tuple[str, str], int],
) -> dict[str, float]:
    """A rank for each version, earliest first: its date; among versions the dates do
    not tell apart, the medoid (the version closest to all the others: an original sits
    among the copies made from it), then the representative, then the file's mtime."""

    def when(path: str) -> tuple[int, tuple[int, int, int]]:
        date = document_date(docs[path])
        return (0 if date else 1, date or (0, 0, 0))

    def mtime(path: str) -> float:
        try:
            return os.stat(path).st_mtime
        except OSError:
            return 0.0

    total = {p: sum(dist[(p, q)] for q in paths if q != p) for p in paths}
    ranked = sorted(paths, key=lambda p: (*when(p), total[p], p != representative, mtime(p), p))
    return {p: float(k) for k, p in enumerate(ranked)}


def family_tree(
    paths: Sequence[str], representative: str, docs: dict[str, Prepared] | None = None
) -> Family | None:
    """The derivation tree of a group's versions (None for groups over MAX_MEMBERS).

    Args:
        paths: the members of the group.
        representative: the group's representative (a candidate root).
        docs: the prepared documents, when the caller has them; others are read.
    """
    import networkx as nx  # only the tree needs it

    from difftool.pipeline import prepare

    if len(paths) > MAX_MEMBERS:
        return None
    docs = dict(docs or {})
    for path in paths:
        if path not in docs:
            docs[path] = prepare(path)
    if len(paths) == 1:
        return Family(paths[0])
    dist: dict[tuple[str, str], int] = {}
    for i, a in enumerate(paths):
        for b in paths[i + 1 :]:
            dist[(a, b)] = dist[(b, a)] = distance(compare(docs[a], docs[b]))
    rank = _order(paths, docs, representative, dist)
    graph = nx.DiGraph()
    big = 10.0 * (max(dist.values()) + 1) * len(paths)
    for path in paths:
        # one virtual root: the earliest version is the cheapest real root
        graph.add_edge("\0root", path, weight=big + rank[path])
        for other in paths:
            if other != path:
                # a step back in time costs a little: it breaks ties of distance
                later = rank[path] > rank[other]
                graph.add_edge(other, path, weight=dist[(other, path)] + (0.0 if later else 0.5))
    tree = nx.minimum_spanning_arborescence(graph, attr="weight")
    root = next(v for _, v in tree.out_edges("\0root"))
    edges = [
        _edge(docs, parent, child, dist[(parent, child)])
        for parent, child in sorted(tree.edges())
        if parent != "\0root"
    ]
    return Family(root, tuple(sorted(edges, key=lambda e: (e.parent, e.child))))


def _edge(docs: dict[str, Prepared], parent: str, child: str, steps: int) -> Edge:
    comparison = compare(docs[parent], docs[child])
    figures = tuple(
        (op.numbers_a, op.numbers_b) for op in comparison.changes if op.numbers_a or op.numbers_b
    )
    from difftool.normalise import normalise

    headings: list[str] = []
    seen: set[str] = set()
    for op in comparison.changes:
        heading = comparison.heading_before(op)
        key = normalise(heading).text if heading else ""
        if heading and key not in seen:  # one heading once, whichever file's form it has
            seen.add(key)
            headings.append(heading)
    summary = {k: v for k, v in comparison.summary.items() if k != "equal" and v}
    return Edge(parent, child, steps, summary, figures, tuple(headings))


__all__ = ["Edge", "Family", "document_date", "family_tree"]
