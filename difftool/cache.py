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
aside and rebuilt, one given with ``--cache`` is only bypassed.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from difftool.errors import CacheError
from difftool.fingerprint import Fingerprint

SCHEMA_VERSION = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fingerprints (
    path TEXT NOT NULL,
    settings TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    key_hash TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    holes INTEGER NOT NULL,
    shingles BLOB NOT NULL,
    signature BLOB NOT NULL,
    halves BLOB NOT NULL,
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
"""


def default_path() -> Path:
    """``$XDG_CACHE_HOME/docdiff/index.sqlite`` (``~/.cache`` by default; LOCALAPPDATA on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "docdiff" / "index.sqlite"


@dataclass(frozen=True)
class Stat:
    """What identifies a version of a file without reading it.

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
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def stat(path: str) -> Stat:
    st = os.stat(path)
    key = f"{st.st_dev}:{st.st_ino}:{text_key(os.path.abspath(path))}"
    return Stat(path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, key)


def _pack(fp: Fingerprint) -> tuple[bytes, bytes, bytes]:
    # 24-bit shingle values as three little-endian bytes each (zlib would save a fifth
    # and cost more time than everything else the cache does)
    three = fp.shingles.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3]
    return (
        three.tobytes(),
        fp.signature.astype("<u8").tobytes(),
        np.concatenate(fp.halves).astype("<u8").tobytes(),
    )


def _unpack_shingles(data: bytes) -> npt.NDArray[np.uint32]:
    three = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3)
    four = np.zeros((three.shape[0], 4), dtype=np.uint8)
    four[:, :3] = three
    return four.view("<u4").reshape(-1).astype(np.uint32)


_EMPTY = np.zeros(0, dtype=np.uint32)


def _unpack(
    key_hash: str, tokens: int, shingles: bytes, sig: bytes, halves: bytes, holes: int = 0
) -> Fingerprint:
    # read-only views on the row's bytes: nothing downstream writes to a fingerprint
    both = np.frombuffer(halves, dtype=np.uint64)
    half = both.size // 2
    return Fingerprint(
        key_hash=key_hash,
        tokens=tokens,
        shingles=_unpack_shingles(shingles) if shingles else _EMPTY,
        signature=np.frombuffer(sig, dtype=np.uint64),
        halves=(both[:half], both[half:]),
        holes=holes,
    )


def _decoded(
    key_hash: object, tokens: object, holes: object, packed: object, sig: object, halves: object
) -> Fingerprint | None:
    """A row's fingerprint, or None when a column has the wrong type or length."""
    try:
        if not (isinstance(key_hash, str) and isinstance(tokens, int) and isinstance(holes, int)):
            return None
        if not all(isinstance(b, bytes) for b in (packed, sig, halves)):
            return None
        fp = _unpack(key_hash, tokens, packed, sig, halves, holes)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None
    if fp.signature.size == 0 or fp.halves[0].size != fp.signature.size:
        return None
    if fp.halves[1].size != fp.signature.size:
        return None
    return fp


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
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise CacheError(f"schema {row[0]}, this docdiff writes {SCHEMA_VERSION}")
            db.commit()
        except Exception:
            db.close()
            raise
        return db

    def get_many(self, stats: Iterable[Stat], *, shingles: bool = True) -> dict[str, Fingerprint]:
        """Fingerprints of the files whose size and mtime still match.

        With ``shingles=False`` the shingle sets are not read (they are most of the
        cache's bytes) and come back empty: enough to shortlist by signature.
        """
        if self._db is None:
            return {}
        wanted = {s.key: s for s in stats}
        found: dict[str, Fingerprint] = {}
        column = "shingles" if shingles else "x''"
        try:
            rows = self._db.execute(
                f"SELECT path, size, mtime_ns, ctime_ns, key_hash, tokens, holes, {column}, signature, "
                "halves FROM fingerprints WHERE settings = ?",
                (self.settings,),
            )
            for key, size, mtime, ctime, key_hash, tokens, holes, packed, sig, halves in rows:
                s = wanted.get(key)
                if s is None or not s.matches(size, mtime, ctime):
                    continue
                fp = _decoded(key_hash, tokens, holes, packed, sig, halves)
                if fp is not None:  # a row that does not decode is a miss, rewritten later
                    found[s.path] = fp
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        return found

    def shingles(self, paths: Iterable[str]) -> dict[str, npt.NDArray[np.uint32]]:
        """The shingle sets of cached paths (see ``get_many(shingles=False)``)."""
        if self._db is None:
            return {}
        found: dict[str, npt.NDArray[np.uint32]] = {}
        by_key: dict[str, str] = {}
        for path in paths:
            try:
                by_key[stat(path).key] = path
            except OSError:
                continue
        wanted = list(by_key)
        try:
            for start in range(0, len(wanted), 500):  # SQLite allows 999 parameters
                batch = wanted[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    f"SELECT path, shingles FROM fingerprints WHERE settings = ? AND path IN ({marks})",
                    (self.settings, *batch),
                )
                for key, packed in rows:
                    if isinstance(packed, bytes) and len(packed) % 3 == 0:
                        found[by_key[key]] = _unpack_shingles(packed)
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

    def put_many(self, items: Iterable[tuple[Stat, Fingerprint]]) -> None:
        """Store fingerprints; a failure disables the cache for the rest of the run."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                            *_pack(fp),
                        )
                        for s, fp in items
                    ),
                )
        except sqlite3.Error as exc:
            self._give_up(exc)

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
