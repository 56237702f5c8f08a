"""Near-duplicate groups: exact pass, MinHash LSH, exact verification, union-find.

1. Fingerprints (:mod:`difftool.fingerprint`) come from the cache when the file is
   unchanged, else are computed in ``jobs`` processes (load, normalise, fingerprint).
2. Exact pass: documents with the same normalised key are one group; only one of them
   goes on to the LSH.
3. LSH over each document's whole and half signatures, with bands and rows chosen for
   recall (:func:`lsh_params`), banded in NumPy (:func:`bucket_pairs`).
4. Every candidate pair is verified on the exact shingle sets: Jaccard at least
   ``threshold``, or the smaller document contained in the larger at least
   ``containment`` (an excerpt, a copy cut short, a copy with garbled pages), which
   joins it as ``partial``. Verified pairs are joined by union-find.

It never modifies, moves or deletes a scanned file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from difftool._lazy import lazy_module
from difftool.cache import SignatureCache, Stat, default_path, identity, lookup_sorted, stat
from difftool.errors import DocdiffError
from difftool.fingerprint import (
    SHORT_TOKENS,
    Fingerprint,
    Row,
    band_keys,
    common,
    fingerprint,
    fingerprint_row,
    found_in,
    from_row,
    no_shingles,
    overlap,
)
from difftool.fingerprint import unpack_shingles as unpack
from difftool.limits import DEFAULT_MAX_SIZE

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from difftool.cache import BandIndex
    from difftool.load.walk import Found
else:
    np = lazy_module("numpy")  # a warm dedup never makes an array: see difftool._lazy

#: Normaliser and fingerprint version: part of the cache key, so a change invalidates.
FINGERPRINT_VERSION = 10  # 3: one shingle size for all documents; 4: key hash from the shingles; 5: pinyin cut by a line break; 6: spaced-out lines closed up; 7: running headers only once a page; 8: and a whole number of pages apart; 9: page marks, wraps before Latin words, numbered English paragraphs; 10: running headers at most a page of characters apart, a '##' line
DEFAULT_THRESHOLD = 0.7
DEFAULT_CONTAINMENT = 0.8
#: Cache rows written at a time while fingerprinting goes on.
WRITE_BATCH = 500
#: How long ago a folder must have changed for a recorded walk to vouch for it: two
#: seconds, the coarsest file-time step in use (FAT).
RACY_NS = 2_000_000_000
#: Bumped when grouping finds otherwise for the same fingerprints, so that an answer an
#: older grouping stored in the cache is not taken.
GROUPING_VERSION = 1
#: The smallest document (in shingles) that can join a group by containment alone.
MIN_CONTAINED = 30


@dataclass(frozen=True)
class Member:
    """One document of a group, compared with the group's representative."""

    path: str
    similarity: float
    containment: float
    partial: bool
    tokens: int
    size: int


@dataclass(frozen=True)
class Cluster:
    """A group of versions of one document; ``members[0]`` is the representative."""

    id: int
    members: tuple[Member, ...]

    @property
    def representative(self) -> str:
        return self.members[0].path


@dataclass(frozen=True)
class DedupResult:
    """Groups of near-duplicates, and the files that could not be read."""

    documents: int
    clusters: tuple[Cluster, ...]
    errors: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    cached: int = 0
    candidates: int = 0
    singletons: tuple[str, ...] = ()


def lsh_params(num_perm: int, *, floor: float = 0.5, noise: float = 0.1) -> tuple[int, int]:
    """Bands and rows: the most bands whose chance to pair documents at Jaccard ``noise``
    (unrelated reports of one genre score near 0.01) stays under 1%, which gives high
    recall at ``floor`` and above. datasketch's own optimiser weighs false positives
    like false negatives and loses recall; here false positives only cost a verification.
    """
    best = (1, num_perm)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - noise**rows) ** bands <= 0.01:
            best = (bands, rows)
            break
    bands, rows = best
    if 1 - (1 - floor**rows) ** bands < 0.8:
        raise ValueError(f"num_perm={num_perm} is too small for recall at Jaccard {floor}")
    return best


#: Documents whose band keys are computed at a time.
_KEY_BATCH = 4096
#: Buckets up to this large have every pair of their members verified; a larger one
#: (hundreds of versions of one report, or tiny documents alike) is linked sparsely
#: (:func:`bucket_links`), to keep the work linear.
MAX_BUCKET = 200
#: Holders of a band key up to which a lookup (``match``) takes them all: many drafts of
#: one report share their keys, and the filed one must be among the candidates.
MATCH_BUCKET = 5_000
#: How many places after it in a large bucket's sorted members each member is paired.
_LINKS = (1, 2, 3, 5, 8, 13, 21, 34)


def bucket_links(members: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
    """The pairs to verify among a bucket's distinct members, sorted. Up to
    :data:`MAX_BUCKET` members: every pair. In a larger bucket each member is paired with
    those 1, 2, 3, 5, 8, 13, 21 and 34 places after it: the work grows linearly, and a
    family of versions alike is still one group, as each link verifies (1,500 drafts of
    one report, each with 20 characters changed, were one group of 1,192 and 308
    documents alone while such buckets were skipped). Both engines pair by this."""
    if len(members) <= MAX_BUCKET:
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                yield x, y
        return
    for i, x in enumerate(members):
        for step in _LINKS:
            if i + step < len(members):
                yield x, members[i + step]


def bucket_pairs(
    keys: npt.NDArray[np.uint64], owners: npt.NDArray[np.int64]
) -> set[tuple[int, int]]:
    """Pairs of distinct owners whose rows share a key in some band (column).

    Vectorised LSH banding: every (band, key) is sorted once and runs of equal keys are
    buckets. datasketch's ``MinHashLSH`` does the same one signature at a time in Python:
    on 10,000 documents it took 12 s where this takes a fraction of a second.
    """
    _rows, bands = keys.shape
    tagged = _band_tag(keys, bands)
    order = np.argsort(tagged)  # the order inside a bucket does not matter
    ordered = tagged[order]
    del tagged  # each of these arrays is eight bytes a key: let go as soon as done
    order //= bands  # flattened row by row: position // bands is the row
    who = owners[order]
    del order
    return sorted_bucket_pairs(ordered, who)


def sorted_bucket_pairs(
    ordered: npt.NDArray[np.uint64], who: npt.NDArray[np.signedinteger[Any]]
) -> set[tuple[int, int]]:
    """:func:`bucket_pairs` of tagged band keys already sorted, ``who[i]`` the owner of
    ``ordered[i]`` (the cache's band index is kept in this form)."""
    same = ordered[1:] == ordered[:-1]
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    lengths = np.diff(np.append(starts, ordered.size))
    # buckets of two, the great majority, in one vectorised step
    two = starts[lengths == 2]
    a, b = who[two], who[two + 1]
    keep = a != b
    low, high = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
    pairs = set(zip(low.tolist(), high.tolist()))
    for start, length in zip(starts[lengths > 2].tolist(), lengths[lengths > 2].tolist()):
        pairs.update(bucket_links(sorted(set(who[start : start + length].tolist()))))
    return pairs


def _band_tag(keys: npt.NDArray[np.uint64], bands: int) -> npt.NDArray[np.uint64]:
    """Flatten row by row, making keys of different bands distinct."""
    with np.errstate(over="ignore"):
        tags: npt.NDArray[np.uint64] = keys + np.arange(bands, dtype=np.uint64) * np.uint64(
            0x9E3779B97F4A7C15
        )
    return tags.reshape(-1)


_Made = TypeVar("_Made")


def _fingerprinted(
    args: tuple[str, int, int, int], make: Callable[..., _Made]
) -> tuple[str, _Made | None, str | None]:
    """Load and normalise one file and ``make(key, k=k, num_perm=num_perm)`` of it; a
    fault of the file is its error entry, never the run's (runs in a child process)."""
    from difftool.load import load
    from difftool.normalise import TOKEN_STEPS, normalise

    path, k, num_perm, max_size = args
    try:
        doc = load(path, max_size=max_size, digest=False)
        key = normalise(doc.text, steps=TOKEN_STEPS, mapped=False).text
        return path, make(key, k=k, num_perm=num_perm), None
    except DocdiffError as exc:
        message = str(exc)
        prefix = f"{path}: "
        return path, None, message[len(prefix) :] if message.startswith(prefix) else message
    except MemoryError:
        return path, None, "out of memory reading it"
    except RecursionError:
        return path, None, "nested too deeply to read"
    except Exception as exc:  # any fault of one document is its error entry, never the run's
        return path, None, f"cannot read it ({type(exc).__name__}: {exc})"


def _fingerprint_file(
    args: tuple[str, int, int, int],
) -> tuple[str, Fingerprint | None, str | None]:
    """Worker: load, normalise and fingerprint one file."""
    return _fingerprinted(args, fingerprint)


#: Rows added since the band index was written that a lookup compares directly; past
#: this (or a tenth of the index) the index is written again.
STALE_ROWS = 1_000


def _few_since(rows: int, stored: BandIndex, bands: int) -> bool:
    """Whether ``rows`` added since ``stored`` was written are few enough to band beside
    it rather than write it again (:data:`STALE_ROWS`, or a tenth of its documents)."""
    return rows <= max(STALE_ROWS, stored.size // (3 * bands) // 10)


def _archive_band_keys(
    ids: npt.NDArray[np.int64], sigs: npt.NDArray[np.uint64], bands: int, rows: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Every row's tagged band keys (whole and halves), flattened, and the row of each."""
    if ids.size == 0:
        return np.zeros(0, dtype=np.uint64), ids
    flat = sigs.reshape(ids.size * 3, -1)
    keys = _band_tag(band_keys(flat, bands, rows), bands)
    return keys, np.repeat(ids, 3 * bands)


def _band_lookup(
    cache: SignatureCache, query: npt.NDArray[np.uint64], bands: int, rows: int
) -> set[int] | None:
    """Cache rows sharing a tagged band key with ``query``: from the stored index, plus a
    direct comparison with the rows added since; the index is rewritten when too many
    were. ``None`` when the cache failed on the way."""
    stored = cache.band_index()
    if stored is not None:
        recent_ids, recent_sigs = cache.signatures(after=stored.upto)
        try:
            found = (
                stored.lookup(sorted(set(query.tolist())), MATCH_BUCKET)
                if _few_since(recent_ids.size, stored, bands)
                else None
            )
        except (sqlite3.Error, ValueError):  # a spoilt page: the index is written again
            found = None
        if found is not None:
            keys, owners = _archive_band_keys(recent_ids, recent_sigs, bands, rows)
            found.update(owners[found_in(np.sort(query), keys)].tolist())
            return found if cache.usable else None
    ids, sigs = cache.signatures()
    keys, owners = _archive_band_keys(ids, sigs, bands, rows)
    ordered, holders, _ = _store_sorted(cache, keys, owners, int(ids.max()) if ids.size else 0)
    return lookup_sorted(ordered, holders, query, MATCH_BUCKET) if cache.usable else None


def _store_sorted(
    cache: SignatureCache,
    keys: npt.NDArray[np.uint64],
    owners: npt.NDArray[np.integer[Any]],
    upto: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.integer[Any]], bool]:
    """Sort band keys with their rows and store them as the cache's band index; the
    sorted arrays, and whether they were stored."""
    order = np.argsort(keys)  # eight bytes a key each, the largest arrays of a run:
    keys = keys[order]  # each let go as soon as it is replaced
    owners = owners[order]
    del order
    return keys, owners, cache.put_band_index(upto, keys, owners)


def _positions(
    mine: npt.NDArray[np.int64], owners: npt.NDArray[np.integer[Any]]
) -> npt.NDArray[np.int32]:
    """For each of ``owners`` (row ids), its index in ``mine``, or -1. Row ids are small
    integers, so a table from id to index does it in one gather; ids far beyond the
    number of rows (a cache whose sequence was tampered with) fall back to a search, so
    the table never grows past a few bytes a row."""
    out = np.full(owners.size, -1, dtype=np.int32)
    if mine.size == 0 or owners.size == 0:
        return out
    top = int(mine.max())
    if top <= 16 * mine.size + 1_000_000:
        table = np.full(top + 1, -1, dtype=np.int32)
        table[mine] = np.arange(mine.size, dtype=np.int32)
        inside = owners <= top
        out[inside] = table[owners[inside]]
        return out
    order = np.argsort(mine)
    at = np.minimum(np.searchsorted(mine[order], owners), mine.size - 1)
    hit = mine[order][at] == owners
    out[hit] = order[at[hit]]
    return out


#: A file fingerprinted in this run: its version, its fingerprint without the shingle
#: set, and the shingle set as the cache stores it.
_Computed = tuple[Stat, Fingerprint, bytes]


def _fingerprint_packed(
    args: tuple[str, int, int, int],
) -> tuple[str, Row | None, bytes, str | None]:
    """Worker: :func:`_fingerprint_file`, sent back as plain values, with the shingle set
    packed as the cache stores it (half the bytes, packed once, in parallel)."""
    path, made, error = _fingerprinted(args, fingerprint_row)
    if made is None:
        return path, None, b"", error
    return path, made[0], made[1], None


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Index:
    """Fingerprints of many documents, from the cache or computed, and their groups.

    Args:
        threshold: exact Jaccard of shingle sets for two documents to be versions.
        containment: share of the smaller document inside the larger for a partial copy.
        k: tokens per shingle.
        num_perm: signature length (a power of two).
        cache: path of the SQLite cache; ``None`` for the default location, ``False``
            for no cache.
        jobs: processes for fingerprinting; ``None`` for all cores.
        progress: called with ``(done, total)`` while fingerprinting.
        max_size: largest file read, in bytes; a larger one is an error entry.
    """

    threshold: float = DEFAULT_THRESHOLD
    containment: float = DEFAULT_CONTAINMENT
    k: int = 5
    num_perm: int = 128
    cache: str | os.PathLike[str] | bool | None = None
    jobs: int | None = None
    progress: Callable[[int, int], None] | None = None
    max_size: int = DEFAULT_MAX_SIZE
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cached: int = 0
    _shared_counts: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)
    #: Cached, current files not read yet (``add(lazy=True)``): path -> cache row id.
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _stats: dict[str, Stat] = field(default_factory=dict, init=False, repr=False)
    #: Cache row ids of the files read from the cache, and of those written in this run.
    _ids: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    #: The recorded walk :meth:`trust` took the archive from, and the identity
    #: (``"device:inode:"``) of the file left out of it (the filed copy).
    _walk: int | None = field(default=None, init=False, repr=False)
    _skip: str = field(default="", init=False, repr=False)
    #: Documents in the trusted walk.
    listed: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        for name, value in (("threshold", self.threshold), ("containment", self.containment)):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        if self.num_perm < 16 or self.num_perm & (self.num_perm - 1):
            raise ValueError(f"num_perm must be a power of two of at least 16, got {self.num_perm}")
        if self.jobs is not None and self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")

    @property
    def settings(self) -> str:
        return f"v{FINGERPRINT_VERSION};k={self.k};perm={self.num_perm}"

    def _open_cache(self) -> SignatureCache | None:
        if self.cache is False:
            return None
        if self.cache is None or self.cache is True:
            return SignatureCache(default_path(), self.settings, default=True)
        return SignatureCache(self.cache, self.settings)

    @contextmanager
    def _using_cache(self) -> Iterator[SignatureCache | None]:
        """The cache, open for a step (None without one); closed after it, its warnings
        kept."""
        cache = self._open_cache()
        try:
            yield cache
        finally:
            if cache is not None:
                self.warnings.extend(w for w in cache.warnings if w not in self.warnings)
                cache.close()

    def add(self, paths: Iterable[str], *, shingles: bool = True, lazy: bool = False) -> None:
        """Fingerprint files (cached ones are not read), recording unreadable ones.

        With ``shingles=False`` cached fingerprints come without their shingle sets
        (see :meth:`load_shingles`): a query only needs signatures to shortlist. With
        ``lazy=True`` cached fingerprints are not read at all, only checked to be
        current: :meth:`near` then reads those of a query's candidates, and
        :meth:`load_cached` the rest if they are needed after all.
        """
        stats: list[Stat] = []
        for path in paths:
            try:
                stats.append(stat(path))
            except OSError as exc:
                self.errors.append((path, exc.strerror or str(exc)))
        self._stats.update((s.path, s) for s in stats)
        cache = self._open_cache()
        try:
            hits: dict[str, object] = {}
            if cache and lazy:
                self._rows = cache.fresh(stats)
                hits = dict(self._rows)
            elif cache:
                hits.update(cache.get_many(stats, shingles=shingles, ids=self._ids))
            failed = cache.failures(stats) if cache else {}
            self.cached += len(hits) + len(failed)
            for s in stats:
                if s.path in hits:
                    if not lazy:
                        self.fingerprints[s.path] = hits[s.path]  # type: ignore[assignment]
                    self.sizes[s.path] = s.size
                elif s.path in failed:
                    self.errors.append((s.path, failed[s.path]))
            todo = [s for s in stats if s.path not in hits and s.path not in failed]
            for s in todo:  # a row it had is replaced
                self._ids.pop(s.path, None)
            errors_before = len(self.errors)
            # rows are written in batches while the pool computes the next ones: the
            # cache fills during the run instead of after it; once written, a shingle set
            # that is not needed now is let go (read back for candidates only), so memory
            # does not grow with the archive
            sink = None
            if cache:

                def sink(batch: list[_Computed]) -> None:
                    cache.put_many(batch)
                    if shingles or not cache.usable:  # wanted now, or nowhere else to read
                        for s, fp, packed in batch:
                            self.fingerprints[s.path] = replace(fp, shingles=unpack(packed))

            self._compute(todo, sink=sink)
            if cache:
                by_path = {s.path: s for s in todo}
                cache.put_failures(
                    (by_path[p], e) for p, e in self.errors[errors_before:] if p in by_path
                )
        finally:
            if cache:
                self.warnings.extend(cache.warnings)
                cache.close()

    def trust(self, spec: str, skip: os.stat_result | None = None) -> bool:
        """Take the archive from the walk recorded under ``spec`` (:meth:`record`) when
        none of its folders changed since: no file was added, removed or renamed.

        No file is listed or checked now; :meth:`near` checks its candidates. A file
        rewritten in place (its folder untouched) is therefore seen only if it is one.
        False, and nothing taken, when there is no such walk or a folder changed.
        """
        with self._using_cache() as cache:
            listing = cache.listing(spec) if cache else None
        if listing is None:
            return False
        for path, mtime_ns, ctime_ns in listing.folders:
            try:
                st = os.stat(path)
            except OSError:
                return False
            if (st.st_mtime_ns, st.st_ctime_ns) != (mtime_ns, ctime_ns):
                return False
        left_out = identity(skip) if skip else ""
        # a file it left out has no row of its own: the walk misses it now
        if listing.skipped - {left_out}:
            return False
        self._walk, self._skip = listing.walk, left_out
        self.listed = listing.documents
        self.errors.extend(listing.errors)
        return True

    def record(self, spec: str, found: Found) -> None:
        """Record the walk ``found`` (a :class:`~difftool.load.walk.Found` that
        :meth:`add` took) under ``spec``, for :meth:`trust` to replay."""
        cache = self._open_cache()
        if cache is None:
            return
        files = [self._stats[p] for p in found.files if p in self._stats]
        skipped = set()
        for path in found.skipped:
            try:
                skipped.add(identity(os.stat(path)))
            except OSError:
                continue
        documents = len(found.files) + len(found.errors)
        # a folder changed within RACY_NS of now may change again within the same tick
        # of its clock, unseen (git's "racy" entries): it is recorded as changed, so the
        # next run walks it again
        now = time.time_ns()
        folders = [(p, m, c) if now - m >= RACY_NS else (p, -1, -1) for p, m, c in found.folders]
        try:
            cache.put_listing(spec, folders, files, documents, self.errors, skipped)
        finally:
            self.warnings.extend(w for w in cache.warnings if w not in self.warnings)
            cache.close()

    def _take_listed(self, cache: SignatureCache, rows: Iterable[int]) -> list[str]:
        """Of the band index's ``rows``, take those of the trusted walk whose files are
        unchanged; return the paths of the changed ones (to fingerprint again)."""
        assert self._walk is not None
        changed = []
        for row, recorded in cache.listed(self._walk, rows).items():
            try:
                now = stat(recorded.path)
            except OSError as exc:
                self.errors.append((recorded.path, exc.strerror or str(exc)))
                continue
            if self._skip and now.key.startswith(self._skip):
                continue
            if now == recorded:
                self._rows[now.path] = row
                self._stats[now.path] = now
                self.sizes[now.path] = now.size
            else:
                changed.append(now.path)
        return changed

    @property
    def readable(self) -> list[str]:
        """Every file with a fingerprint, read or still in the cache, sorted."""
        return sorted({*self.fingerprints, *self._rows})

    def load_cached(self) -> None:
        """Read the fingerprints :meth:`add` left in the cache (``lazy=True``)."""
        pending = [self._stats[p] for p in self._rows if p not in self.fingerprints]
        if not pending:
            return
        cache = self._open_cache()
        if cache is None:
            return
        try:
            self.fingerprints.update(cache.get_many(pending, shingles=False))
        finally:
            self.warnings.extend(w for w in cache.warnings if w not in self.warnings)
            cache.close()
        self._again([s.path for s in pending if s.path not in self.fingerprints])

    def _again(self, paths: list[str]) -> None:
        """Fingerprint again the files whose rows :meth:`add` found current but that do
        not decode (spoilt, or gone since): a miss, as it would have been in ``add``."""
        for path in paths:
            del self._rows[path]
            self._ids.pop(path, None)
        if paths:
            self.cached -= len(paths)
            self.add(paths, shingles=False)

    def near(self, fp: Fingerprint) -> list[str] | None:
        """The files whose whole or half signatures share an LSH band with any of
        ``fp``'s, from the cache's band index: a few lookups, not a pass over the archive.

        Also every file fingerprinted in this run. ``None`` when there is no cache to
        ask (the caller then compares every signature).
        """
        cache = self._open_cache()
        if cache is None or not cache.usable:
            if cache:
                cache.close()
            return None
        bands, rows = lsh_params(self.num_perm)
        try:
            query = _band_tag(band_keys(np.stack([fp.signature, *fp.halves]), bands, rows), bands)
            found = _band_lookup(cache, query, bands, rows)
            if found is None:
                return None
            changed = self._take_listed(cache, found) if self._walk is not None else []
            by_id = {row: path for path, row in self._rows.items()}
            wanted = {row: by_id[row] for row in found if row in by_id}
            missing = [row for row, path in wanted.items() if path not in self.fingerprints]
            got = cache.by_id(missing)
            for row, row_fp in got.items():
                self.fingerprints[wanted[row]] = row_fp
        finally:
            self.warnings.extend(w for w in cache.warnings if w not in self.warnings)
            cache.close()
        self._again([wanted[row] for row in missing if row not in got])
        if changed:
            self.add(changed, shingles=False)
        near = {p for p in wanted.values() if p in self.fingerprints}
        computed = {p for p in self.fingerprints if p not in self._rows}
        return sorted(near | computed)

    def load_shingles(self, paths: Iterable[str]) -> None:
        """Read from the cache the shingle sets that ``add(shingles=False)`` left out."""
        missing = [
            p for p in paths if p in self.fingerprints and self.fingerprints[p].shingles.size == 0
        ]
        if not missing:
            return
        cache = self._open_cache()
        if cache is None:
            return
        try:
            known = [self._stats[p] for p in missing if p in self._stats]
            for path, values in cache.shingles(known).items():
                self.fingerprints[path] = replace(self.fingerprints[path], shingles=values)
        finally:
            self.warnings.extend(w for w in cache.warnings if w not in self.warnings)
            cache.close()

    def _compute(
        self, todo: Sequence[Stat], sink: Callable[[list[_Computed]], None] | None = None
    ) -> None:
        by_path = {s.path: s for s in todo}
        # more processes than cores only costs memory (a zip bomb per worker)
        cores = os.cpu_count() or 1
        jobs = min(self.jobs or cores, cores)
        work = [(s.path, self.k, self.num_perm, self.max_size) for s in todo]
        if jobs == 1 or len(work) < 8:
            self._collect(map(_fingerprint_packed, work), by_path, sink, len(work))
            return
        from concurrent.futures import ProcessPoolExecutor  # 20 ms: only when fingerprinting

        chunk = max(1, min(64, len(work) // (jobs * 8)))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            self._collect(
                pool.map(_fingerprint_packed, work, chunksize=chunk), by_path, sink, len(work)
            )

    def _collect(
        self,
        results: Iterable[tuple[str, Row | None, bytes, str | None]],
        by_path: dict[str, Stat],
        sink: Callable[[list[_Computed]], None] | None,
        total: int,
    ) -> None:
        batch: list[_Computed] = []
        for done, (path, row, packed, error) in enumerate(results, 1):
            if row is None:
                self.errors.append((path, error or "unreadable"))
            elif sink is None:
                self.fingerprints[path] = from_row(row, unpack(packed))
                self.sizes[path] = by_path[path].size
            else:
                self.fingerprints[path] = fp = from_row(row)
                self.sizes[path] = by_path[path].size
                batch.append((by_path[path], fp, packed))
                if len(batch) >= WRITE_BATCH:
                    sink(batch)
                    batch = []
            if self.progress:
                self.progress(done, total)
        if sink is not None and batch:
            sink(batch)

    # --- grouping ------------------------------------------------------------------------

    def candidate_pairs(self, paths: Sequence[str]) -> set[tuple[int, int]]:
        """Pairs of indices into ``paths`` whose whole or half signatures share an LSH band,
        and pairs where a short document lies inside a longer one (see :meth:`contained`)."""
        if len(paths) < 2:
            return set()
        pairs = self._indexed_pairs(paths)
        if pairs is None:
            owners = np.repeat(np.arange(len(paths)), 3)
            pairs = bucket_pairs(self._band_keys(paths), owners)
        return pairs | self.contained(paths)

    def _band_keys(self, paths: Sequence[str]) -> npt.NDArray[np.uint64]:
        """Band keys of each path's whole and half signatures: shape ``(3 n, bands)``."""
        bands, rows = lsh_params(self.num_perm)
        keys = np.empty((3 * len(paths), bands), dtype=np.uint64)
        # a few thousand documents' signatures at a time: stacking all of them at once
        # would copy every signature again (120 MB at 40,000 documents)
        for start in range(0, len(paths), _KEY_BATCH):
            fps = [self.fingerprints[p] for p in paths[start : start + _KEY_BATCH]]
            signatures = np.stack([part for fp in fps for part in (fp.signature, *fp.halves)])
            keys[3 * start : 3 * start + len(signatures)] = band_keys(signatures, bands, rows)
        return keys

    def _indexed_pairs(self, paths: Sequence[str]) -> set[tuple[int, int]] | None:
        """Candidate pairs among ``paths`` from the cache's band index, which is read
        when it is current and written when it is not (so that a warm run bands nothing
        and ``match`` finds it ready). ``None`` when there is no cache to use, or when
        the cache holds many more documents than this run (the caller bands them)."""
        cache = self._open_cache()
        if cache is None or not cache.usable:
            if cache:
                cache.close()
            return None
        try:
            known = self._row_ids(cache)
            ids = {p: known[p] for p in self.fingerprints if p in known}
            if not all(p in ids for p in paths):  # a row not written: band them here
                return None
            stored = cache.band_index()
            bands = lsh_params(self.num_perm)[0]
            ours = len(ids) * 3 * bands
            owners: npt.NDArray[np.integer[Any]]
            # rows written since the index was (a few files added): banded here and
            # merged in, until there are too many and the index is written again
            recent = [p for p in paths if stored is not None and ids[p] > stored.upto]
            if (
                stored is not None
                and stored.size <= 2 * ours
                and max(ids.values()) < 1 << 32
                and _few_since(len(recent), stored, bands)
            ):
                try:
                    keys, owners = stored.read()
                except (sqlite3.Error, ValueError, TypeError):  # gone or spoilt: band here
                    return None
                if recent:
                    keys, owners = self._merged(keys, owners, recent, ids)
            else:
                built = self._write_band_index(cache, ids)
                if built is None:
                    return None
                keys, owners = built
        finally:
            self.warnings.extend(w for w in cache.warnings if w not in self.warnings)
            cache.close()
        # this run's distinct documents only, as indices into paths, in the keys' order
        who = _positions(np.array([ids[p] for p in paths], dtype=np.int64), owners)
        hit = who >= 0
        del owners
        return sorted_bucket_pairs(keys[hit], who[hit])

    def _merged(
        self,
        keys: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.integer[Any]],
        paths: list[str],
        ids: dict[str, int],
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.integer[Any]]]:
        """The sorted band index ``keys``/``owners`` with the band keys of ``paths`` put
        in their places (what sorting them all together gives, without the sort)."""
        bands = lsh_params(self.num_perm)[0]
        new = _band_tag(self._band_keys(paths), bands)
        new_owners = np.repeat(np.array([ids[p] for p in paths], dtype=owners.dtype), 3 * bands)
        order = np.argsort(new)
        new, new_owners = new[order], new_owners[order]
        at = np.searchsorted(keys, new)
        return np.insert(keys, at, new), np.insert(owners, at, new_owners)

    def _write_band_index(
        self, cache: SignatureCache, ids: dict[str, int]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.integer[Any]]] | None:
        """Write the band index of every row in the cache from this run's fingerprints
        (and the signatures of other rows, when there are not more of them than of this
        run's); return it, or ``None`` when it was not written."""
        bands, rows = lsh_params(self.num_perm)
        paths = sorted(ids)
        others = cache.row_count() - len(paths)
        extra_ids = np.zeros(0, dtype=np.int64)
        extra_sigs = np.zeros((0, 3, self.num_perm), dtype=np.uint64)
        if others > len(paths):
            return None
        if others > 0:
            all_ids, all_sigs = cache.signatures()
            keep = ~np.isin(all_ids, np.array(list(ids.values()), dtype=np.int64))
            extra_ids, extra_sigs = all_ids[keep], all_sigs[keep]
        if max(ids.values()) >= 1 << 32 or (extra_ids.size and int(extra_ids.max()) >= 1 << 32):
            return None
        keys = _band_tag(self._band_keys(paths), bands)
        owners = np.repeat(np.array([ids[p] for p in paths], dtype=np.uint32), 3 * bands)
        if extra_ids.size:
            more_keys, more_owners = _archive_band_keys(extra_ids, extra_sigs, bands, rows)
            keys = np.concatenate((keys, more_keys))
            owners = np.concatenate((owners, more_owners.astype(np.uint32)))
        upto = max(max(ids.values()), int(extra_ids.max()) if extra_ids.size else 0)
        ordered, holders, stored = _store_sorted(cache, keys, owners, upto)
        return (ordered, holders) if stored else None

    def contained(self, paths: Sequence[str]) -> set[tuple[int, int]]:
        """Pairs (as sorted index pairs into ``paths``) of a short document and a longer
        one holding most of its shingles (see :class:`ShortLookup`)."""
        shorts = [i for i, p in enumerate(paths) if is_short(self.fingerprints[p])]
        if not shorts:
            return set()
        self.load_shingles(paths[i] for i in shorts)
        lookup = ShortLookup({i: self.fingerprints[paths[i]] for i in shorts})
        index_of = {p: j for j, p in enumerate(paths)}
        pairs: set[tuple[int, int]] = set()
        for path, fp in self.with_shingles(paths):
            pairs.update(lookup.pairs(index_of[path], fp, self.containment))
        return pairs

    def with_shingles(
        self, paths: Sequence[str], batch: int = WRITE_BATCH
    ) -> Iterator[tuple[str, Fingerprint]]:
        """Each path's fingerprint with its shingle set, read from the cache a batch at a
        time and let go again: a pass over every document in bounded memory."""
        for start in range(0, len(paths), batch):
            chunk = paths[start : start + batch]
            bare = [p for p in chunk if self.fingerprints[p].shingles.size == 0]
            self.load_shingles(bare)
            for path in chunk:
                yield path, self.fingerprints[path]
            for path in bare:  # back to what it was: read again if it turns out needed
                self.fingerprints[path] = replace(self.fingerprints[path], shingles=no_shingles())

    def related(self, a: str, b: str) -> tuple[bool, float, float]:
        """Exact check of a pair: (joined, Jaccard, containment of the smaller in the larger)."""
        fa, fb = self.fingerprints[a], self.fingerprints[b]
        shared = self._shared(a, b) if fa.shingles.size and fb.shingles.size else None
        return verify(fa, fb, self.threshold, self.containment, shared=shared)

    def _shared(self, a: str, b: str) -> int:
        """Shingles two documents share, remembered: clusters ask again for the same pairs."""
        pair = (a, b) if a < b else (b, a)
        if pair not in self._shared_counts:
            self._shared_counts[pair] = common(
                self.fingerprints[a].shingles, self.fingerprints[b].shingles
            )
        return self._shared_counts[pair]

    def dedup(self) -> DedupResult:
        """Group the indexed documents.

        The answer is a function of the fingerprints (cache rows, never rewritten in
        place: a changed file gets a new row), the paths, the sizes and the thresholds.
        When the cache holds the answer for the same inputs, it is taken as it is and
        no fingerprint is read; when it holds one for the archive before files were
        added or removed, that answer is updated (:meth:`_grown`); otherwise it is
        worked out in full. The answer is stored either way.
        """
        found = self._inputs()
        if found is not None:
            known = self._recall(found[0])
            if known is not None:
                return known
            grown = self._grown(found[1])
            if grown is not None:
                self._remember(*found, grown[0], grown[1])
                return grown[0]
        rows = dict(self._rows)
        self.load_cached()
        result = self._group()
        if found is not None and rows != self._rows:  # a row was written again
            found = self._inputs()
        if found is not None:
            fps = self.fingerprints
            distinct = {fps[p].key_hash: p for p in sorted(fps, reverse=True)}.values()
            self._remember(*found, result, sorted(p for p in distinct if is_short(fps[p])))
        return result

    def _row_ids(self, cache: SignatureCache) -> dict[str, int]:
        """The cache row of every file known to have one: read, found current, or
        written in this run (those asked of the cache, by path)."""
        ids = {**self._ids, **self._rows}
        unknown = [self._stats[p] for p in self.fingerprints if p not in ids and p in self._stats]
        if unknown:
            written = cache.fresh(unknown)
            self._ids.update(written)  # asked once
            ids.update(written)
        return ids

    @property
    def _spec(self) -> str:
        """The grouping's version and thresholds: what an answer depends on besides its files."""
        from difftool import __version__  # a release may group otherwise: its own answers

        spec = json.dumps(
            [__version__, GROUPING_VERSION, self.threshold, self.containment]
        ).encode()
        return hashlib.blake2b(spec, digest_size=16).hexdigest()

    def _inputs(self) -> tuple[str, dict[str, int]] | None:
        """What :meth:`dedup`'s answer depends on, hashed, and each readable file's row;
        None when one has no cache row (no cache, or its row could not be written)."""
        with self._using_cache() as cache:
            if cache is None or not cache.usable:
                return None
            known = self._row_ids(cache)
        paths = self.readable
        if not all(p in known for p in paths):
            return None
        digest = hashlib.blake2b(self._spec.encode(), digest_size=16)
        for path in paths:
            line = f"{path}\0{known[path]}\0{self.sizes.get(path, 0)}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))
        return digest.hexdigest(), {p: known[p] for p in paths}

    def _recall(self, inputs: str) -> DedupResult | None:
        """The answer stored for ``inputs``, if it decodes and covers exactly this run's
        readable files."""
        with self._using_cache() as cache:
            text = cache.result(inputs) if cache else None
        answer = _Answer.decode(text) if text is not None else None
        if answer is None or answer.paths() != self.readable:
            return None
        return self._result(answer.groups, answer.singletons, answer.candidates)

    def _result(
        self, groups: Iterable[tuple[Member, ...]], singletons: Iterable[str], candidates: int
    ) -> DedupResult:
        return DedupResult(
            documents=len(self.readable) + len(self.errors),
            clusters=number_clusters(groups),
            errors=tuple(sorted(self.errors)),
            warnings=tuple(self.warnings),
            cached=self.cached,
            candidates=candidates,
            singletons=tuple(sorted(singletons)),
        )

    def _remember(
        self, inputs: str, ids: dict[str, int], result: DedupResult, shorts: list[str]
    ) -> None:
        answer = _Answer(
            tuple(c.members for c in result.clusters),
            result.singletons,
            result.candidates,
            tuple(shorts),
        )
        with self._using_cache() as cache:
            if cache is not None:
                cache.put_result(inputs, self._spec, ids, answer.encode())

    def _grown(self, ids: dict[str, int]) -> tuple[DedupResult, list[str]] | None:
        """The answer for an archive that gained or lost files since an answer was
        stored: that answer, updated (:meth:`_update`). None (work it all out) when no
        stored answer is near enough: another archive's, files changed in place (their
        earlier rows are gone), more than :data:`STALE_ROWS` files added or removed."""
        with self._using_cache() as cache:
            if cache is None or not cache.usable:
                return None
            for rows, text in cache.earlier_results(self._spec):
                try:
                    old_rows = json.loads(rows)
                except ValueError:
                    continue
                if not isinstance(old_rows, dict) or any(
                    p in ids and ids[p] != row for p, row in old_rows.items()
                ):
                    continue  # not a record of rows, or files changed in place since
                removed = {p: row for p, row in old_rows.items() if p not in ids}
                new = {p for p in ids if p not in old_rows}
                if not 0 < len(removed) + len(new) <= STALE_ROWS:
                    continue  # another archive's, most likely
                answer = _Answer.decode(text)
                if answer is None or answer.paths() != sorted(old_rows):
                    continue
                return self._update(cache, ids, old_rows, answer, new, removed)
        return None

    def _fetch(self, cache: SignatureCache, paths: Iterable[str]) -> bool:
        """Read the fingerprints of ``paths`` not read yet; False if one does not decode."""
        wanted = {self._rows[p]: p for p in paths if p not in self.fingerprints}
        got = cache.by_id(wanted)
        for row, fp in got.items():
            self.fingerprints[wanted[row]] = fp
        return len(got) == len(wanted)

    def _update(
        self,
        cache: SignatureCache,
        ids: dict[str, int],
        old_rows: dict[str, int],
        old: _Answer,
        new: set[str],
        removed: dict[str, int],
    ) -> tuple[DedupResult, list[str]] | None:
        """The stored answer ``old`` for the archive ``old_rows``, updated for the files
        ``new`` and ``removed`` since; what a full grouping of ``ids`` gives, exactly.

        Candidate pairs change only in the LSH buckets of the files added or removed
        (and of those that share their key hash: the exact pass keeps the first path of
        each), so those buckets are read from the band index, in the archive before and
        after. Pairs that appear are verified; the groups that lost a member are worked
        out again from the pairs among what is left of them (their members' buckets are
        read too); only the groups touched are rebuilt. None (work it all out) where
        that cannot be vouched for: a short document added or removed (it would be
        looked up in every document), a removal while there are short documents, a
        bucket too large before or after, a row that does not read back.
        """
        bands, rows = lsh_params(self.num_perm)
        fps = self.fingerprints
        gone = cache.by_id(removed.values())
        if len(gone) != len(removed) or not self._fetch(cache, new):
            return None
        before = {path: gone[row] for path, row in removed.items()}
        if any(is_short(fp) for fp in [*before.values(), *(fps[p] for p in new)]):
            return None
        if removed and old.shorts:
            return None
        stored = cache.band_index()
        if stored is None:
            return None
        recent_ids, recent_sigs = cache.signatures(after=stored.upto)
        if not _few_since(recent_ids.size, stored, bands):
            return None
        # a row written since the index that does not read back (spoilt) would hide its
        # pairs: the full grouping reads it again instead
        every_row = {*ids.values(), *removed.values()}
        if not {row for row in every_row if row > stored.upto} <= set(recent_ids.tolist()):
            return None
        broken = [g for g in old.groups if any(m.path in removed for m in g)]
        remnant = {m.path for g in broken for m in g if m.path not in removed}
        if not self._fetch(cache, remnant):
            return None

        def fingerprint_of(path: str) -> Fingerprint:
            return fps[path] if path in ids else before[path]

        def keys_of(paths: Iterable[str]) -> npt.NDArray[np.uint64]:
            fp_list = [fingerprint_of(p) for p in sorted(paths)]
            if not fp_list:
                return np.zeros(0, dtype=np.uint64)
            signatures = np.stack([part for fp in fp_list for part in (fp.signature, *fp.halves)])
            return np.sort(_band_tag(band_keys(signatures, bands, rows), bands).ravel())

        query = keys_of([*new, *removed, *remnant])
        # each key's holders, counted as sorted_bucket_pairs counts them: each row as
        # often as it holds the key (whole and half signatures may agree)
        try:
            found = stored.buckets(query.tolist(), 8 * MAX_BUCKET)
        except (sqlite3.Error, ValueError):  # spoilt: the full grouping instead
            found = None
        if found is None or not cache.usable:
            return None
        recent_keys, recent_owners = _archive_band_keys(recent_ids, recent_sigs, bands, rows)
        hit = found_in(query, recent_keys)
        for key, row in zip(recent_keys[hit].tolist(), recent_owners[hit].tolist()):
            found[key].append(row)
        now_of = {row: path for path, row in ids.items()}
        then_of = {row: path for path, row in old_rows.items()}
        held_now = [[now_of[r] for r in held if r in now_of] for held in found.values()]
        held_then = [[then_of[r] for r in held if r in then_of] for held in found.values()]
        involved = {p for held in held_now for p in held} | new | remnant
        if not self._fetch(
            cache, involved | {p for held in held_then for p in held} - set(removed)
        ):
            return None

        def first_of_each_key(paths: Iterable[str]) -> set[str]:
            # documents with one key hash have one signature, so all of them hold these
            # keys: which one the exact pass keeps is decided among them
            first: dict[str, str] = {}
            for path in sorted(paths):
                first.setdefault(fingerprint_of(path).key_hash, path)
            return set(first.values())

        distinct_then = first_of_each_key({p for held in held_then for p in held} | set(removed))
        distinct_now = first_of_each_key(involved)
        pairs_then: set[tuple[str, str]] = set()
        pairs_now: set[tuple[str, str]] = set()
        for then, now in zip(held_then, held_now):
            for held, distinct, pairs in (
                (then, distinct_then, pairs_then),
                (now, distinct_now, pairs_now),
            ):
                kept = [p for p in held if p in distinct]
                if len(kept) > MAX_BUCKET:
                    return None  # a degenerate bucket before or after: pairs come and go
                them = sorted(set(kept))
                pairs.update((a, b) for i, a in enumerate(them) for b in them[i + 1 :])
        lost, gained = pairs_then - pairs_now, pairs_now - pairs_then
        # the stored short documents inside the documents that became distinct (new, or
        # in a removed one's place) and that stopped being so (its place taken)
        if old.shorts:
            if not self._fetch(cache, old.shorts):
                return None
            self.load_shingles([*old.shorts, *(distinct_now ^ distinct_then)])
            lookup = ShortLookup({p: fps[p] for p in old.shorts})
            for path in sorted(distinct_now - distinct_then):
                gained.update(lookup.pairs(path, fps[path], self.containment))
            for path in sorted(distinct_then - distinct_now):  # none removed: see above
                lost.update(lookup.pairs(path, fps[path], self.containment))
        # what is left of a group that lost a member holds together by its own pairs
        # (there are no short documents when one was removed: see above)
        inside = {(a, b) for a, b in pairs_now if a in remnant and b in remnant}
        check = sorted(gained | inside)
        plausible = [
            (a, b) for a, b in check if could_join(fps[a], fps[b], self.threshold, self.containment)
        ]
        self.load_shingles({p for pair in plausible for p in pair})
        groups = _UnionFind()
        for group in old.groups:
            if group not in broken:
                for member in group[1:]:
                    groups.union(group[0].path, member.path)
        same: dict[str, list[str]] = {}
        for path in sorted(involved):
            same.setdefault(fps[path].key_hash, []).append(path)
        for paths in same.values():
            for path in paths[1:]:
                groups.union(paths[0], path)
        for a, b in plausible:  # a pair already joined through others needs no check
            if groups.find(a) != groups.find(b) and self.related(a, b)[0]:
                groups.union(a, b)
        touched = {groups.find(p) for p in new | remnant}
        kept_groups = [
            m for m in old.groups if m not in broken and groups.find(m[0].path) not in touched
        ]
        regroup: dict[str, list[str]] = {}
        for path in [*(m.path for g in old.groups for m in g), *old.singletons, *new]:
            if path not in removed and groups.find(path) in touched:
                regroup.setdefault(groups.find(path), []).append(path)
        alone = [p for p in old.singletons if p not in removed and groups.find(p) not in touched]
        for paths in regroup.values():
            if len(paths) == 1:
                alone.append(paths[0])
                continue
            if not self._fetch(cache, paths):
                return None
            self.load_shingles(paths)
            kept_groups.append(self._cluster(sorted(paths)).members)
        candidates = old.candidates - len(lost) + len(gained)
        shorts = [p for p in old.shorts if p not in removed]
        return self._result(kept_groups, alone, candidates), shorts

    def _group(self) -> DedupResult:
        groups = _UnionFind()
        by_key: dict[str, str] = {}
        for path in sorted(self.fingerprints):
            key = self.fingerprints[path].key_hash
            if key in by_key:
                groups.union(by_key[key], path)
            else:
                by_key[key] = path
        distinct = sorted(by_key.values())
        candidates = self.candidate_pairs(distinct)
        # most candidates of a large archive are unrelated documents of one genre that
        # met in a band; their signatures rule them out without reading a shingle set
        fps = self.fingerprints
        plausible = [
            (i, j)
            for i, j in sorted(candidates)
            if could_join(fps[distinct[i]], fps[distinct[j]], self.threshold, self.containment)
        ]
        self.load_shingles({distinct[k] for pair in plausible for k in pair})
        for i, j in plausible:
            a, b = distinct[i], distinct[j]
            # a pair already joined through others needs no check: the groups are the
            # same (1,500 drafts of one report: 50,000 pairs checked, 30 s, before)
            if groups.find(a) != groups.find(b) and self.related(a, b)[0]:
                groups.union(a, b)
        members: dict[str, list[str]] = {}
        for path in sorted(self.fingerprints):
            members.setdefault(groups.find(path), []).append(path)
        grouped = [paths for paths in members.values() if len(paths) > 1]
        alone = sorted(paths[0] for paths in members.values() if len(paths) == 1)
        self.load_shingles(p for paths in grouped for p in paths)
        numbered = number_clusters(self._cluster(paths).members for paths in grouped)
        return DedupResult(
            documents=len(self.fingerprints) + len(self.errors),
            clusters=numbered,
            errors=tuple(sorted(self.errors)),
            warnings=tuple(self.warnings),
            cached=self.cached,
            candidates=len(candidates),
            singletons=tuple(alone),
        )

    def _cluster(self, paths: list[str]) -> Cluster:
        return Cluster(
            0, members(paths, self.fingerprints, self.sizes, self.threshold, shared=self._shared)
        )


# --- what both engines share: pure functions of fingerprints ---------------------------------


@dataclass(frozen=True)
class _Answer:
    """A dedup answer as the cache keeps it: the groups, the documents alone, the
    candidate pairs counted, and the short documents (looked up in new ones)."""

    groups: tuple[tuple[Member, ...], ...]
    singletons: tuple[str, ...]
    candidates: int
    shorts: tuple[str, ...]

    def paths(self) -> list[str]:
        return sorted([m.path for group in self.groups for m in group] + list(self.singletons))

    def encode(self) -> str:
        fields = ("path", "similarity", "containment", "partial", "tokens", "size")
        return json.dumps(
            {
                "clusters": [[[getattr(m, f) for f in fields] for m in g] for g in self.groups],
                "singletons": list(self.singletons),
                "candidates": self.candidates,
                "shorts": list(self.shorts),
            }
        )

    @classmethod
    def decode(cls, text: str) -> _Answer | None:
        """The answer in ``text``; None when it does not decode as one."""
        try:
            data = json.loads(text)
            groups = tuple(tuple(_member(m) for m in group) for group in data["clusters"])
            singletons, shorts = tuple(data["singletons"]), tuple(data["shorts"])
            candidates = data["candidates"]
        except (TypeError, ValueError, KeyError):
            return None
        plain = all(isinstance(p, str) for p in (*singletons, *shorts))
        if not isinstance(candidates, int) or isinstance(candidates, bool) or not plain:
            return None
        return cls(groups, singletons, candidates, shorts)


def _member(values: object) -> Member:
    """A :class:`Member` from its stored fields; TypeError when they are not its fields."""
    if not isinstance(values, list) or len(values) != 6:
        raise TypeError("not a member")
    path, similarity, containment, partial, tokens, size = values
    numbers = (similarity, containment, tokens, size)
    if not (
        isinstance(path, str)
        and isinstance(partial, bool)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers)
        and isinstance(tokens, int)
        and isinstance(size, int)
    ):
        raise TypeError("not a member")
    return Member(path, float(similarity), float(containment), partial, tokens, size)


def is_short(fp: Fingerprint) -> bool:
    """Short enough to be looked up shingle by shingle, long enough to join by containment."""
    return MIN_CONTAINED <= fp.tokens < SHORT_TOKENS


class ShortLookup:
    """The shingles of the short documents, to find the longer ones that contain them.

    A 90-token excerpt of a 600-token report has a Jaccard similarity near 0.15 with
    it, which no signature band finds; looked up shingle by shingle (only the short
    documents' shingles, against every longer document's), it is plainly inside.
    """

    def __init__(self, shorts: dict[Any, Fingerprint]) -> None:
        self.sizes = {key: fp.shingles.size for key, fp in shorts.items()}
        self.owners: dict[int, list[Any]] = {}
        for key, fp in shorts.items():
            for value in fp.shingles.tolist():
                self.owners.setdefault(value, []).append(key)
        values = np.fromiter(self.owners, dtype=np.uint32, count=len(self.owners))
        values.sort()
        self.values = values

    def pairs(self, key: Any, fp: Fingerprint, containment: float) -> list[tuple[Any, Any]]:
        """Sorted pairs ``(short, key)`` where a short document lies inside ``fp``."""
        if not self.owners:
            return []
        shingles = fp.shingles
        hits = shingles[np.isin(shingles, self.values, assume_unique=True)]
        counts: dict[Any, int] = {}
        for value in hits.tolist():
            for owner in self.owners[value]:
                if owner != key:
                    counts[owner] = counts.get(owner, 0) + 1
        return [
            (min(owner, key), max(owner, key))
            for owner, shared in counts.items()
            if shared >= containment * self.sizes[owner] and shingles.size >= self.sizes[owner]
        ]


def _slack(bins: int) -> float:
    """How much less often than their Jaccard similarity two signatures may agree, with
    probability under 10^-9 (Hoeffding's bound; 0.28 at 128 bins)."""
    return math.sqrt(math.log(1e9) / (2 * bins))


def could_join(fa: Fingerprint, fb: Fingerprint, threshold: float, containment: float) -> bool:
    """Whether a candidate pair can pass :func:`verify`, judged from the signatures alone.

    Joining takes Jaccard ``threshold``, or ``containment`` of the smaller set in the
    larger, which for sets of sizes ``a <= b`` means Jaccard at least ``c·a / (a + b -
    c·a)``. The share of agreeing bins estimates the Jaccard similarity; a pair whose
    share falls short of the least it would need by more than :func:`_slack` cannot
    join (odds under 10^-9). The bound takes the bins as independent, which holds once
    a set has several values a bin (with fewer, empty bins borrow their neighbours'
    values and the bins move together): sets under four values a bin, or of unknown
    size, are always verified exactly (and are cheap to verify).
    """
    bins = fa.signature.size
    small, large = sorted((fa.count, fb.count))
    if small < 4 * bins or bins != fb.signature.size:
        return True
    need = threshold
    if small >= MIN_CONTAINED:
        need = min(need, containment * small / (small + large - containment * small))
    agree = int(np.count_nonzero(fa.signature == fb.signature)) / bins
    return agree >= need - _slack(bins)


def verify(
    fa: Fingerprint,
    fb: Fingerprint,
    threshold: float,
    containment: float,
    *,
    shared: int | None = None,
) -> tuple[bool, float, float]:
    """Exact check of a candidate pair: (joined, Jaccard, containment of the smaller in
    the larger); ``shared``, when the caller counted it, saves counting again."""
    sa, sb = fa.shingles.size, fb.shingles.size
    if sa == 0 or sb == 0:
        j, c = overlap(fa.shingles, fb.shingles)
    else:
        if shared is None:
            shared = common(fa.shingles, fb.shingles)
        j, c = shared / (sa + sb - shared), shared / min(sa, sb)
    joined = j >= threshold or (c >= containment and min(sa, sb) >= MIN_CONTAINED)
    return joined, j, c


def members(
    paths: Sequence[str],
    fingerprints: dict[str, Fingerprint],
    sizes: dict[str, int],
    threshold: float,
    *,
    shared: Callable[[str, str], int] | None = None,
) -> tuple[Member, ...]:
    """A group's members, its representative first, the others by similarity to it."""

    def count(a: str, b: str) -> int:
        return (
            shared(a, b) if shared else common(fingerprints[a].shingles, fingerprints[b].shingles)
        )

    rep = representative(paths, fingerprints)
    rep_fp = fingerprints[rep]
    out = [Member(rep, 1.0, 1.0, False, rep_fp.tokens, sizes.get(rep, 0))]
    for path in paths:
        if path == rep:
            continue
        fp = fingerprints[path]
        both = count(path, rep)
        total = fp.shingles.size + rep_fp.shingles.size - both
        j = both / total if total else 1.0
        c = both / fp.shingles.size if fp.shingles.size else 1.0
        partial = j < threshold and fp.key_hash != rep_fp.key_hash
        out.append(Member(path, j, c, partial, fp.tokens, sizes.get(path, 0)))
    out[1:] = sorted(out[1:], key=lambda m: (-m.similarity, m.path))
    return tuple(out)


def representative(paths: Sequence[str], fingerprints: dict[str, Fingerprint]) -> str:
    """The most complete member: the most shingles that another member confirms.

    Counting all shingles would crown a copy full of garbled characters; counting only
    those some other version shares crowns the fullest clean text. A copy that lost
    characters comes last; ties go to the longer document, then the first path.
    """
    if len(paths) == 2:  # both confirm the same shared shingles
        return min(paths, key=lambda p: (fingerprints[p].holes > 0, -fingerprints[p].tokens, p))
    shingles = [fingerprints[p].shingles for p in paths]
    values, counts = np.unique(np.concatenate(shingles), return_counts=True)
    confirmed_values = values[counts > 1]
    confirmed = [common(s, confirmed_values) for s in shingles]
    order = sorted(
        range(len(paths)),
        key=lambda i: (
            fingerprints[paths[i]].holes > 0,  # a copy that lost characters is not kept
            -confirmed[i],
            -fingerprints[paths[i]].tokens,
            paths[i],
        ),
    )
    return paths[order[0]]


def number_clusters(groups: Iterable[tuple[Member, ...]]) -> tuple[Cluster, ...]:
    """Clusters in report order (largest first, then by representative), numbered from 1."""
    ordered = sorted(groups, key=lambda m: (-len(m), m[0].path))
    return tuple(Cluster(n, m) for n, m in enumerate(ordered, 1))


def walk_spec(
    roots: list[str],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    hidden: bool,
    max_size: int,
    settings: str,
) -> str:
    """What a recorded walk is kept under: everything that decides what it lists (the
    working folder too, when a root is relative) and the error entries it makes."""
    relative = any(not os.path.isabs(root) for root in roots)
    return json.dumps(
        {
            "cwd": os.getcwd() if relative else "",
            "roots": roots,
            "include": include,
            "exclude": exclude,
            "hidden": hidden,
            "max_size": max_size,
            "settings": settings,
        }
    )


def dedup(
    paths: Iterable[str | os.PathLike[str]],
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    hidden: bool = False,
    **options: object,
) -> DedupResult:
    """Find groups of near-duplicate versions among the files under ``paths``.

    Options are those of :class:`Index` (``threshold``, ``containment``, ``k``,
    ``num_perm``, ``cache``, ``jobs``, ``progress``, ``max_size``).
    """
    from difftool.load.walk import walk

    roots = [os.fspath(p) for p in paths]
    include, exclude = tuple(include), tuple(exclude)
    found = walk(roots, include=include, exclude=exclude, hidden=hidden)
    index = Index(**options)  # type: ignore[arg-type]
    index.errors.extend(found.errors)
    # cached fingerprints are read only if the cache has no answer for them (and then
    # without their shingle sets, which are read for candidates only)
    index.add(found.files, shingles=False, lazy=True)
    # recorded for match --trust-cache, which then needs no walk of its own first
    index.record(walk_spec(roots, include, exclude, hidden, index.max_size, index.settings), found)
    return index.dedup()


__all__ = ["Cluster", "DedupResult", "Index", "Member", "dedup", "lsh_params"]
