"""What the benchmark scripts share."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_once() -> None:
    """Compile docdiff's modules as a normal install does: an installed package, or a
    Python that may write bytecode caches, does not recompile them on every run (some
    machines set PYTHONDONTWRITEBYTECODE, which would charge compilation to docdiff)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "difftool")], check=True)


@contextmanager
def baseline_tree(revision: str, folder: Path) -> Iterator[Path]:
    """A git worktree of ``revision`` in ``folder``, set up as this tree is (the compiled
    fingerprint pass copied in when it was built here, the modules compiled), removed
    after; exits with one line when git cannot make it."""
    tree = folder / "baseline"
    made = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision],
        capture_output=True,
    )
    if made.returncode:
        sys.exit(f"git worktree {revision} failed: {made.stderr.decode().strip()}")
    try:
        for built in ROOT.glob("difftool/_fastprint*.so"):
            (tree / "difftool" / built.name).write_bytes(built.read_bytes())
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "difftool")])
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])


def run_in(tree: Path, code: str, *args: str) -> str:
    """What ``python -c code args`` prints with ``tree``'s docdiff (not this one's)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return done.stdout
