"""Find the documents under the folders an archivist points at."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Found:
    """Files to read, in a stable order, and what could not be walked."""

    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def _matches(path: str, root: str, patterns: Iterable[str]) -> bool:
    name = os.path.basename(path)
    rel = os.path.relpath(path, root)
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def walk(
    roots: Iterable[str | os.PathLike[str]],
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    hidden: bool = False,
) -> Found:
    """List the regular files under ``roots`` (files given directly are taken as they are).

    Folders are walked recursively without following symbolic links to folders, so a
    link loop cannot trap the walk; linked files are read once, under the first path
    that reaches them. Hidden files and folders (names starting with ``.``) are skipped
    unless ``hidden``. ``include`` globs keep only matching files; ``exclude`` globs drop
    files; both match the file name or the path relative to its root.
    """
    include, exclude = tuple(include), tuple(exclude)
    found = Found()
    seen: set[str] = set()

    def consider(path: str, root: str) -> None:
        if include and not _matches(path, root, include):
            return
        if exclude and _matches(path, root, exclude):
            return
        real = os.path.realpath(path)
        if real in seen:
            return
        if not os.path.isfile(real):
            found.errors.append((path, "not a regular file"))
            return
        seen.add(real)
        found.files.append(path)

    for root_path in roots:
        root = os.fspath(root_path)
        if os.path.isfile(root):
            consider(root, os.path.dirname(root) or ".")
            continue
        if not os.path.isdir(root):
            found.errors.append((root, "no such file or folder"))
            continue

        def onerror(exc: OSError, root: str = root) -> None:
            found.errors.append((exc.filename or root, exc.strerror or str(exc)))

        for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=False):
            if not hidden:
                dirs[:] = [d for d in dirs if not d.startswith(".")]
            dirs.sort()
            for name in sorted(files):
                if hidden or not name.startswith("."):
                    consider(os.path.join(folder, name), root)
    return found
