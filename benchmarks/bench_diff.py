"""Speed and signal of ``docdiff A B`` against ``git diff --no-index --word-diff``.

1. The seed pair (000 PDF text vs 001 web text): wall time of the whole command, median
   of ``--repeat`` runs, and how many changes each tool reports (git counts changed
   words; docdiff counts changed, inserted, removed and moved sentences).
2. A long pair: about ``--mb`` MB of report text (national work reports, or the seeds
   when the corpus is absent) against an edited copy in another layout, as a long law
   and its amended version would be.

3. Start-up against an earlier docdiff (``--baseline REV``, default the last commit of
   round 1): the seed pair's terminal diff with each, in alternating runs, and the
   interpreter's bare start-up (``python -c pass``) and the dependencies' imports (the
   floor), all in this run.

    python benchmarks/bench_diff.py --repeat 9 --mb 1
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import baseline_tree, compile_once  # noqa: E402

from difftool.variants import edit_sentences, pdf_layout, web_layout  # noqa: E402

SEED_A = ROOT / "seeds" / "000_4f0e4c14661ce8e0.txt"
SEED_B = ROOT / "seeds" / "001_c26eec80d6460b41.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "national_work_reports"


def wall(cmd: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    times = []
    proc = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    assert proc is not None
    return statistics.median(times), proc


def docdiff_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "difftool", *args]


def git_word_diff(a: Path, b: Path) -> list[str]:
    return ["git", "diff", "--no-index", "--word-diff=porcelain", "--no-color", str(a), str(b)]


def git_changes(out: str) -> int:
    """Changed words in git's porcelain word diff: lines starting with - or + (not headers)."""
    return sum(1 for line in out.splitlines() if re.match(r"^[-+](?![-+]{2} )", line))


def docdiff_changes(out: str) -> int:
    summary = json.loads(out)["summary"]
    return summary["change"] + summary["insert"] + summary["delete"] + summary["move"]


def long_pair(folder: Path, megabytes: float) -> tuple[Path, Path]:
    texts = (
        [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
        if CORPUS.is_dir()
        else []
    )
    texts = texts or [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    body: list[str] = []
    size = 0
    k = 0
    while size < megabytes * 1_000_000:
        body.append(texts[k % len(texts)])
        size += len(body[-1].encode("utf-8"))
        k += 1
    text = "\n".join(body)
    rng = random.Random(7)
    edited, _ = edit_sentences(text, rng, edits=max(10, int(megabytes * 100)), donor=texts[0])
    a, b = folder / "long_a.txt", folder / "long_b.txt"
    a.write_text(pdf_layout(text), encoding="utf-8")
    b.write_text(web_layout(edited), encoding="utf-8")
    return a, b


def paired(commands: dict[str, tuple[list[str], Path | None]], repeat: int) -> dict[str, float]:
    """Medians of commands run in alternation (noise on a shared machine hits all alike)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (cmd, cwd) in commands.items():
            env = None
            if cwd is not None:
                import os

                env = {**os.environ, "PYTHONPATH": str(cwd)}
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, cwd=cwd, env=env)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


#: What every ``docdiff A B`` imports that is not docdiff's: the dependencies' floor.
FLOOR = "import click, rich.console, rich.table, rapidfuzz.distance"


def startup(baseline: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, baseline_tree(baseline, Path(tmp)) as tree:
        args = ["--color", "always", str(SEED_A), str(SEED_B)]
        medians = paired(
            {
                "python -c pass": ([sys.executable, "-c", "pass"], None),
                "python: import the floor": ([sys.executable, "-c", FLOOR], None),
                "docdiff A B (this tree)": (docdiff_cmd(*args), ROOT),
                f"docdiff A B ({baseline})": (docdiff_cmd(*args), tree),
            },
            repeat,
        )
    bare = medians["python -c pass"]
    print(f"\nstart-up, seed pair, terminal, {repeat} alternating runs")
    for name, t in medians.items():
        print(f"  {name:<34}{t:>8.3f} s   over bare python {t - bare:>+7.3f} s")
    ours, theirs = medians["docdiff A B (this tree)"], medians[f"docdiff A B ({baseline})"]
    print(f"  ratio this tree / {baseline}: {ours / theirs:.3f}")
    floor = medians["python: import the floor"]
    print(f"  docdiff's own part (this tree over the floor): {ours - floor:+.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument(
        "--baseline", default="5a152d1", help="git revision to compare start-up with"
    )
    args = parser.parse_args()
    compile_once()
    has_git = shutil.which("git") is not None
    print(f"{'pair':<14}{'tool':<34}{'median s':>10}{'changes':>10}")
    t_floor, _ = wall([sys.executable, "-c", FLOOR], args.repeat)
    print(f"{'(none)':<14}{'python: import click+rich+rapidfuzz':<34}{t_floor:>10.3f}")
    t_ours, proc = wall(docdiff_cmd("--format", "json", str(SEED_A), str(SEED_B)), args.repeat)
    print(
        f"{'seeds 000/001':<14}{'docdiff A B (json)':<34}{t_ours:>10.3f}{docdiff_changes(proc.stdout):>10}"
    )
    t_term, _ = wall(docdiff_cmd("--color", "always", str(SEED_A), str(SEED_B)), args.repeat)
    print(f"{'':<14}{'docdiff A B (terminal)':<34}{t_term:>10.3f}")
    if has_git:
        t_git, proc = wall(git_word_diff(SEED_A, SEED_B), args.repeat)
        print(
            f"{'':<14}{'git diff --no-index --word-diff':<34}{t_git:>10.3f}{git_changes(proc.stdout):>10}"
        )
        print(f"{'':<14}ratio docdiff/git time: {t_term / t_git:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        a, b = long_pair(Path(tmp), args.mb)
        mb = (a.stat().st_size + b.stat().st_size) / 2e6
        t_long, proc = wall(
            docdiff_cmd("--format", "json", str(a), str(b)), max(1, args.repeat // 3)
        )
        label = f"{mb:.1f} MB each"
        print(
            f"{label:<14}{'docdiff A B (json)':<34}{t_long:>10.3f}{docdiff_changes(proc.stdout):>10}"
        )
        if has_git:
            t_git, proc = wall(git_word_diff(a, b), max(1, args.repeat // 3))
            print(
                f"{'':<14}{'git diff --no-index --word-diff':<34}{t_git:>10.3f}{git_changes(proc.stdout):>10}"
            )
    startup(args.baseline, args.repeat)


if __name__ == "__main__":
    main()
