"""What a cold ``docdiff dedup`` spends on each document, against another revision.

Times, on the first ``--docs`` documents of the benchmark archive (made by
``bench_dedup.py`` into ``--dir`` if it is not there), the parts of the worker that
fingerprints one document: reading the file, decoding it, the mojibake repair, the
normaliser's token profile, the fingerprint of that profile (the compiled pass where it
is built; each revision's own), and the whole worker function (all of them, with
fingerprinting and packing the shingle set). Each part runs in a fresh process, this
tree's and ``--baseline``'s in turn, ``--repeat`` times; it prints the medians in µs a
document and this tree's time over the baseline's. The machine is shared and its speed
drifts by a quarter within minutes: alternating processes make the ratio the figure to
read, not the times.

    python benchmarks/bench_worker.py --baseline 2f2fa6d --repeat 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dedup import archive  # noqa: E402
from common import baseline_tree, compile_once, run_in  # noqa: E402

PARTS = ("read", "decode", "mojibake repair", "token normalise", "fingerprint", "whole worker")

# run in each tree's own process: only names both revisions have
_TIMER = r"""
import sys, time
from pathlib import Path
folder, docs = sys.argv[1], int(sys.argv[2])
files = sorted(str(p) for p in Path(folder).rglob("*.txt"))[:docs]
from difftool.index import _fingerprint_packed
from difftool.load import _read_bytes, decode, load, mojibake
normalise = sys.modules["difftool.normalise"]
datas = [_read_bytes(f) for f in files]
texts = [decode(d)[0] for d in datas]
loaded = [load(f, digest=False).text for f in files]
lean = {"mapped": False} if "mapped" in normalise.normalise.__code__.co_varnames else {}
jobs = [(f, 5, 128, 1 << 30) for f in files]
keys = [normalise.normalise(t, steps=normalise.TOKEN_STEPS, **lean).text for t in loaded]
from difftool.fingerprint import fingerprint
parts = (
    (_read_bytes, files),
    (decode, datas),
    (mojibake.repair, texts),
    (lambda t: normalise.normalise(t, steps=normalise.TOKEN_STEPS, **lean), loaded),
    (fingerprint, keys),
    (_fingerprint_packed, jobs),
)
out = []
for fn, items in parts:
    for item in items[:200]:  # warm: classes compiled, caches filled
        fn(item)
    start = time.perf_counter()
    for item in items:
        fn(item)
    out.append((time.perf_counter() - start) / len(items) * 1e6)
print(*out)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare with")
    parser.add_argument("--docs", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "docdiff-bench-archive"
    )
    args = parser.parse_args()
    archive(args.dir, 10_000, 0.1)
    compile_once()
    times: dict[str, list[list[float]]] = {"this tree": [], args.baseline: []}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        trees = {
            "this tree": ROOT,
            args.baseline: stack.enter_context(baseline_tree(args.baseline, Path(tmp))),
        }
        for _ in range(args.repeat):
            for name, tree in trees.items():
                line = run_in(tree, _TIMER, str(args.dir), str(args.docs))
                times[name].append([float(x) for x in line.split()])
    print(f"{args.docs} documents of {args.dir}, median of {args.repeat} alternating processes")
    print("(ratio: the median of each round's ratio, the two processes a few seconds apart)")
    print(f"{'part':20s} {'this tree µs':>13s} {args.baseline + ' µs':>13s} {'ratio':>7s}")
    for k, part in enumerate(PARTS):
        ours = statistics.median(run[k] for run in times["this tree"])
        theirs = statistics.median(run[k] for run in times[args.baseline])
        paired = statistics.median(
            a[k] / b[k] for a, b in zip(times["this tree"], times[args.baseline])
        )
        print(f"{part:20s} {ours:13.1f} {theirs:13.1f} {paired:7.2f}")


if __name__ == "__main__":
    main()
