"""Plan, apply, undo: the only module of docdiff that ever moves a file.

Finding duplicates and acting on them are separate steps, as rmlint does it:

1. ``docdiff dedup --plan plan.json`` writes a plan: for each group, the representative
   to keep and the other members proposed for quarantine, each with the size,
   modification time and SHA-256 it had when the plan was made. A plan is data, for a
   person to review and edit.
2. ``docdiff apply plan.json --move-to QUARANTINE`` moves the proposed files into a
   quarantine folder that mirrors their absolute paths, after checking each file
   against the plan (a file that changed since is skipped and reported), and writes a
   journal of every move before and after it happens.
3. ``docdiff undo JOURNAL`` moves them back.

Nothing is ever deleted: a move is a rename, or, across file systems, a copy that is
verified before the original is unlinked. Killed at any point, a re-run of apply or
undo reads the journal and the file system and finishes the job without losing or
duplicating a file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from difftool.errors import DocdiffError

PLAN_VERSION = 1
JOURNAL_NAME = "docdiff-journal-{plan}.jsonl"


class ActionError(DocdiffError):
    """A plan or journal that cannot be used, or a quarantine that cannot be written."""


def sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_entry(path: str) -> dict[str, Any]:
    st = os.stat(path)
    return {
        "path": os.path.abspath(path),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sha256": sha256(path),
    }


def make_plan(result: Any) -> dict[str, Any]:
    """The plan for a dedup result: keep each representative, propose the others."""
    groups = []
    for cluster in result.clusters:
        keep = _file_entry(cluster.representative)
        propose = []
        for member in cluster.members[1:]:
            entry = _file_entry(member.path)
            entry.update(
                similarity=round(member.similarity, 4),
                containment=round(member.containment, 4),
                partial=member.partial,
            )
            propose.append(entry)
        groups.append({"id": cluster.id, "keep": keep, "propose": propose})
    return {
        "docdiff_plan": PLAN_VERSION,
        "made": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "note": "Review before applying: every file under 'propose' is moved to quarantine.",
        "groups": groups,
    }


def write_plan(plan: dict[str, Any], path: str) -> None:
    tmp = f"{path}.part"
    with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as handle:
        json.dump(plan, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def read_plan(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            plan = json.load(handle)
    except OSError as exc:
        raise ActionError(f"{path}: cannot read the plan ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ActionError(f"{path}: not a plan (bad JSON at line {exc.lineno})") from None
    if not isinstance(plan, dict) or plan.get("docdiff_plan") != PLAN_VERSION:
        raise ActionError(f"{path}: not a docdiff plan (version {PLAN_VERSION})")
    for group in plan.get("groups", []):
        for entry in group.get("propose", []):
            if not {"path", "size", "mtime_ns", "sha256"} <= set(entry):
                raise ActionError(f"{path}: an entry of group {group.get('id')} lacks its checks")
    return plan


# --- the journal --------------------------------------------------------------------------


class Journal:
    """Append-only JSON lines, each flushed to disk before the step it announces."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        with open(self.path, encoding="utf-8", errors="surrogateescape") as handle:
            for line in handle:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line cut by a kill: what it announced is re-checked
        return out

    def write(self, **record: Any) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with open(self.path, "a", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


# --- moving one file ------------------------------------------------------------------------


def _mirror(quarantine: Path, path: str) -> Path:
    """Where a file goes in quarantine: its absolute path below the quarantine folder."""
    absolute = Path(os.path.abspath(path))
    return quarantine.joinpath(*absolute.parts[1:])


def _move(src: Path, dst: Path, digest: str) -> None:
    """Rename ``src`` to ``dst``; across file systems copy, verify, then unlink."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_file() and not dst.is_symlink() and sha256(dst) == digest == sha256(src):
        # a copy across file systems that was verified and renamed, then interrupted
        # before the original was unlinked: finish it
        src.unlink()
        return
    if dst.exists() or dst.is_symlink():
        raise ActionError(f"{dst}: already exists, not overwritten")
    try:
        os.rename(src, dst)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    part = dst.with_name(dst.name + ".docdiff-part")
    shutil.copy2(src, part)
    with open(part, "rb") as handle:
        os.fsync(handle.fileno())
    if sha256(part) != digest:
        part.unlink()
        raise ActionError(f"{src}: the copy in quarantine does not match; the file was left")
    os.rename(part, dst)
    src.unlink()  # only once the verified copy is in place


def _points_to(link: Path, target: Path) -> bool:
    return link.is_symlink() and os.path.abspath(os.readlink(link)) == os.path.abspath(target)


@dataclass
class Outcome:
    """What a run of apply or undo did, file by file."""

    done: list[tuple[str, str]] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    planned: list[tuple[str, str]] = field(default_factory=list)


def _proposed(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for group in plan.get("groups", []):
        yield from group.get("propose", [])


def apply(
    plan: dict[str, Any],
    quarantine: str | os.PathLike[str],
    *,
    plan_id: str,
    link: bool = False,
    dry_run: bool = False,
) -> tuple[Outcome, Path]:
    """Move the plan's proposed files into ``quarantine``; return what happened and the
    journal's path. Re-running after an interruption finishes the job."""
    root = Path(quarantine).absolute()
    journal = Journal(root / JOURNAL_NAME.format(plan=plan_id))
    outcome = Outcome()
    if not dry_run:
        root.mkdir(parents=True, exist_ok=True)
    finished = {r["src"] for r in journal.records() if r.get("state") == "done"}
    for entry in _proposed(plan):
        src, dst = Path(entry["path"]), _mirror(root, entry["path"])
        if entry["path"] in finished or _already_moved(src, dst, entry, link):
            if not dry_run and entry["path"] not in finished:
                _finish_link(src, dst, link)
                journal.write(
                    state="done", src=str(src), dst=str(dst), sha256=entry["sha256"], link=link
                )
            outcome.already.append(str(src))
            continue
        reason = _changed(src, entry)
        if reason:
            outcome.skipped.append((str(src), reason))
            continue
        if dry_run:
            outcome.planned.append((str(src), str(dst)))
            continue
        journal.write(state="moving", src=str(src), dst=str(dst), sha256=entry["sha256"], link=link)
        try:
            _move(src, dst, entry["sha256"])
        except (OSError, ActionError) as exc:
            outcome.skipped.append((str(src), _reason(exc)))
            continue
        _finish_link(src, dst, link)
        journal.write(state="done", src=str(src), dst=str(dst), sha256=entry["sha256"], link=link)
        outcome.done.append((str(src), str(dst)))
    return outcome, journal.path


def _already_moved(src: Path, dst: Path, entry: dict[str, Any], link: bool) -> bool:
    """A move that finished before an interruption: the file is in quarantine, intact,
    and its old place is empty (or holds our link)."""
    if not dst.is_file() or dst.is_symlink():
        return False
    place_free = not src.exists() and not src.is_symlink()
    if not (place_free or _points_to(src, dst)):
        return False
    return sha256(dst) == str(entry["sha256"])


def _finish_link(src: Path, dst: Path, link: bool) -> None:
    if link and not src.exists() and not src.is_symlink():
        os.symlink(dst, src)


def _changed(src: Path, entry: dict[str, Any]) -> str | None:
    """Why a file no longer matches its plan entry, or None."""
    try:
        st = os.stat(src, follow_symlinks=False)
    except FileNotFoundError:
        return "gone since the plan was made"
    except OSError as exc:
        return f"cannot check it ({exc.strerror})"
    if not os.path.isfile(src) or src.is_symlink():
        return "no longer a regular file"
    if st.st_size != entry["size"] or st.st_mtime_ns != entry["mtime_ns"]:
        return "changed since the plan was made (size or modification time)"
    if sha256(src) != entry["sha256"]:
        return "changed since the plan was made (content)"
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"not moved: {exc.strerror or exc}"
    return str(exc)


def undo(journal_path: str | os.PathLike[str], *, dry_run: bool = False) -> Outcome:
    """Move back every file a journal moved (latest first); re-running finishes the job."""
    journal = Journal(Path(journal_path))
    records = journal.records()
    if not records:
        raise ActionError(f"{journal_path}: no such journal, or an empty one")
    moved: dict[str, dict[str, Any]] = {}
    for record in records:  # the last word on each file wins
        if record.get("state") in ("moving", "done", "undone", "restoring"):
            moved[record["src"]] = record
    outcome = Outcome()
    for src_text, record in reversed(list(moved.items())):
        src, dst = Path(src_text), Path(record["dst"])
        if record["state"] == "undone" or _restored(src, dst, record):
            if record["state"] != "undone" and not dry_run:
                journal.write(
                    state="undone", src=src_text, dst=record["dst"], sha256=record["sha256"]
                )
            outcome.already.append(src_text)
            continue
        if not dst.is_file():
            outcome.skipped.append((src_text, f"not in quarantine any more ({dst})"))
            continue
        if src.exists() and not _points_to(src, dst):
            outcome.skipped.append((src_text, "its old place is taken: not overwritten"))
            continue
        if dry_run:
            outcome.planned.append((record["dst"], src_text))
            continue
        journal.write(state="restoring", src=src_text, dst=record["dst"], sha256=record["sha256"])
        if _points_to(src, dst):
            src.unlink()  # the stub docdiff left in the file's place
        try:
            src.parent.mkdir(parents=True, exist_ok=True)
            _move(dst, src, record["sha256"])
        except (OSError, ActionError) as exc:
            outcome.skipped.append((src_text, _reason(exc)))
            continue
        journal.write(state="undone", src=src_text, dst=record["dst"], sha256=record["sha256"])
        outcome.done.append((record["dst"], src_text))
    return outcome


def _restored(src: Path, dst: Path, record: dict[str, Any]) -> bool:
    """Back in its place, intact, and gone from quarantine: nothing left to do."""
    if not src.is_file() or src.is_symlink() or dst.exists():
        return False
    return sha256(src) == str(record["sha256"])


def plan_id(path: str) -> str:
    """A short name for a plan file's content: its journal is found again on a re-run."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def describe(outcome: Outcome, verb: str) -> Iterable[str]:
    """One line per file and a total, for the terminal."""
    for a, b in outcome.planned:
        yield f"would {verb} {a} -> {b}"
    for a, b in outcome.done:
        yield f"{verb}d {a} -> {b}"
    for path in outcome.already:
        yield f"already done: {path}"
    for path, reason in outcome.skipped:
        yield f"skipped {path}: {reason}"


__all__ = ["ActionError", "Outcome", "apply", "make_plan", "read_plan", "undo", "write_plan"]
