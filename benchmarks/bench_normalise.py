"""Normalising speed on report text: MB/s of UTF-8 input on one core.

Builds about ``--mb`` MB of report text from the national work reports in
``../shared/corpus`` (or ``--corpus``) and the seeds, in the layouts archives hold (web
text, PDF text with hard wraps and page numbers, Markdown), normalises it document by
document, and prints the median of ``--repeat`` runs. As a reference it times, in the same
run, plain ``unicodedata.normalize("NFKC")`` over the same documents: the one-liner a
quick script would use, which folds width but removes no layout noise.

    python benchmarks/bench_normalise.py --mb 100

``--cli-mb 15`` also times the command end to end (start-up, reading and writing
included): ``docdiff normalise FILE`` on one file of that size in mixed layouts, against
``python -c`` reading the file, applying NFKC and writing it, alternating runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from difftool.normalise import normalise  # noqa: E402
from difftool.variants import markdown_layout, pdf_layout, web_layout  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "national_work_reports"


LAYOUTS = {
    "as filed": lambda t: t,
    "web text": web_layout,
    "PDF text": pdf_layout,
    "Markdown": markdown_layout,
}


def build_documents(
    corpus: Path, megabytes: float, seed: int = 1, layouts: list | None = None
) -> list[str]:
    """Report-sized documents (3-30 KB) cut from the corpus, in mixed layouts."""
    rng = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    sources += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    layouts = layouts or list(LAYOUTS.values())
    docs: list[str] = []
    total = 0
    target = megabytes * 1_000_000
    while total < target:
        src = rng.choice(sources)
        size = rng.randint(1_000, 10_000)  # characters: 3-30 KB of UTF-8
        start = rng.randrange(max(1, len(src) - size))
        doc = rng.choice(layouts)(src[start : start + size])
        docs.append(doc)
        total += len(doc.encode("utf-8"))
    return docs


def timed(fn, docs: list[str]) -> float:
    start = time.perf_counter()
    for doc in docs:
        fn(doc)
    return time.perf_counter() - start


_NFKC_COPY = (
    "import sys, unicodedata; "
    "sys.stdout.write(unicodedata.normalize('NFKC', open(sys.argv[1], encoding='utf-8').read()))"
)


def command(corpus: Path, megabytes: float, repeat: int, baseline: str | None = None) -> None:
    """``docdiff normalise FILE`` end to end against an NFKC one-liner, alternating (and
    against revision ``baseline``'s command, from a git worktree, when given)."""
    import os
    import subprocess
    import tempfile
    from contextlib import ExitStack

    from common import baseline_tree

    docs = build_documents(corpus, megabytes, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.txt"
        path.write_text("\n\n".join(docs), encoding="utf-8")
        size = path.stat().st_size / 1e6
        ours = [sys.executable, "-m", "difftool", "normalise", str(path)]
        cmds: dict[str, tuple[list[str], Path]] = {
            "docdiff normalise FILE": (ours, ROOT),
            "reference: python -c NFKC FILE": ([sys.executable, "-c", _NFKC_COPY, str(path)], ROOT),
        }
        with ExitStack() as stack:
            if baseline:
                tree = stack.enter_context(baseline_tree(baseline, Path(tmp)))
                cmds[f"docdiff normalise FILE ({baseline})"] = (ours, tree)
            times: dict[str, list[float]] = {name: [] for name in cmds}
            for _ in range(repeat):
                for name, (cmd, where) in cmds.items():
                    env = {**os.environ, "PYTHONPATH": str(where)}
                    start = time.perf_counter()
                    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, cwd=where, env=env)
                    times[name].append(time.perf_counter() - start)
    print(
        f"one file, {size:.1f} MB UTF-8, {len(docs)} documents in mixed layouts, "
        f"median of {repeat} alternating runs, whole command"
    )
    print(f"{'command':<34}{'seconds':>9}{'MB/s':>9}")
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in medians.items():
        print(f"{name:<34}{t:>9.2f}{size / t:>9.1f}")
    ours, ref = medians["docdiff normalise FILE"], medians["reference: python -c NFKC FILE"]
    print(f"ratio docdiff/reference time: {ours / ref:.2f}")
    if baseline:
        theirs = medians[f"docdiff normalise FILE ({baseline})"]
        print(f"ratio this tree/{baseline} time: {ours / theirs:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="megabytes of text (default 100)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--cli-mb", type=float, default=0.0, help="also time the command on one file this big"
    )
    parser.add_argument("--baseline", help="git revision whose command to time beside (--cli-mb)")
    args = parser.parse_args()
    if args.cli_mb:
        command(args.corpus, args.cli_mb, args.repeat, args.baseline)
        return
    docs = build_documents(args.corpus, args.mb)
    size = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    ours = [timed(normalise, docs) for _ in range(args.repeat)]
    nfkc = [timed(lambda d: unicodedata.normalize("NFKC", d), docs) for _ in range(args.repeat)]
    t_ours, t_nfkc = statistics.median(ours), statistics.median(nfkc)
    print(f"{len(docs)} documents, {size:.1f} MB UTF-8, median of {args.repeat} runs, one core")
    print(f"{'pipeline':<34}{'seconds':>9}{'MB/s':>9}")
    print(f"{'docdiff normalise (all steps)':<34}{t_ours:>9.2f}{size / t_ours:>9.1f}")
    print(f"{'reference: unicodedata NFKC only':<34}{t_nfkc:>9.2f}{size / t_nfkc:>9.1f}")
    print(f"ratio docdiff/NFKC time: {t_ours / t_nfkc:.2f}")
    print("by layout (a tenth of the size each):")
    for name, layout in LAYOUTS.items():
        part = build_documents(args.corpus, args.mb / 10, layouts=[layout])
        mb = sum(len(d.encode("utf-8")) for d in part) / 1e6
        t = statistics.median(timed(normalise, part) for _ in range(args.repeat))
        print(f"  {name:<32}{t:>9.2f}{mb / t:>9.1f}")


if __name__ == "__main__":
    main()
