"""Which archived version was filed, and how it differs.

1. The archive's fingerprints come from the same index and cache as ``dedup``; every
   file is checked to be current (a ``stat``), none is read unless it changed.
2. The cache's band index names the versions whose whole or half signatures share an
   LSH band with the filed copy's (nearly every version at Jaccard 0.5 and above), and
   only their signatures are read. When none of them is similar at all, or there is no
   cache, or the filed copy is short, every archived signature is compared instead
   (vectorised): whole against whole, and the filed copy against each half of a version
   (an excerpt). Either way the best :data:`SHORTLIST` by signature agreement go on.
3. Exact Jaccard and containment on the shingle sets for the shortlist.
4. The best few are ranked by a sentence-level comparison of each with the filed copy,
   not by the estimate: two versions of a law that differ in a few articles can be
   closer to each other than MinHash's estimation error (about ±0.035 at 128 bins).

A letterhead, stamp or footer that only the filed copy has lowers every candidate's
similarity alike, so it does not change the ranking.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from difftool.comparison import Comparison, compare
from difftool.errors import DocdiffError
from difftool.fingerprint import (
    SHORT_TOKENS,
    Fingerprint,
    common,
    fingerprint,
    jaccard_containment,
)
from difftool.index import Index, walk_spec
from difftool.limits import DEFAULT_MAX_SIZE
from difftool.pipeline import Prepared, prepare

#: Candidates checked exactly on their shingle sets.
SHORTLIST = 30
#: The most versions checked on their shingle sets when many are as close as the best.
MAX_SHORTLIST = 2_000
#: Below both of these the archive holds nothing like the filed copy.
MIN_JACCARD = 0.1
MIN_CONTAINMENT = 0.3
#: The filed copy is an excerpt when this share of it lies inside a larger version.
EXCERPT = 0.8


class NothingSimilar(DocdiffError):
    """No archived document resembles the filed one."""


@dataclass(frozen=True)
class Candidate:
    """An archived version compared with the filed copy.

    Attributes:
        path: the archived file.
        similarity: sentence-level similarity with the filed copy (0..1).
        jaccard: Jaccard similarity of the shingle sets.
        containment: share of the filed copy's shingles found in this version.
        excerpt: the filed copy is mostly contained in this (larger) version.
        comparison: the sentence-level comparison (this version as a, filed as b).
    """

    path: str
    similarity: float
    jaccard: float
    containment: float
    excerpt: bool
    comparison: Comparison

    @property
    def summary(self) -> dict[str, int]:
        return self.comparison.summary


@dataclass(frozen=True)
class MatchResult:
    """The ranked candidates, best first, and what could not be read."""

    query: str
    candidates: tuple[Candidate, ...]
    documents: int
    errors: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    #: Answered from a recorded walk (``trust=True``): the folders and the candidates
    #: were checked, not every file.
    trusted: bool = False

    #: What an answer from a recorded walk says of itself, in every view.
    TRUSTED_NOTE = (
        "--trust-cache: folders and candidates checked, not every file "
        "(a file rewritten in place is seen only as a candidate)"
    )

    def tied(self, candidate: Candidate) -> bool:
        """Whether a candidate ranks equal with another one (shown to within 0.1%)."""
        mine = round(candidate.similarity, 3)
        return sum(1 for c in self.candidates if round(c.similarity, 3) == mine) > 1


def _by_containment(
    index: Index, paths: list[str], query: Fingerprint, shortlist: list[str]
) -> list[str]:
    """The shortlist, plus the documents that hold most of a short query's shingles."""
    scored = []
    for path, fp in index.with_shingles(paths):
        shared = common(query.shingles, fp.shingles)
        if shared:
            scored.append((-shared, path))
    extra = [path for _, path in sorted(scored)[:SHORTLIST]]
    return list(dict.fromkeys([*extra, *shortlist]))


def _similar(item: tuple[str, float, float]) -> bool:
    return item[1] >= MIN_JACCARD or item[2] >= MIN_CONTAINMENT


def _scored(
    index: Index, query: Fingerprint, paths: list[str], *, ranked: bool = False
) -> list[tuple[str, float, float]]:
    """``(path, Jaccard, containment of the query)`` of each path (the best
    :data:`SHORTLIST` by signature first, unless ``ranked`` says they are), best first."""
    if not ranked:
        paths = _shortlist(index, paths, query.signature, query.halves)
    index.load_shingles(paths)
    scored = []
    for path in paths:
        fp = index.fingerprints[path]
        scored.append((path, *jaccard_containment(query.shingles, fp.shingles)))
    scored.sort(key=lambda item: (-max(item[1], item[2] * 0.99), item[0]))
    return scored


def _shortlist(
    index: Index, paths: list[str], query_sig: np.ndarray, query_halves: tuple[np.ndarray, ...]
) -> list[str]:
    """The paths whose signatures agree most with the filed copy's."""
    if not paths:
        return []
    fps = [index.fingerprints[p] for p in paths]
    whole = np.stack([fp.signature for fp in fps])
    first = np.stack([fp.halves[0] for fp in fps])
    second = np.stack([fp.halves[1] for fp in fps])
    scores = np.maximum.reduce(
        [
            (whole == query_sig).mean(axis=1),
            (first == query_sig).mean(axis=1),  # the filed copy is one half of a version
            (second == query_sig).mean(axis=1),
            (whole == query_halves[0]).mean(axis=1),  # a version is one half of the filed copy
            (whole == query_halves[1]).mean(axis=1),
        ]
    )
    order = np.argsort(-scores, kind="stable")
    # and every version as close as the best within the signatures' noise (three
    # standard errors of a share of agreeing bins): among hundreds of drafts alike the
    # one filed is told apart by its exact shingle sets, not by 128 bins (the first 30
    # by signature left it out)
    top = float(scores[order[0]])
    bins = query_sig.size
    margin = 3 * (top * (1 - top) / bins) ** 0.5 + 1 / bins
    close = int(np.count_nonzero(scores >= top - margin))
    return [paths[i] for i in order[: min(max(SHORTLIST, close), MAX_SHORTLIST)]]


def match(
    filed: str | os.PathLike[str],
    paths: Iterable[str | os.PathLike[str]],
    *,
    top: int = 5,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    hidden: bool = False,
    threshold: float | None = None,
    trust: bool = False,
    **options: object,
) -> MatchResult:
    """Rank the documents under ``paths`` by how closely each matches ``filed``.

    Args:
        filed: the document that was filed.
        paths: files and folders of archived versions.
        top: how many candidates to compare sentence by sentence and return.
        threshold: the diff's change threshold (see :func:`difftool.comparison.compare`).
        trust: take the archive's files from the cache while its folders are unchanged
            since the last such run (see :meth:`~difftool.index.Index.trust`): the
            folders and the candidates are checked, not every file. The first run, and
            any after a folder changed, walks and checks everything and records it.
        options: passed to :class:`~difftool.index.Index` (``cache``, ``jobs``, ``k``...).

    Raises:
        NothingSimilar: no archived document resembles the filed one.
    """
    from difftool.align import DEFAULT_THRESHOLD
    from difftool.load.walk import walk

    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    from difftool.normalise import TOKEN_STEPS, normalise

    max_size = int(options.get("max_size", DEFAULT_MAX_SIZE))  # type: ignore[call-overload]
    query: Prepared = prepare(filed, max_size=max_size)
    # fingerprinted like the archive (the token profile), so that both sides agree exactly
    query_fp = fingerprint(normalise(query.document.text, steps=TOKEN_STEPS, mapped=False).text)
    if query_fp.shingles.size == 0:
        raise NothingSimilar(f"{os.fspath(filed)}: the filed document has no text to match")
    # FILED itself is left out however PATH reaches it (a link to its folder included):
    # the walk skips its device and inode as it skips a file it has already listed
    skip = []
    filed_stat = None
    if os.fspath(filed) != "-":
        filed_stat = os.stat(filed)
        skip.append((filed_stat.st_dev, filed_stat.st_ino))
    roots = [os.fspath(p) for p in paths]
    include, exclude = tuple(include), tuple(exclude)
    index = Index(**options)  # type: ignore[arg-type]
    short = query_fp.tokens < SHORT_TOKENS
    spec = None
    if trust and not short:  # a short copy is looked up in every document anyway
        spec = walk_spec(roots, include, exclude, hidden, max_size, index.settings)
    trusted = spec is not None and index.trust(spec, filed_stat)

    def walked(index: Index) -> Index:
        found = walk(roots, include=include, exclude=exclude, hidden=hidden, skip=skip)
        index.errors.extend(found.errors)
        index.add(found.files, shingles=False, lazy=not short)
        if spec is not None:
            index.record(spec, found)
        return index

    if not trusted:
        walked(index)
    # the cache's band index names the versions that share a band with the filed copy
    # (any at Jaccard 0.5 or more, nearly always); only when none of them is similar at
    # all is every archived signature compared, to name the closest
    near = None if short else index.near(query_fp)
    scored = _scored(index, query_fp, near) if near is not None else []
    if trusted and not any(_similar(item) for item in scored):
        # every file is wanted after all: walked and checked as without trust
        trusted, index = False, walked(Index(**options))  # type: ignore[arg-type]
        near = index.near(query_fp)
        scored = _scored(index, query_fp, near) if near is not None else []
    if not any(_similar(item) for item in scored):
        index.load_cached()
        shortlist = _shortlist(index, index.readable, query_fp.signature, query_fp.halves)
        if short:
            # a short filed copy (an excerpt) says little through its signature: look its
            # shingles up in every archived document instead
            shortlist = _by_containment(index, index.readable, query_fp, shortlist)
        scored = _scored(index, query_fp, shortlist, ranked=True)
    readable = index.readable
    if not scored or (scored[0][1] < MIN_JACCARD and scored[0][2] < MIN_CONTAINMENT):
        closest = scored[0] if scored and (scored[0][1] > 0 or scored[0][2] > 0) else None
        best = f" (closest: {closest[0]}, Jaccard {closest[1]:.2f})" if closest else ""
        if not readable and not index.errors:
            raise NothingSimilar(f"{os.fspath(filed)}: FILED was the only candidate under PATH")
        raise NothingSimilar(f"{os.fspath(filed)}: no archived document is similar{best}")
    candidates = []
    similar = [item for item in scored if _similar(item)]
    # candidates tied with the last one shown are shown too: a cut-off never hides a tie
    cut = top
    while cut < len(similar) and similar[cut][1:] == similar[top - 1][1:]:
        cut += 1
    for path, j, c in similar[:cut]:
        try:
            archived = prepare(path, max_size=max_size)
        except DocdiffError as exc:  # changed or gone since it was fingerprinted
            index.errors.append((path, str(exc).removeprefix(f"{path}: ")))
            continue
        comparison = compare(
            archived, query, threshold=DEFAULT_THRESHOLD if threshold is None else threshold
        )
        excerpt = c >= EXCERPT and j < 0.7 and index.fingerprints[path].tokens > query_fp.tokens
        candidates.append(Candidate(path, comparison.similarity, j, c, excerpt, comparison))
    candidates.sort(key=lambda cand: (-cand.similarity, -cand.jaccard, cand.path))
    return MatchResult(
        query=os.fspath(filed),
        candidates=tuple(candidates),
        documents=index.listed if trusted else len(readable) + len(index.errors),
        errors=tuple(sorted(index.errors)),
        warnings=tuple(index.warnings),
        trusted=trusted,
    )
