"""What the benchmark scripts share."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_once() -> None:
    """Compile docdiff's modules as a normal install does: an installed package, or a
    Python that may write bytecode caches, does not recompile them on every run (some
    machines set PYTHONDONTWRITEBYTECODE, which would charge compilation to docdiff)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "difftool")], check=True)
