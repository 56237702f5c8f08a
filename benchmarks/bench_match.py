"""How ``docdiff match`` grows with the archive: the same query against warm caches of
archives of different sizes, in one run.

For each size in ``--sizes`` (default 10,000 and 40,000 documents) the archive is the one
``bench_dedup.py`` generates (made once, into ``--dir``/archive-N), and its cache is
warmed by one ``docdiff dedup``. The filed copy is a PDF-layout print of one archived
document, kept outside the archives. Then, in alternating rounds (``--repeat``), it times
``python -c pass`` and, against each archive:

* ``docdiff match`` (every file's size and times are checked against its cache row: an
  archive is stat()ed file by file, so this grows with the archive);
* ``docdiff match --trust-cache`` (after one run that records the folders: the folders
  and the candidates are checked, and the band index is looked up, not scanned).

It prints medians (each command timed alone), peak memory (one run each, measured), the largest archive's time over the smallest's, the cost
per archived document between them, and whether every answer named the source.

    python benchmarks/bench_match.py --sizes 10000,40000 --repeat 7
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_dedup import _NEUTRAL, archive, run  # noqa: E402
from common import compile_once  # noqa: E402

from difftool.variants import pdf_layout  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall seconds of the command alone (no measuring process around it), and stdout."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=_NEUTRAL)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {done.stderr[-2000:]}")
    return wall, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,40000", help="archive sizes, comma-separated")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "docdiff-bench")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    compile_once()
    sizes = sorted(int(n) for n in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        setups = []
        for n in sizes:
            folder = (args.dir / f"archive-{n}").resolve()
            truth = archive(folder, n, 0.1)
            source = sorted(truth)[n // 2]
            filed = Path(tmp) / f"filed-{n}.txt"
            text = (folder / source).read_text(encoding="utf-8")
            filed.write_text(pdf_layout(text), encoding="utf-8")
            cache = str(Path(tmp) / f"cache-{n}.sqlite")
            dedup = [sys.executable, "-m", "difftool", "dedup", "--quiet", "--format", "json"]
            warmed = run([*dedup, "--cache", cache, str(folder)])
            query = [sys.executable, "-m", "difftool", "match", "--quiet", "--format", "json"]
            query += ["--cache", cache, str(filed), str(folder)]
            trusted = [*query[:4], "--trust-cache", *query[4:]]
            run(trusted)  # records the folders
            size_mb = os.path.getsize(cache) / 1e6
            print(f"archive of {n} documents: cache warmed in {warmed[0]:.1f} s ({size_mb:.0f} MB)")
            setups.append((n, folder / source, query, trusted))
        bare: list[float] = []
        times: dict[tuple[int, str], list[tuple[float, str]]] = {}
        peaks: dict[tuple[int, str], float] = {}
        for n, _source, query, trusted in setups:  # peak memory: one run each, measured
            peaks[n, "match"] = run(query)[1]
            peaks[n, "match --trust-cache"] = run(trusted)[1]
        for _ in range(args.repeat):
            bare.append(timed([sys.executable, "-c", "pass"])[0])
            for n, _source, query, trusted in setups:
                times.setdefault((n, "match"), []).append(timed(query))
                times.setdefault((n, "match --trust-cache"), []).append(timed(trusted))
    print(f"\n{args.repeat} alternating rounds; python -c pass: {statistics.median(bare):.3f} s")
    print(f"{'command':<30}{'documents':>10}{'median s':>10}{'peak MB':>9}  found the source")
    medians: dict[tuple[int, str], float] = {}
    for (n, name), runs in times.items():
        medians[n, name] = statistics.median(r[0] for r in runs)
        source = next(s for size, s, _, _ in setups if size == n)
        found = all(json.loads(r[1])["candidates"][0]["path"] == os.fspath(source) for r in runs)
        label = f"docdiff {name}"
        print(f"{label:<30}{n:>10}{medians[n, name]:>10.3f}{peaks[n, name]:>9.0f}  {found}")
    small, large = sizes[0], sizes[-1]
    if large > small:
        print()
        for name in ("match", "match --trust-cache"):
            a, b = medians[small, name], medians[large, name]
            per_doc = (b - a) / (large - small) * 1e6
            print(
                f"docdiff {name}: {large} documents / {small}: {b / a:.2f}x time, "
                f"{per_doc:+.1f} µs per added document"
            )


if __name__ == "__main__":
    main()
