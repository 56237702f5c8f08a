"""How ``docdiff A B`` grows with input: one long line, and realistic report pairs.

1. A text without punctuation (a table dump, a PDF whose marks were lost) of 50,000,
   200,000 and 1,000,000 characters against a copy with a 3-character edit every 2,000
   characters: the whole "document" is one sentence, the worst case of the inline diff.
   The text is the corpus's last five reports repeated, so few of its runs are unique
   (a table dump repeats itself too); the right answer is one change of about 99.8%.
2. Realistic pairs (PDF layout against an edited web copy) of 0.5, 1, 2 and 4 MB.
3. A document that repeats its sentences (a table of 37 rows as sentences, 6,000 to
   96,000 of them) against a copy with 4 rows changed, one inserted, one removed.
4. Two unrelated lines each drawn at random from two characters (一 and 二), 50,000 to
   800,000 of them: no run is unique and every stretch is alike everywhere, the worst
   case of the inline diff's longest-run search (16 s at 200,000 characters before it
   was bounded).

Wall time and peak memory of the whole command (median of ``--repeat``), the growth
exponent between sizes (log time ratio / log size ratio: 1 is linear), the same for
``git diff --no-index --word-diff`` on the same files, as the reference, and docdiff's
answer (its similarity and ops).

    python benchmarks/bench_scaling.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import math
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

from bench_diff import CORPUS, long_pair  # noqa: E402
from common import compile_once  # noqa: E402

#: Runs docdiff and prints its own peak memory (KB) last on stderr: the high-water mark
#: of its own memory map (``VmHWM``), not ``ru_maxrss``, which Linux keeps across
#: ``execve`` and so reported this benchmark's own 108 MB for every small input.
_PEAK = (
    "import re, resource, runpy, sys\n"
    "sys.argv = ['docdiff', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('difftool', run_name='__main__')\n"
    "finally:\n"
    "    try:\n"
    "        status = open('/proc/self/status').read()\n"
    "        peak = int(re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
    "    except (OSError, AttributeError):\n"
    "        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    sys.stderr.write(f'\\n{peak}\\n')\n"
)


def measure(cmd: list[str], repeat: int) -> tuple[float, float, str]:
    """Median seconds and, for docdiff, peak MB of a command (its largest run), and what
    docdiff answered (similarity and ops: a fast wrong answer shows)."""
    times, peaks, answer = [], [0.0], ""
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        last = proc.stderr.strip().splitlines()[-1:] if cmd[1] == "-c" else []
        if last and last[0].isdigit():
            peaks.append(int(last[0]) / 1024)
            report = json.loads(proc.stdout)
            ops = ", ".join(f"{n} {kind}" for kind, n in report["summary"].items() if n)
            answer = f"{report['similarity_shown']}: {ops}"
    return statistics.median(times), max(peaks), answer


def single_line(folder: Path, chars: int) -> tuple[Path, Path]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))[-5:]] or [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))
    ]
    text = re.sub(r"[，。；：、！？\s“”《》（）,.;:!?]", "", "".join(texts))
    while len(text) < chars:
        text += text
    a = text[:chars]
    b = list(a)
    for i in range(0, chars, 2000):
        b[i : i + 3] = "甲乙丙"
    pa, pb = folder / f"line_{chars}_a.txt", folder / f"line_{chars}_b.txt"
    pa.write_text(a, encoding="utf-8")
    pb.write_text("".join(b), encoding="utf-8")
    return pa, pb


def repeated_rows(folder: Path, rows: int) -> tuple[Path, Path]:
    """A table of results as sentences, cycling through 37 rows, against a copy with 4
    rows changed, one inserted and one removed: nothing unique to anchor on (the right
    answer is 4 changed, 1 inserted, 1 removed)."""
    a = [f"第{k % 37}项检查结果合格。" for k in range(rows)]
    b = list(a)
    for k in (1, rows // 3, 2 * rows // 3, rows - 2):
        b[k] = b[k].replace("合格", "不合格")
    b.insert(rows // 2, "新增一句话说明抽检情况。")
    del b[rows - rows // 4 + 1]
    pa, pb = folder / f"rows_{rows}_a.txt", folder / f"rows_{rows}_b.txt"
    pa.write_text("\n".join(a), encoding="utf-8")
    pb.write_text("\n".join(b), encoding="utf-8")
    return pa, pb


def two_tokens(folder: Path, chars: int) -> tuple[Path, Path]:
    """Two unrelated random lines over the alphabet 一二."""
    rng = random.Random(chars)
    paths = []
    for side in "ab":
        path = folder / f"two_{chars}_{side}.txt"
        path.write_text("".join(rng.choice("一二") for _ in range(chars)), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def table(label: str, rows: list[tuple[float, Path, Path]], repeat: int) -> None:
    has_git = shutil.which("git") is not None
    print(f"\n{label}")
    print(
        f"{'size':>10}{'docdiff s':>11}{'MB':>8}{'exp':>7}{'git s':>9}{'exp':>7}  docdiff's answer"
    )
    last: tuple[float, float, float] | None = None
    for size, a, b in rows:
        t, mb, answer = measure(
            [sys.executable, "-c", _PEAK, "--format", "json", str(a), str(b)], repeat
        )
        g = (
            measure(["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)], repeat)[
                0
            ]
            if has_git
            else float("nan")
        )
        exp_d = exp_g = ""
        if last is not None:
            ratio = math.log(size / last[0])
            exp_d = f"{math.log(t / last[1]) / ratio:.2f}"
            exp_g = f"{math.log(g / last[2]) / ratio:.2f}" if has_git else ""
        print(f"{size:>10,.0f}{t:>11.3f}{mb:>8.0f}{exp_d:>7}{g:>9.3f}{exp_g:>7}  {answer}")
        last = (size, t, g)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compile_once()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = [(float(n), *single_line(folder, n)) for n in (50_000, 200_000, 1_000_000)]
        table(
            "one line without punctuation, characters (3 changed every 2,000)", lines, args.repeat
        )
        pairs = []
        for mb in (0.5, 1, 2, 4):
            sub = folder / f"mb{mb}"
            sub.mkdir()
            a, b = long_pair(sub, mb)
            pairs.append((float(a.stat().st_size), a, b))
        table("realistic pairs, bytes of side A", pairs, args.repeat)
        rows = [(float(n), *repeated_rows(folder, n)) for n in (6_000, 24_000, 96_000)]
        table("a table of 37 rows repeated, sentences (4 changed, 1 in, 1 out)", rows, args.repeat)
        two = [(float(n), *two_tokens(folder, n)) for n in (50_000, 200_000, 800_000)]
        table("two unrelated random lines over 一二, characters", two, args.repeat)


if __name__ == "__main__":
    main()
