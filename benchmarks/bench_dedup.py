"""``docdiff dedup`` and ``match`` against plain datasketch and rensa pipelines on an archive.

Generates (once, into ``--dir``) ``--docs`` documents of about 10 KB each, composed of
paragraphs cut from the 52 national work reports and the seeds, so that unrelated
documents share the genre's stock phrases; ``--copies`` of them (10% by default) get one
to three lightly edited, re-laid-out copies (PDF text, web text, Markdown, Traditional,
GB18030). The truth is which files were made from which.

In the same run it times, in each of ``--repeat`` rounds:

* the references (in the first ``--reference-repeat`` rounds), written the way a user of
  each library would, one process each: read, NFKC and drop spaces, character 5-grams,
  then datasketch's ``MinHash(num_perm=128).update_batch`` and ``MinHashLSH(threshold)``,
  or rensa's ``RMinHash(128).update`` and ``RMinHashLSH(threshold, 128, 16)`` (``pip
  install '.[bench]'``); union-find over the LSH candidates;
* ``docdiff dedup --jobs 2`` from a cold cache; with ``--jobs-scaling`` at once the same
  cold run with ``--jobs 1``, and what two processes give over one on the machine at
  that moment (two pure-CPU tasks, see ``common.parallel_ceiling``): the ceiling any
  ``--jobs 2`` meets on a shared machine; then again with the cache warm; last, warm
  after 10 edited copies were added (in a folder removed again after) and after 10
  archived files were moved out (and back after);
* ``docdiff match`` of a PDF-layout copy against the warm cache, twice; then with
  ``--trust-cache`` three times (the first walks, checks and records the folders; the
  others check only the folders and the candidates), beside ``python -c pass``;

and prints wall time (median of ``--repeat`` runs), peak memory, and pair precision and
recall of each against the truth. The speed-ups over the references and of ``--jobs 2``
over ``--jobs 1`` are medians of ratios within a round (runs a minute apart or less): the
shared machine's speed drifts by a quarter within minutes.

    python benchmarks/bench_dedup.py --docs 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import compile_once, parallel_ceiling  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "national_work_reports"


# --- the archive -------------------------------------------------------------------------


def _paragraphs() -> list[str]:
    texts = (
        [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
        if CORPUS.is_dir()
        else []
    )
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    paras = [
        line.strip() for text in texts for line in text.splitlines() if len(line.strip()) >= 40
    ]
    # long paragraphs are cut at sentence ends into pieces of a few hundred characters
    pieces: list[str] = []
    for para in paras:
        start = 0
        while start < len(para):
            end = para.find("。", start + 150)
            end = len(para) if end < 0 else end + 1
            pieces.append(para[start:end])
            start = end
    return pieces


def generate(folder: Path, docs: int, copies_share: float, seed: int = 11) -> dict[str, str]:
    """Write the archive; return path -> the original it was made from."""
    from difftool.variants import (
        edit_sentences,
        markdown_layout,
        pdf_layout,
        traditional,
        web_layout,
    )

    rng = random.Random(seed)
    pieces = _paragraphs()
    truth: dict[str, str] = {}
    n_copies = int(docs * copies_share)
    originals = docs - n_copies
    made = 0
    for i in range(originals):
        body: list[str] = []
        size = 0
        target = rng.randint(6_000, 14_000)  # bytes
        while size < target:
            piece = rng.choice(pieces)
            body.append(piece)
            size += len(piece.encode("utf-8"))
        text = "\n".join(body) + "\n"
        name = f"{i // 1000:02d}/doc{i:05d}.txt"
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
        truth[name] = name
        made += 1
    sources = sorted(truth)
    while made < docs:
        source = rng.choice(sources)
        text = (folder / source).read_text(encoding="utf-8")
        edited, _ = edit_sentences(text, rng, edits=rng.randint(0, 3), donor=rng.choice(pieces))
        layout = rng.choice(["pdf", "web", "markdown", "traditional", "gb18030"])
        name = f"copies/{Path(source).stem}_{made:05d}_{layout}.txt"
        out = folder / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if layout == "pdf":
            out.write_text(pdf_layout(edited, rng=rng), encoding="utf-8")
        elif layout == "web":
            out.write_text(web_layout(edited), encoding="utf-8")
        elif layout == "markdown":
            out.write_text(markdown_layout(edited), encoding="utf-8")
        elif layout == "traditional":
            out.write_text(traditional(web_layout(edited)), encoding="utf-8")
        else:
            out.write_bytes(edited.encode("gb18030"))
        truth[name] = source
        made += 1
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return truth


def archive(folder: Path, docs: int, copies_share: float) -> dict[str, str]:
    manifest = folder / "truth.json"
    if manifest.exists():
        truth = json.loads(manifest.read_text(encoding="utf-8"))
        if len(truth) == docs:
            return truth
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return generate(folder, docs, copies_share)


# --- the reference -------------------------------------------------------------------------


def reference(folder: str, threshold: float, engine: str = "datasketch") -> list[list[str]]:
    """A plain MinHash pipeline, as the library's documentation suggests: datasketch's
    ``MinHash`` and ``MinHashLSH``, or rensa's ``RMinHash`` and ``RMinHashLSH`` (a Rust
    MinHash); the reading and shingling around it are the same for both."""
    import unicodedata

    paths = sorted(
        str(p.relative_to(folder)) for p in Path(folder).rglob("*.txt") if p.name != "truth.json"
    )
    if engine == "rensa":
        from rensa import RMinHash, RMinHashLSH

        lsh = RMinHashLSH(threshold=threshold, num_perm=128, num_bands=16)

        def sketch(shingles: list[str]) -> object:
            m = RMinHash(num_perm=128, seed=42)
            m.update(shingles)
            return m

    else:
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(threshold=threshold, num_perm=128)

        def sketch(shingles: list[str]) -> object:
            m = MinHash(num_perm=128)
            m.update_batch([s.encode("utf-8") for s in shingles])
            return m

    sigs = {}
    for number, path in enumerate(paths):
        raw = (Path(folder) / path).read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        text = "".join(unicodedata.normalize("NFKC", text).split())
        m = sketch([text[i : i + 5] for i in range(max(1, len(text) - 4))])
        # rensa's index takes integer keys, datasketch's any hashable
        lsh.insert(number if engine == "rensa" else path, m)
        sigs[path] = m
    name = {number: path for number, path in enumerate(paths)}
    parent = {p: p for p in paths}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for path in paths:
        for other in lsh.query(sigs[path]):
            a, b = find(path), find(name[other] if engine == "rensa" else other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(find(p), []).append(p)
    return [g for g in groups.values() if len(g) > 1]


# --- scoring --------------------------------------------------------------------------------


def pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(pair)) for g in groups for pair in combinations(g, 2)}  # type: ignore[misc]


def score(found: list[list[str]], truth: dict[str, str]) -> tuple[float, float]:
    true_groups: dict[str, list[str]] = {}
    for path, source in truth.items():
        true_groups.setdefault(source, []).append(path)
    want = pairs([g for g in true_groups.values() if len(g) > 1])
    got = pairs(found)
    hit = len(want & got)
    return (hit / len(got) if got else 1.0), (hit / len(want) if want else 1.0)


#: Where the timed commands run: ``python -m difftool`` started in a checkout would
#: import the checkout's sources, not the installed package with its compiled parts.
_NEUTRAL = tempfile.gettempdir()


def fingerprint_path() -> str:
    """Which fingerprint the timed commands use: the compiled pass or NumPy."""
    probe = "import difftool.fingerprint as f; print(f._native is not None)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=_NEUTRAL, check=True
    )
    return "compiled" if out.stdout.strip() == "True" else "NumPy (the extension is not built)"


def reference_cmd(folder: Path, threshold: float, engine: str) -> list[str]:
    """A reference pipeline in a process of its own (see :func:`reference`)."""
    return [
        sys.executable,
        __file__,
        *["--reference", str(folder), "--threshold", str(threshold), "--engine", engine],
    ]


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB (the process and its children), stdout."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd],
        capture_output=True,
        text=True,
        check=False,
        cwd=_NEUTRAL,
    )
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {proc.stderr[-2000:]}")
    out, _, peak = proc.stdout.rpartition("\nPEAK_MB ")
    return wall, float(peak), out


#: Files added to the archive for the warm run after an addition.
ADDED = 10


def run_added(folder: Path, truth: dict[str, str], cmd: list[str]) -> tuple[float, float, str]:
    """Time ``cmd`` (a warm dedup) after adding :data:`ADDED` edited copies of archived
    documents in a folder of their own, which is then removed again."""
    extra = folder / "added"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    try:
        originals = sorted(p for p in truth if not p.startswith("copies/"))  # UTF-8 all
        for n, name in enumerate(originals[:: max(1, len(originals) // ADDED)][:ADDED]):
            text = (folder / name).read_bytes()
            (extra / f"added_{n}.txt").write_bytes(text + "\n补充说明一条。\n".encode())
        return run(cmd)
    finally:
        shutil.rmtree(extra)


def run_removed(folder: Path, truth: dict[str, str], cmd: list[str]) -> tuple[float, float, str]:
    """Time ``cmd`` (a warm dedup) after moving :data:`ADDED` archived documents, some
    of them copies in groups, out of the archive (as ``docdiff apply`` does); they are
    moved back after."""
    aside = Path(tempfile.mkdtemp(prefix="docdiff-bench-moved-"))
    names = sorted(truth)[:: max(1, len(truth) // ADDED)][:ADDED]
    try:
        for n, name in enumerate(names):
            (folder / name).rename(aside / f"{n}.txt")
        return run(cmd)
    finally:
        for n, name in enumerate(names):
            (aside / f"{n}.txt").rename(folder / name)
        aside.rmdir()


_MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(proc.stdout)
sys.stderr.write(proc.stderr)
peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, 0) / 1024
print("\\nPEAK_MB", round(peak, 1))
sys.exit(proc.returncode)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument(
        "--copies", type=float, default=0.1, help="share of documents that are copies"
    )
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "docdiff-bench-archive"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--reference-repeat", type=int, default=1, help="runs of the (slow) reference"
    )
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument(
        "--jobs-scaling", action="store_true", help="also time the cold run with --jobs 1"
    )
    parser.add_argument(
        "--no-references", action="store_true", help="time docdiff only (for scale runs)"
    )
    parser.add_argument("--reference", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="datasketch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    compile_once()
    if args.reference:  # a reference, in its own process
        print(json.dumps(reference(args.reference, args.threshold, args.engine)))
        return
    args.dir = args.dir.resolve()  # the timed commands run elsewhere (_NEUTRAL)
    start = time.perf_counter()
    truth = archive(args.dir, args.docs, args.copies)
    size = sum(f.stat().st_size for f in args.dir.rglob("*.txt")) / 1e6
    print(
        f"archive: {len(truth)} documents, {size:.0f} MB, in {args.dir} ({time.perf_counter() - start:.0f} s)"
    )
    print(f"docdiff's fingerprint: {fingerprint_path()}")
    results = {}
    references = {"datasketch": "reference: datasketch MinHash + MinHashLSH"}
    try:
        import rensa  # noqa: F401

        references["rensa"] = "reference: rensa RMinHash + RMinHashLSH"
    except ImportError:
        print("(no rensa reference: pip install '.[bench]')")
    if args.no_references:  # a scale run: docdiff alone
        references = {}
    ref_runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in references.values()}
    # each reference, and the --jobs 1 run, beside a cold run of the same repeat: the
    # machine's speed drifts by a quarter within minutes, so a ratio is taken within a
    # pair and the median of the pairs' ratios is what is printed
    paired: dict[str, list[float]] = {name: [] for name in references.values()}
    cold, warm, one_job, first_queries, queries, trusted, bare = [], [], [], [], [], [], []
    ceilings: list[float] = []
    added: list[tuple[float, float, str]] = []
    removed: list[tuple[float, float, str]] = []
    same_warm: list[bool] = []
    filed = next(p for p in sorted(truth) if p.startswith("copies/") and p.endswith("_pdf.txt"))
    cache_mb = 0.0
    for repeat in range(args.repeat):
        for engine, name in references.items():
            if repeat < args.reference_repeat:
                ref_runs[name].append(run(reference_cmd(args.dir, args.threshold, engine)))
        with tempfile.TemporaryDirectory() as tmp:
            cache = str(Path(tmp) / "cache.sqlite")

            def dedup_cmd(jobs: int, cache: str = cache) -> list[str]:
                return [
                    *[sys.executable, "-m", "difftool", "dedup", "--jobs", str(jobs), "--quiet"],
                    *["--format", "json", "--threshold", str(args.threshold), "--cache", cache],
                    str(args.dir),
                ]

            cold.append(run(dedup_cmd(2)))
            for name, runs in ref_runs.items():
                if len(runs) == repeat + 1:
                    paired[name].append(runs[-1][0] / cold[-1][0])
            if args.jobs_scaling:  # the same cold run on one process, right after
                one_job.append(run(dedup_cmd(1, str(Path(tmp) / "one.sqlite"))))
                ceilings.append(parallel_ceiling())  # what two processes could give now
            warm.append(run(dedup_cmd(2)))
            same_warm.append(
                json.loads(warm[-1][2])["clusters"] == json.loads(cold[-1][2])["clusters"]
            )
            query = [sys.executable, "-m", "difftool", "match", "--quiet", "--format", "json"]
            query += ["--cache", cache, str(args.dir / filed), str(args.dir)]
            first_queries.append(run(query))  # the first after dedup
            queries.append(run(query))
            run([*query[:4], "--trust-cache", *query[4:]])  # records the folders
            for _ in range(2):
                trusted.append(run([*query[:4], "--trust-cache", *query[4:]]))
                bare.append(run([sys.executable, "-c", "pass"]))
            # the --jobs 2 cache only (with --jobs-scaling the folder holds two)
            cache_mb = sum(f.stat().st_size for f in Path(tmp).glob("cache.sqlite*")) / 1e6
            # last: adding files changes the archive's folders, which the trusted runs
            # above must find as they were recorded
            added.append(run_added(args.dir, truth, dedup_cmd(2)))
            removed.append(run_removed(args.dir, truth, dedup_cmd(2)))
    for name, runs in ref_runs.items():
        results[name] = (runs, score(json.loads(runs[-1][2]), truth))
    data = json.loads(cold[-1][2])
    ours = [[os.path.relpath(m["path"], args.dir) for m in c["members"]] for c in data["clusters"]]
    results["docdiff dedup --jobs 2 (cold cache)"] = (cold, score(ours, truth))
    results["docdiff dedup --jobs 2 (warm cache)"] = (warm, score(ours, truth))
    if one_job:
        results["docdiff dedup --jobs 1 (cold cache)"] = (one_job, score(ours, truth))
    print(f"\n{'pipeline':<46}{'median s':>9}{'peak MB':>9}{'precision':>11}{'recall':>8}")
    medians = {}
    for name, (runs, (precision, recall)) in results.items():
        t = statistics.median(r[0] for r in runs)
        medians[name] = t
        peak = max(r[1] for r in runs)
        print(f"{name:<46}{t:>9.2f}{peak:>9.0f}{precision:>11.3f}{recall:>8.3f}")
    c = medians["docdiff dedup --jobs 2 (cold cache)"]
    w = medians["docdiff dedup --jobs 2 (warm cache)"]
    print()
    for engine, name in references.items():
        ref = medians[name]
        print(
            f"speed-up over the {engine} reference: {statistics.median(paired[name]):.1f}x cold "
            f"(median of {len(paired[name])} paired runs), {ref / w:.1f}x warm"
        )
    print(f"warm run {c / w:.1f}x faster than cold (same groups as cold: {all(same_warm)})")
    a = statistics.median(r[0] for r in added)
    print(
        f"warm run after {ADDED} files were added: {a:.2f} s median ({c / a:.1f}x faster than cold)"
    )
    gone = statistics.median(r[0] for r in removed)
    print(
        f"warm run after {ADDED} files were moved out: {gone:.2f} s median, peak "
        f"{max(r[1] for r in removed):.0f} MB ({c / gone:.1f}x faster than cold)"
    )
    if one_job:
        ratios = sorted(one[0] / two[0] for one, two in zip(one_job, cold))
        print(
            f"--jobs 2 is {statistics.median(ratios):.2f}x --jobs 1 (cold; median of "
            f"{len(ratios)} paired runs: {', '.join(f'{r:.2f}' for r in ratios)})"
        )
        # the reference: two pure-CPU tasks in two processes over one, each round
        shares = sorted(
            one[0] / two[0] / ceiling for one, two, ceiling in zip(one_job, cold, ceilings)
        )
        print(
            f"two processes on this machine now (pure CPU): {statistics.median(ceilings):.2f}x "
            f"one ({', '.join(f'{c:.2f}' for c in ceilings)}); --jobs 2 took "
            f"{statistics.median(shares):.0%} of it (median of the rounds' shares)"
        )
    print(f"cache: {cache_mb:.0f} MB for {len(truth)} documents")
    q = statistics.median(r[0] for r in queries)
    q1 = statistics.median(r[0] for r in first_queries)
    qmb = max(r[1] for r in queries)
    best = json.loads(queries[-1][2])["candidates"][0]["path"]
    right = os.path.relpath(best, args.dir) == truth[filed]
    print(
        f"docdiff match against the cached index: {q:.2f} s median, peak {qmb:.0f} MB "
        f"(the first after the dedup runs: {q1:.2f} s; found the source: {right})"
    )
    t = statistics.median(r[0] for r in trusted)
    tmb = max(r[1] for r in trusted)
    answers = [json.loads(r[2]) for r in (*trusted, queries[-1])]
    checked = [a.pop("checked", None) for a in answers]
    same = all(a == answers[-1] for a in answers)
    print(
        f"docdiff match --trust-cache: {t:.2f} s median, peak {tmb:.0f} MB, same answer: "
        f"{same} (python -c pass: {statistics.median(r[0] for r in bare):.2f} s; "
        f"checked: {', '.join(sorted(set(map(str, checked[:-1]))))})"
    )


if __name__ == "__main__":
    main()
