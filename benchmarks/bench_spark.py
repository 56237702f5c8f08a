"""Throughput of ``dedup --engine spark`` in local mode, at 1 and 2 cores, against the
embedded engine on the same corpus, and where Spark's time goes.

The corpus is the dedup benchmark's generator (``bench_dedup.py``: paragraphs of the
national work reports, 10% edited copies in other layouts, scripts and encodings).
Each engine runs in its own process; Spark's stages are timed by the engine itself
(start-up of the JVM and the session, the Python workers' reading and fingerprinting,
the shuffle of band keys into buckets, verification, the component iterations).

    python benchmarks/bench_spark.py --docs 4000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_SPARK_RUN = """
import json, sys, time
t0 = time.perf_counter()
from difftool.engines.spark import SparkReport, dedup_spark, session
from difftool.load.walk import walk
cores = int(sys.argv[2])
report = SparkReport()
spark = session(f"local[{cores}]")
report.stages.append(("JVM and session start-up", time.perf_counter() - t0))
files = walk([sys.argv[1]]).files
result, _ = dedup_spark(paths=files, spark=spark, report=report)
total = time.perf_counter() - t0
print(json.dumps({"total": total, "stages": report.stages, "groups": len(result.clusters),
                  "rounds": report.iterations, "capped": report.capped_buckets}))
"""


def embedded(folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "difftool",
            "dedup",
            "--no-cache",
            "-q",
            "--jobs",
            "2",
            "--format",
            "json",
            str(folder),
        ],
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, len(json.loads(proc.stdout)["clusters"])


def spark(folder: Path, cores: int) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run(
        [sys.executable, "-c", _SPARK_RUN, str(folder), str(cores)], capture_output=True, text=True
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=4000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_dedup import generate  # the same generator as the dedup benchmark

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "archive"
        folder.mkdir()
        generate(folder, args.docs, 0.1)
        t_embedded, groups = embedded(folder)
        runs = {cores: spark(folder, cores) for cores in (1, 2)}
    print(f"{args.docs} documents")
    print(f"{'engine':<32}{'total s':>9}{'docs/s':>9}{'groups':>8}")
    print(f"{'embedded, --jobs 2':<32}{t_embedded:>9.1f}{args.docs / t_embedded:>9.0f}{groups:>8}")
    for cores, run in runs.items():
        label = f"spark local[{cores}]"
        print(f"{label:<32}{run['total']:>9.1f}{args.docs / run['total']:>9.0f}{run['groups']:>8}")
    print(f"ratio spark local[2] / embedded time: {runs[2]['total'] / t_embedded:.1f}")
    for cores, run in runs.items():
        print(
            f"\nlocal[{cores}]: where the time goes ({run['rounds']} component rounds, "
            f"{run['capped']} capped buckets)"
        )
        for name, seconds in run["stages"]:
            print(f"  {name:<52}{seconds:>7.1f} s  {seconds / run['total']:>5.0%}")


if __name__ == "__main__":
    main()
