"""Find the documents under the folders an archivist points at."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

#: Deepest folder read below a root; deeper ones are listed as errors.
MAX_DEPTH = 256


@dataclass
class Found:
    """Files to read, in a stable order, and what could not be walked."""

    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: Files left out because their ``(device, inode)`` was in ``skip``.
    skipped: list[str] = field(default_factory=list)
    #: Every folder read and every root file, with its mtime and ctime (ns) as they
    #: were before it was read: while these hold, no file was added, removed or
    #: renamed in it (what ``match --trust-cache`` checks instead of every file).
    folders: list[tuple[str, int, int]] = field(default_factory=list)


def _matches(path: str, root: str, patterns: Iterable[str]) -> bool:
    name = os.path.basename(path)
    rel = os.path.relpath(path, root)
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


_name = attrgetter("name")


def walk(
    roots: Iterable[str | os.PathLike[str]],
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    hidden: bool = False,
    skip: Iterable[tuple[int, int]] = (),
) -> Found:
    """List the regular files under ``roots`` (files given directly are taken as they are).

    Folders are walked recursively without following symbolic links to folders, so a
    link loop cannot trap the walk; linked files are read once, under the first path
    that reaches them. Hidden files and folders (names starting with ``.``) are skipped
    unless ``hidden``. ``include`` globs keep only matching files; ``exclude`` globs drop
    files; both match the file name or the path relative to its root. Files whose
    ``(device, inode)`` is in ``skip`` are left out under whatever path reaches them.
    """
    include, exclude = tuple(include), tuple(exclude)
    found = Found()
    # (device, inode): a file reached twice is read once; a skipped one never
    skipping = set(skip)
    seen: set[tuple[int, int]] = set()
    filtered = bool(include or exclude)
    files = found.files

    def consider(path: str, root: str, *, identity: tuple[int, int] | None = None) -> None:
        if include and not _matches(path, root, include):
            return
        if exclude and _matches(path, root, exclude):
            return
        if identity is None:  # a link or a file named directly: ask the file system
            try:
                st = os.stat(path)
            except OSError as exc:
                found.errors.append((path, exc.strerror or str(exc)))
                return
            if not stat.S_ISREG(st.st_mode):
                found.errors.append((path, "not a regular file"))
                return
            identity = (st.st_dev, st.st_ino)
        if identity in seen:
            return
        seen.add(identity)
        (found.skipped if identity in skipping else found.files).append(path)

    def record(path: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return  # reading it fails too, and says why
        found.folders.append((path, st.st_mtime_ns, st.st_ctime_ns))

    def scan(top: str, root: str, device: int) -> None:
        # an explicit stack, not recursion: a tree 1,100 levels deep is walked (to
        # MAX_DEPTH), not a RecursionError that ends the run
        stack: list[tuple[str, int]] = [(top, 0)]
        while stack:
            folder, depth = stack.pop()
            if depth > MAX_DEPTH:
                found.errors.append(
                    (folder, f"folder nested over {MAX_DEPTH} levels deep: not read")
                )
                continue
            record(folder)  # before reading it: a change while it is read shows next time
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=_name)
            except OSError as exc:
                found.errors.append((folder, exc.strerror or str(exc)))
                continue
            folders: list[str] = []
            for entry in entries:
                if not hidden and entry.name[:1] == ".":
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        # the inode comes with the directory entry: no system call per file
                        identity = (device, entry.inode())
                        if filtered or identity in seen or identity in skipping:
                            consider(entry.path, root, identity=identity)
                        else:  # most files of an archive, at a set's speed
                            seen.add(identity)
                            files.append(entry.path)
                    elif entry.is_symlink():
                        if not os.path.isdir(entry.path):
                            consider(entry.path, root)  # a link to a file; not to folders
                    elif (include and not _matches(entry.path, root, include)) or (
                        exclude and _matches(entry.path, root, exclude)
                    ):
                        continue
                    else:  # a FIFO, a socket or a device: listed, never opened
                        found.errors.append((entry.path, "not a regular file"))
                except OSError as exc:
                    found.errors.append((entry.path, exc.strerror or str(exc)))
            # files of a folder before its subfolders, subfolders in name order
            stack.extend((path, depth + 1) for path in reversed(folders))

    for root_path in roots:
        root = os.fspath(root_path)
        if os.path.isfile(root):
            record(root)
            consider(root, os.path.dirname(root) or ".")
        elif os.path.isdir(root):
            scan(root, root, os.stat(root).st_dev)
        else:
            found.errors.append((root, "no such file or folder"))
    return found
