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
    fingerprint pass built from the revision's own source when it was built here, the
    modules compiled), removed after; exits with one line when git cannot make it."""
    tree = folder / "baseline"
    made = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision],
        capture_output=True,
    )
    if made.returncode:
        sys.exit(f"git worktree {revision} failed: {made.stderr.decode().strip()}")
    try:
        if any(ROOT.glob("difftool/_fastprint*.so")) and (tree / "setup.py").exists():
            # its own C source, not this tree's build: a change to the C is what is timed
            build = [sys.executable, "setup.py", "-q", "build_ext", "--inplace"]
            built = subprocess.run(build, cwd=tree, capture_output=True)
            if built.returncode:
                sys.exit(f"building {revision}'s extension failed: {built.stderr.decode()[-500:]}")
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


def _spin(loops: int) -> float:
    """Pure-Python arithmetic, no memory traffic to speak of: CPU time, nothing else."""
    total = 0
    for i in range(loops):
        total += i * i
    return float(total)


def parallel_ceiling(loops: int = 4_000_000) -> float:
    """What two processes give on this machine now: two equal CPU-bound tasks one after
    the other in this process, over the same two in a pool of two processes (the pool
    started before the clock). 2.0 on two idle cores; on a shared machine whose other
    tenants take a core, less, and no program's ``--jobs 2`` can beat it."""
    import time
    from concurrent.futures import ProcessPoolExecutor

    start = time.perf_counter()
    _spin(loops)
    _spin(loops)
    serial = time.perf_counter() - start
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, [1, 1]))  # both workers started
        start = time.perf_counter()
        list(pool.map(_spin, [loops, loops], chunksize=1))
        parallel = time.perf_counter() - start
    return serial / parallel
