"""The signature cache: SQLite (WAL), keyed by the file's identity and its version.

A second run over an unchanged folder reads no document bodies: for each file whose
identity (device, inode and absolute resolved path: the same file whatever folder the
command ran in) and version (size, mtime and ctime in nanoseconds: a same-size edit
whose mtime was put back still changes the ctime) match a row made with the same
settings, the row's fingerprint is used as it is. A row that does not decode is a miss,
and is rewritten. Only failures that the file's bytes decide (binary, undecodable,
broken) are remembered; a permission or a missing extra is asked again next time. Changed settings (shingle size, signature length, the normaliser's
version) miss cleanly because they are part of the key. A cache that cannot be opened or
is not a docdiff cache is bypassed with a warning; a locked one likewise. docdiff never
deletes a file it did not create: a corrupt cache at the default location is renamed
aside and rebuilt, one given with ``--cache`` is only bypassed. A cache of an older
schema is emptied and rebuilt (its fingerprints would all miss anyway). Writes are not
synced to the disk: a crash of docdiff loses nothing, a power cut may spoil the cache,
and a spoilt cache is handled as above.

Rows are small (signatures and counts); the shingle sets, most of the bytes, are a table
of their own, read only for the documents a run verifies. The band index (tables
``bands`` and ``band_pages``) is every row's LSH band keys, sorted, with the row ids
beside them, in pages of :data:`BAND_PAGE` keys: ``match`` finds each of a filed copy's
keys with one index seek and a page (:class:`BandIndex`) instead of reading every
signature, so what it reads does not grow with the archive. (Schema 4 kept the index in
one blob, and SQLite reads a blob's pages in a chain up to the offset asked: a lookup
read most of it.) Rows added after it are compared directly until there are too many,
and then it is written again.

Table ``answers`` holds dedup's answers, keyed by a hash of what an answer depends on
(each file's path, row id and size; the thresholds; the grouping's version): a rerun
over an unchanged archive takes its answer without reading a fingerprint. Row ids are
never reused (AUTOINCREMENT, and a changed file's row is replaced by a new one), so an
answer can never be taken for other fingerprints.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from difftool._lazy import lazy_module
from difftool.errors import CacheError
from difftool.fingerprint import (  # the shingle sets' encoding is fingerprinting's
    Fingerprint,
    from_row,
    no_shingles,
    unpack_shingles,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = lazy_module("numpy")  # see difftool._lazy

SCHEMA_VERSION = 5  # 4: shingle sets in a table of their own; 5: band index in pages
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fingerprints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    settings TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    key_hash TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    holes INTEGER NOT NULL,
    count INTEGER NOT NULL,
    signature BLOB NOT NULL,
    halves BLOB NOT NULL,
    UNIQUE (path, settings)
);
-- what fresh() reads of every row, without the signatures beside it (the table is
-- 3 KB a row; this index a few dozen bytes)
CREATE INDEX IF NOT EXISTS versions ON fingerprints (settings, path, size, mtime_ns, ctime_ns);
CREATE TABLE IF NOT EXISTS shingles (
    path TEXT NOT NULL,
    settings TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (path, settings)
);
CREATE TABLE IF NOT EXISTS failures (
    path TEXT NOT NULL,
    settings TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (path, settings)
);
CREATE TABLE IF NOT EXISTS bands (
    settings TEXT PRIMARY KEY,
    upto INTEGER NOT NULL,
    size INTEGER NOT NULL
);
-- the band index's sorted keys (eight bytes each, little-endian) and the row id of each
-- (four bytes), BAND_PAGE keys a page, numbered in order; "last" is the page's last key
-- less 2**63 (SQLite's integers are signed), so that one index seek finds a key's page
CREATE TABLE IF NOT EXISTS band_pages (
    settings TEXT NOT NULL,
    page INTEGER NOT NULL,
    last INTEGER NOT NULL,
    keys BLOB NOT NULL,
    ids BLOB NOT NULL,
    UNIQUE (settings, page)
);
CREATE INDEX IF NOT EXISTS band_pages_by_last ON band_pages (settings, last, page);
-- a folder walk as match --trust-cache replays it: its folders' mtimes and ctimes (JSON),
-- how many documents it found, its error entries (JSON), the "device:inode:" of the
-- files it left out (JSON), and (table walked) each file's identity (a
-- fingerprints.path) and the path it was walked as (JSON: any name kept)
CREATE TABLE IF NOT EXISTS walks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec TEXT NOT NULL UNIQUE,
    folders TEXT NOT NULL,
    documents INTEGER NOT NULL,
    errors TEXT NOT NULL,
    skipped TEXT NOT NULL
);
-- dedup's answers: keyed by a hash of what one depends on (each readable file's path, row
-- id and size; row ids are never reused, so a row id is one fingerprint) with the
-- grouping's version and thresholds (spec, hashed too); the files' rows (JSON path ->
-- id) for a later run that only added files; the answer as JSON. The newest
-- KEEP_RESULTS are kept.
CREATE TABLE IF NOT EXISTS answers (
    settings TEXT NOT NULL,
    inputs TEXT NOT NULL,
    spec TEXT NOT NULL,
    documents INTEGER NOT NULL,
    rows TEXT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (settings, inputs)
);
CREATE TABLE IF NOT EXISTS walked (
    walk INTEGER NOT NULL,
    key TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (walk, key)
) WITHOUT ROWID;
"""
#: A new cache's page size, in bytes. A cold run writes about 13 KB a document (a
#: shingle set of 8 KB, the signatures of 3 KB): in SQLite's default 4 KB pages those are
#: chains of overflow pages, and writing them cost the parent half a second of CPU per
#: 10,000 documents, beside the workers; in 32 KB pages it costs half that, and reading
#: a few rows costs the same.
PAGE_SIZE = 32768
#: Keys in one page of the band index: a page's row (3 KB) fits in one database page.
BAND_PAGE = 256
#: SQLite's types of a whole row's key_hash, tokens, holes, count, signature, halves.
_ROW_TYPES = "textintegerintegerintegerblobblob"
#: What a whole row is: the column types, and one signature and two of the same length.
#: SQLite checks it from each row's header, without reading the values, so Python sees
#: only whole rows (every read of signatures asks it; a row that fails is a miss).
_WHOLE_ROW = (
    "typeof(key_hash) || typeof(tokens) || typeof(holes) || typeof(count) "
    f"|| typeof(signature) || typeof(halves) = '{_ROW_TYPES}' "
    "AND length(signature) > 0 AND length(signature) % 8 = 0 "
    "AND length(halves) = 2 * length(signature)"
)
#: Tables of older schemas, dropped when a cache is upgraded (it is only a cache).
_OLD_TABLES = (
    "fingerprints",
    "shingles",
    "failures",
    "bands",
    "band_pages",
    "walks",
    "walked",
    "answers",
)
#: Schemas upgraded in place: the tables dropped (derived from the fingerprints, which
#: are kept, and built again when next needed).
_UPGRADES = {"4": ("bands",)}
#: Files up to which :meth:`SignatureCache.fresh` looks rows up by path instead of
#: reading the index of every row's version.
_ASKED_BY_PATH = 2_000
#: Dedup answers kept per settings (one per archive a user keeps deduplicating).
KEEP_RESULTS = 16


def default_path() -> Path:
    """``$XDG_CACHE_HOME/docdiff/index.sqlite`` (``~/.cache`` by default; LOCALAPPDATA on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "docdiff" / "index.sqlite"


class Listing(NamedTuple):
    """A recorded folder walk (:meth:`SignatureCache.listing`)."""

    walk: int
    folders: list[tuple[str, int, int]]
    documents: int
    errors: list[tuple[str, str]]
    #: The ``"device:inode:"`` of the files it left out (the filed copy).
    skipped: set[str]


class Stat(NamedTuple):
    """What identifies a version of a file without reading it (a tuple: one is made for
    every archived file on every run).

    ``path`` is the path as walked (what the user sees); ``key`` the file's identity in
    the cache: device, inode and the absolute resolved path, as valid UTF-8 (a name in
    GBK bytes is stored with its undecodable bytes escaped).
    """

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0
    key: str = ""

    def matches(self, size: object, mtime_ns: object, ctime_ns: object) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns) == (size, mtime_ns, ctime_ns)


def text_key(path: str) -> str:
    """A path as valid UTF-8 text: undecodable bytes (surrogate escapes) as ``\\xNN``."""
    if path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _absolute(path: str) -> str:
    """``os.path.abspath``, without its normalising pass for a path that needs none (what
    the walk makes of an absolute root): this runs once per archived file."""
    plain = path[:1] == "/" and path[-1:] != "/" and "/." not in path and "//" not in path
    if plain and os.sep == "/":
        return path
    return os.path.abspath(path)


def identity(st: os.stat_result) -> str:
    """``"device:inode:"``: how a cache key (:attr:`Stat.key`) begins."""
    return f"{st.st_dev}:{st.st_ino}:"


def stat(path: str) -> Stat:
    st = os.stat(path)
    key = identity(st) + text_key(_absolute(path))
    return Stat(path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, key)


def _pack(fp: Fingerprint) -> tuple[bytes, bytes]:
    """The signature and the halves' as stored: little-endian (no copy where that is the
    machine's order)."""
    return (
        fp.signature.astype("<u8", copy=False).tobytes(),
        np.concatenate(fp.halves).astype("<u8", copy=False).tobytes(),
    )


#: Failures that depend on something other than the file's bytes: asked again next run.
_PASSING = (
    "permission denied",
    "pip install",
    "apt-get install",
    "no such file",
    "cannot read",
    "not a regular file",
    "limit",
    "memory",
    "is a directory",
)


def permanent(error: str) -> bool:
    """Whether a failure is decided by the file's bytes alone (binary, undecodable,
    broken): only those are worth remembering while the file is unchanged."""
    lowered = error.lower()
    return not any(word in lowered for word in _PASSING)


class SignatureCache:
    """Fingerprints by (path, settings), valid while the file's size and mtime hold."""

    def __init__(
        self, path: str | os.PathLike[str], settings: str, *, default: bool = False
    ) -> None:
        self.path = Path(path)
        self.settings = settings
        self.warnings: list[str] = []
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open(default)
        except (sqlite3.Error, OSError, CacheError) as exc:
            self.warnings.append(f"cache {self.path} not used: {exc}")
            self._db = None

    def _open(self, default: bool) -> sqlite3.Connection:
        if default:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except (sqlite3.DatabaseError, CacheError) as exc:
            corrupt = isinstance(exc, CacheError) or any(
                word in str(exc) for word in ("not a database", "malformed", "corrupt")
            )
            # locked, read-only or unopenable is not corrupt: bypassed, never moved aside
            if not default or not corrupt:
                raise
            aside = self.path.with_suffix(".corrupt")
            self.path.replace(aside)
            self.warnings.append(f"cache {self.path} was corrupt: moved to {aside.name}, rebuilt")
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=2.0)
        try:
            # another program's database is left as it is: not even its journal mode set
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "meta" not in tables:
                raise CacheError("not a docdiff cache")
            if not tables:  # a new cache (the page size is fixed once WAL is on)
                db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=WAL")
            # no fsync: the cache is derived data, so a power cut may at worst spoil it,
            # which the next run detects (as any corrupt cache); waiting for the disk
            # cost a cold dedup an eighth of its time
            db.execute("PRAGMA synchronous=OFF")
            db.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] in _UPGRADES:
                with db:
                    for table in _UPGRADES[row[0]]:
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    db.execute(
                        "UPDATE meta SET value = ? WHERE key='schema'", (str(SCHEMA_VERSION),)
                    )
                row = (str(SCHEMA_VERSION),)
            if row is not None and row[0] != str(SCHEMA_VERSION):
                if not (row[0].isdigit() and int(row[0]) < SCHEMA_VERSION):
                    raise CacheError(f"schema {row[0]}, this docdiff writes {SCHEMA_VERSION}")
                columns = {c[1] for c in db.execute("PRAGMA table_info(fingerprints)")}
                if not {"path", "settings", "key_hash"} <= columns:  # not ours: never dropped
                    raise CacheError("not a docdiff cache")
                # an older docdiff's cache: its fingerprints would all miss anyway
                with db:
                    for table in _OLD_TABLES:
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    db.execute("DELETE FROM meta WHERE key='schema'")
                self.warnings.append(
                    f"cache {self.path} was made by an older docdiff (schema {row[0]}): rebuilt"
                )
                row = None
            db.executescript(_SCHEMA)
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            db.commit()
        except Exception:
            db.close()
            raise
        return db

    def get_many(
        self, stats: Iterable[Stat], *, shingles: bool = True, ids: dict[str, int] | None = None
    ) -> dict[str, Fingerprint]:
        """Fingerprints of the files whose size and mtime still match.

        With ``shingles=False`` the shingle sets are not read (they are most of the
        cache's bytes, in a table of their own) and come back empty: enough to shortlist
        by signature. ``ids``, when given, receives each found file's row id.
        """
        if self._db is None:
            return {}
        wanted = {s.key: s for s in stats}
        found: dict[str, Fingerprint] = {}
        data, join = (
            ("s.data", "JOIN shingles s ON s.path = f.path AND s.settings = f.settings")
            if shingles
            else ("x''", "")
        )
        query = (
            "SELECT f.path, f.size, f.mtime_ns, f.ctime_ns, key_hash, tokens, holes, count, "
            f"{data}, signature, halves, id FROM fingerprints f {join} "
            f"WHERE f.settings = ? AND {_WHOLE_ROW} AND typeof({data}) = 'blob'"
        )
        # the rows that match a file and decode; a row that does not is a miss, rewritten
        # later. Their signatures go into one growing buffer, each fingerprint a view on
        # it: one allocation instead of three for each of 40,000 rows, and no row kept.
        kept: list[tuple[str, str, int, int, int, bytes, int]] = []
        block = bytearray()
        width = 0
        try:
            for row in self._db.execute(query, (self.settings,)):
                s = wanted.get(row[0])
                if s is None or not s.matches(row[1], row[2], row[3]):
                    continue
                key_hash, tokens, holes, count, packed, sig, halves, row_id = row[4:]
                width = width or len(sig)
                if len(sig) == width:
                    kept.append((s.path, key_hash, tokens, holes, count, packed, row_id))
                    block += sig
                    block += halves
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        if not kept:
            return found
        sigs = np.frombuffer(block, dtype=np.uint64).reshape(len(kept), 3, width // 8)
        sigs.flags.writeable = False  # nothing downstream writes to a fingerprint
        for i, (path, key_hash, tokens, holes, count, packed, row_id) in enumerate(kept):
            try:
                values = unpack_shingles(packed) if packed else no_shingles()
            except ValueError:
                continue
            if ids is not None:
                ids[path] = row_id
            found[path] = Fingerprint(
                key_hash=key_hash,
                tokens=tokens,
                shingles=values,
                signature=sigs[i, 0],
                halves=(sigs[i, 1], sigs[i, 2]),
                holes=holes,
                count=count,
            )
        return found

    def fresh(self, stats: Iterable[Stat]) -> dict[str, int]:
        """The files whose row still matches them: path -> row id.

        Reads only the index of the rows' versions, not the rows: a row that turns out
        not to decode when it is read (:meth:`by_id`, :meth:`get_many`) is a miss then.
        """
        if self._db is None:
            return {}
        # a row is current when its key, size and times are a file's now: one lookup of
        # the row's first four columns each (this runs for every archived file)
        wanted = {(s.key, s.size, s.mtime_ns, s.ctime_ns): s.path for s in stats}
        found: dict[str, int] = {}
        columns = "SELECT path, size, mtime_ns, ctime_ns, id FROM fingerprints WHERE settings = ?"
        try:
            if len(wanted) <= _ASKED_BY_PATH:  # a few files: looked up, not a pass over all
                query = columns + " AND path IN ({marks})"
                keys = [version[0] for version in wanted]
                rows = list(self._in_batches(query, (self.settings,), keys))
            else:
                rows = self._db.execute(columns, (self.settings,)).fetchall()
            get = wanted.get
            for row in rows:
                path = get(row[:4])
                if path is not None:
                    found[path] = row[4]
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        return found

    def _in_batches(
        self, query: str, before: tuple[object, ...], values: Iterable[Any]
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of ``query``, whose ``{marks}`` is an ``IN`` list, for every one of
        ``values``: 500 at a time, as SQLite allows 999 parameters."""
        assert self._db is not None
        wanted = sorted(set(values))
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            marks = ",".join("?" * len(batch))
            yield from self._db.execute(query.format(marks=marks), (*before, *batch))

    def by_id(self, ids: Iterable[int]) -> dict[int, Fingerprint]:
        """The fingerprints (without shingle sets) of the given rows; rows that are gone
        or do not decode are left out."""
        if self._db is None:
            return {}
        found: dict[int, Fingerprint] = {}
        query = (
            "SELECT id, key_hash, tokens, holes, count, signature, halves FROM fingerprints "
            f"WHERE settings = ? AND id IN ({{marks}}) AND {_WHOLE_ROW}"
        )
        try:
            for row_id, key_hash, tokens, holes, count, sig, halves in self._in_batches(
                query, (self.settings,), ids
            ):
                # read-only views on the row's bytes: nothing downstream writes to them
                found[row_id] = from_row((key_hash, tokens, holes, count, sig + halves))
        except sqlite3.Error as exc:
            self._give_up(exc)
        return found

    def signatures(self, after: int = 0) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
        """Row ids above ``after`` and their three signatures (whole, first half, second
        half): shapes ``(n,)`` and ``(n, 3, num_perm)``. Rows that do not decode are left
        out."""
        ids: list[int] = []
        parts: list[bytes] = []
        size = 0
        if self._db is not None:
            try:
                rows = self._db.execute(
                    "SELECT id, signature, halves FROM fingerprints "
                    f"WHERE settings = ? AND id > ? AND {_WHOLE_ROW} ORDER BY id",
                    (self.settings, after),
                )
                for row_id, sig, halves in rows:
                    size = size or len(sig)
                    if len(sig) == size:
                        ids.append(row_id)
                        parts.append(sig + halves)
            except sqlite3.Error as exc:
                self._give_up(exc)
                ids, parts = [], []
        sigs = np.frombuffer(b"".join(parts), dtype="<u8").astype(np.uint64)
        return np.array(ids, dtype=np.int64), sigs.reshape(len(ids), 3, -1) if ids else sigs

    def row_count(self) -> int:
        """How many fingerprints the cache holds for these settings."""
        if self._db is None:
            return 0
        try:
            row = self._db.execute(
                "SELECT count(*) FROM fingerprints WHERE settings = ?", (self.settings,)
            ).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return 0
        return int(row[0])

    def band_index(self) -> BandIndex | None:
        """The stored band index, or None when there is none yet."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT upto, size FROM bands WHERE settings = ?", (self.settings,)
            ).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        if row is None or not all(isinstance(v, int) for v in row):
            return None
        return BandIndex(self._db, self.settings, upto=row[0], size=row[1])

    def put_band_index(
        self, upto: int, keys: npt.NDArray[np.uint64], ids: npt.NDArray[np.integer[Any]]
    ) -> bool:
        """Store the band index: ``keys`` sorted, ``ids[i]`` the row that has ``keys[i]``.

        False when it was not stored: no cache, or a row id past 32 bits. Lookups then
        band in memory, as without the index.
        """
        if self._db is None or (ids.size and int(ids.max()) >= 1 << 32):
            return False
        packed_keys = keys.astype("<u8").tobytes()
        packed_ids = ids.astype("<u4").tobytes()
        # each page's last key: every BAND_PAGE-th key, then the last one when the last
        # page is not full (cut to the number of pages)
        lasts = (keys[BAND_PAGE - 1 :: BAND_PAGE].tolist() + keys[-1:].tolist())[
            : -(-keys.size // BAND_PAGE)
        ]
        pages = (
            (
                self.settings,
                page,
                last - (1 << 63),
                packed_keys[8 * BAND_PAGE * page : 8 * BAND_PAGE * (page + 1)],
                packed_ids[4 * BAND_PAGE * page : 4 * BAND_PAGE * (page + 1)],
            )
            for page, last in enumerate(lasts)
        )
        try:
            with self._db:
                self._db.execute("DELETE FROM band_pages WHERE settings = ?", (self.settings,))
                self._db.execute(
                    "INSERT OR REPLACE INTO bands VALUES (?, ?, ?)",
                    (self.settings, upto, keys.size),
                )
                self._db.executemany("INSERT INTO band_pages VALUES (?, ?, ?, ?, ?)", pages)
        except sqlite3.Error as exc:
            self._give_up(exc)
            return False
        return True

    def shingles(self, stats: Iterable[Stat]) -> dict[str, npt.NDArray[np.uint32]]:
        """The shingle sets of cached files (see ``get_many(shingles=False)``), by path."""
        if self._db is None:
            return {}
        found: dict[str, npt.NDArray[np.uint32]] = {}
        by_key = {s.key: s.path for s in stats}
        query = "SELECT path, data FROM shingles WHERE settings = ? AND path IN ({marks})"
        try:
            for key, packed in self._in_batches(query, (self.settings,), by_key):
                if isinstance(packed, bytes):
                    try:
                        found[by_key[key]] = unpack_shingles(packed)
                    except ValueError:
                        continue
        except sqlite3.Error as exc:
            self._give_up(exc)
        return found

    def failures(self, stats: Iterable[Stat]) -> dict[str, str]:
        """Files that could not be read last time, unchanged since: path -> error."""
        if self._db is None:
            return {}
        wanted = {s.key: s for s in stats}
        found: dict[str, str] = {}
        try:
            rows = self._db.execute(
                "SELECT path, size, mtime_ns, ctime_ns, error FROM failures WHERE settings = ?",
                (self.settings,),
            )
            for key, size, mtime, ctime, error in rows:
                s = wanted.get(key)
                if s is not None and s.matches(size, mtime, ctime) and isinstance(error, str):
                    found[s.path] = error
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        return found

    def put_failures(self, items: Iterable[tuple[Stat, str]]) -> None:
        """Remember files that could not be read, so that an unchanged one is not read again."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (s.key, self.settings, s.size, s.mtime_ns, s.ctime_ns, error)
                        for s, error in items
                        if permanent(error)
                    ),
                )
        except sqlite3.Error as exc:
            self._give_up(exc)

    def put_many(self, items: Iterable[tuple[Stat, Fingerprint, bytes]]) -> None:
        """Store fingerprints, each with its shingle set packed
        (:func:`difftool.fingerprint.pack_shingles`); a failure disables the cache for
        the rest of the run."""
        if self._db is None:
            return
        rows = list(items)
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO fingerprints (path, settings, size, mtime_ns, "
                    "ctime_ns, key_hash, tokens, holes, count, signature, halves) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            s.key,
                            self.settings,
                            s.size,
                            s.mtime_ns,
                            s.ctime_ns,
                            fp.key_hash,
                            fp.tokens,
                            fp.holes,
                            fp.count,
                            *_pack(fp),
                        )
                        for s, fp, _ in rows
                    ),
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO shingles VALUES (?, ?, ?)",
                    ((s.key, self.settings, packed) for s, _, packed in rows),
                )
        except sqlite3.Error as exc:
            self._give_up(exc)

    def result(self, inputs: str) -> str | None:
        """The dedup answer stored for ``inputs`` (:meth:`put_result`), or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT result FROM answers WHERE settings = ? AND inputs = ?",
                (self.settings, inputs),
            ).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        return row[0] if row is not None and isinstance(row[0], str) else None

    def earlier_results(self, spec: str, limit: int = 4) -> list[tuple[str, str]]:
        """The newest answers made under ``spec``: each as (its files' rows as JSON, the
        answer as JSON)."""
        if self._db is None:
            return []
        try:
            rows = self._db.execute(
                "SELECT rows, result FROM answers WHERE settings = ? AND spec = ? "
                "ORDER BY rowid DESC LIMIT ?",
                (self.settings, spec, limit),
            ).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return []
        return [(r, a) for r, a in rows if isinstance(r, str) and isinstance(a, str)]

    def put_result(self, inputs: str, spec: str, rows: dict[str, int], result: str) -> None:
        """Store a dedup answer, keeping the newest :data:`KEEP_RESULTS` of these settings."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute(
                    "DELETE FROM answers WHERE settings = ? AND inputs = ?",
                    (self.settings, inputs),
                )
                self._db.execute(
                    "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                    (self.settings, inputs, spec, len(rows), json.dumps(rows), result),
                )
                self._db.execute(
                    "DELETE FROM answers WHERE settings = ? AND rowid NOT IN (SELECT rowid "
                    "FROM answers WHERE settings = ? ORDER BY rowid DESC LIMIT ?)",
                    (self.settings, self.settings, KEEP_RESULTS),
                )
        except sqlite3.Error as exc:
            self._give_up(exc)

    def listing(self, spec: str) -> Listing | None:
        """The walk recorded under ``spec`` (:meth:`put_listing`), or None: none is, or
        it does not decode."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT id, folders, documents, errors, skipped FROM walks WHERE spec = ?",
                (spec,),
            ).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        if row is None:
            return None
        try:
            walk, folders, documents, errors, skipped = row
            listing = Listing(
                walk,
                [(str(p), int(m), int(c)) for p, m, c in json.loads(folders)],
                int(documents),
                [(str(p), str(e)) for p, e in json.loads(errors)],
                {str(identity) for identity in json.loads(skipped)},
            )
        except (TypeError, ValueError):
            return None
        return listing if isinstance(walk, int) else None

    def put_listing(
        self,
        spec: str,
        folders: Iterable[tuple[str, int, int]],
        files: Iterable[Stat],
        documents: int,
        errors: Iterable[tuple[str, str]],
        skipped: Iterable[str],
    ) -> None:
        """Record a walk under ``spec``, replacing the one recorded before (unless it is
        the same: the same folders at the same times list the same files)."""
        if self._db is None:
            return
        row = (
            json.dumps(list(folders)),
            documents,
            json.dumps(list(errors)),
            json.dumps(sorted(skipped)),
        )
        try:
            with self._db:
                old = self._db.execute(
                    "SELECT id, folders, documents, errors, skipped FROM walks WHERE spec = ?",
                    (spec,),
                ).fetchone()
                if old is not None and tuple(old[1:]) == row:
                    return
                if old is not None:
                    self._db.execute("DELETE FROM walked WHERE walk = ?", (old[0],))
                    self._db.execute("DELETE FROM walks WHERE id = ?", (old[0],))
                walk = self._db.execute(
                    "INSERT INTO walks (spec, folders, documents, errors, skipped) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (spec, *row),
                ).lastrowid
                self._db.executemany(
                    "INSERT OR REPLACE INTO walked VALUES (?, ?, ?)",
                    ((walk, s.key, json.dumps(s.path)) for s in files),
                )
        except sqlite3.Error as exc:
            self._give_up(exc)

    def listed(self, walk: int, ids: Iterable[int]) -> dict[int, Stat]:
        """Of the given rows, those of files in the recorded walk ``walk``: row id -> the
        version the row was made from, under the path the file was walked as."""
        if self._db is None:
            return {}
        found: dict[int, Stat] = {}
        query = (
            "SELECT f.id, w.path, f.size, f.mtime_ns, f.ctime_ns, f.path "
            "FROM fingerprints f JOIN walked w ON w.walk = ? AND w.key = f.path "
            "WHERE f.settings = ? AND f.id IN ({marks})"
        )
        try:
            for row_id, path, size, mtime, ctime, key in self._in_batches(
                query, (walk, self.settings), ids
            ):
                try:
                    found[row_id] = Stat(str(json.loads(path)), size, mtime, ctime, key)
                except (TypeError, ValueError):
                    continue
        except sqlite3.Error as exc:
            self._give_up(exc)
        return found

    @property
    def usable(self) -> bool:
        """Whether the cache is still open (a failed write closes it for the run)."""
        return self._db is not None

    def _give_up(self, exc: Exception) -> None:
        self.warnings.append(f"cache {self.path} not used: {exc}")
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class BandIndex:
    """The stored LSH band keys of every row up to ``upto``, sorted, with their row ids,
    in pages (table ``band_pages``): a lookup is one index seek and one page per key
    (two when its rows run past a page's end), whatever the archive's size."""

    def __init__(self, db: sqlite3.Connection, settings: str, *, upto: int, size: int) -> None:
        self._db = db
        self._settings = settings
        self.upto = upto
        self.size = size

    def lookup(self, keys: Iterable[int], limit: int) -> set[int]:
        """Row ids that have any of ``keys``; a key held by more than ``limit`` rows (a
        degenerate bucket: empty or tiny documents) gives none."""
        found: set[int] = set()
        for rows in self._buckets(keys, limit):
            if rows is not None:
                found.update(rows)
        return found

    def buckets(self, keys: Iterable[int], limit: int) -> dict[int, list[int]] | None:
        """Each of ``keys`` with the rows that hold it (none: the key is not held);
        None when a key is held by more than ``limit`` rows."""
        wanted = sorted(set(keys))
        found: dict[int, list[int]] = {}
        for key, rows in zip(wanted, self._buckets(wanted, limit)):
            if rows is None:
                return None
            found[key] = rows
        return found

    def _buckets(self, keys: Iterable[int], limit: int) -> Iterator[list[int] | None]:
        """For each key, its rows; None for one held by more than ``limit`` rows.

        Raises:
            sqlite3.Error: the pages cannot be read; ValueError: a page is spoilt.
        """
        query = (
            "SELECT keys, ids FROM band_pages WHERE settings = ? AND last >= ? ORDER BY last, page"
        )
        for key in keys:
            rows: list[int] = []
            # the first page whose last key is at least this one holds the key's first
            # row, if any holds it; its rows may go on into the following pages
            for packed_keys, packed_ids in self._db.execute(
                query, (self._settings, key - (1 << 63))
            ):
                if not isinstance(packed_keys, bytes) or not isinstance(packed_ids, bytes):
                    raise ValueError("spoilt band index page")
                page_keys = np.frombuffer(packed_keys, dtype="<u8")  # ValueError if cut
                if 4 * page_keys.size != len(packed_ids):
                    raise ValueError("spoilt band index page")
                at = np.uint64(key)
                lo = int(np.searchsorted(page_keys, at, side="left"))
                hi = int(np.searchsorted(page_keys, at, side="right"))
                rows += np.frombuffer(packed_ids[4 * lo : 4 * hi], dtype="<u4").tolist()
                if len(rows) > limit or hi < page_keys.size:
                    break  # past the limit, or the key's rows end on this page
            yield None if len(rows) > limit else rows

    def read(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32]]:
        """The whole index: the sorted keys and the row id of each (read-only).

        Raises:
            sqlite3.Error: the pages cannot be read; ValueError: they do not make the
            index.
        """
        pages = self._db.execute(
            "SELECT keys, ids FROM band_pages WHERE settings = ? ORDER BY page", (self._settings,)
        ).fetchall()
        if not all(isinstance(k, bytes) and isinstance(i, bytes) for k, i in pages):
            raise ValueError("spoilt band index page")
        keys = np.frombuffer(b"".join(p[0] for p in pages), dtype="<u8")
        ids = np.frombuffer(b"".join(p[1] for p in pages), dtype="<u4")
        if keys.size != self.size or ids.size != self.size:
            raise ValueError("spoilt band index")
        return keys.astype(np.uint64, copy=False), ids.astype(np.uint32, copy=False)


def lookup_sorted(
    keys: npt.NDArray[np.uint64],
    owners: npt.NDArray[np.integer[Any]],
    wanted: npt.NDArray[np.uint64],
    limit: int,
) -> set[int]:
    """The owners of ``wanted`` keys in a band index held in memory (``keys`` sorted);
    a key held by more than ``limit`` rows gives none, as :meth:`BandIndex.lookup`."""
    lo = np.searchsorted(keys, wanted, side="left")
    hi = np.searchsorted(keys, wanted, side="right")
    found: set[int] = set()
    for a, b in zip(lo.tolist(), hi.tolist()):
        if 0 < b - a <= limit:
            found.update(owners[a:b].tolist())
    return found
