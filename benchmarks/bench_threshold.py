"""How the change threshold was chosen, and how well alignment finds known edits.

Prints (1) the similarity of unrelated sentence pairs of the genre and of heavily
rewritten sentences, and (2) recall and precision of the reported ops against known
edits on generated variant pairs (real report text, known deletions, insertions,
replacements, changes, rewrites, moves, splits and merges, each side laid out
differently: PDF text, Markdown, web text, Traditional) for a range of thresholds.

    python benchmarks/bench_threshold.py --pairs 200

With ``--baseline REV`` it also scores one set of ``--same-pairs`` pairs (made once, by
this tree) with this tree and with revision REV (a git worktree), at the default
threshold: the generator cuts its pairs from the texts as docdiff normalises them, so
each revision's own table is on pairs of its own.

    python benchmarks/bench_threshold.py --pairs 200 --baseline 3926d67 --same-pairs 900
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import baseline_tree, run_in  # noqa: E402
from rapidfuzz.distance import Indel  # noqa: E402

from difftool import load, normalise, sentences  # noqa: E402
from difftool.variants import (  # noqa: E402
    _change_sentence,
    evaluate,
    generated_pairs,
    score_pairs,
)

FILLER = ["进一步", "全面", "切实加强", "有序推进", "大力"]


def sources(corpus: Path | None) -> list[str]:
    paths = sorted((ROOT / "seeds").glob("*.txt"))
    if corpus and corpus.is_dir():
        paths += sorted(corpus.glob("*.txt"))
    return [normalise(load(p).text).text for p in paths]


def percentiles(values: list[float], qs: tuple[float, ...]) -> str:
    values = sorted(values)
    return "  ".join(f"p{q * 100:g}={values[int(len(values) * q)]:.2f}" for q in qs)


#: Run in the baseline's tree: score the pairs in a JSON file with that tree's code.
SCORE = """
import json, sys
from difftool.align import DEFAULT_THRESHOLD, align
from difftool.models import Document
from difftool.normalise import normalise
from difftool.pipeline import prepare_text
from difftool.segment import sentence_key
from difftool.variants import KnownEdit, Score, score_ops
total, flawed = Score(0, 0, 0, 0), 0
for a, b, made in json.load(open(sys.argv[1], encoding="utf-8")):
    edits = [KnownEdit(kind, tuple(before), tuple(after)) for kind, before, after in made]
    pa = prepare_text(Document("a", a, "utf-8"))
    pb = prepare_text(Document("b", b, "utf-8"))
    ops = align(pa.sentences, pb.sentences, threshold=DEFAULT_THRESHOLD).ops
    key = lambda raw: sentence_key(normalise(raw).text)
    s = score_ops(ops, [x.key for x in pa.sentences], [x.key for x in pb.sentences], edits, key)
    total += s
    flawed += s.found < s.edits or s.matched < s.reported
print(json.dumps([total.edits, total.recall, total.precision, flawed]))
"""


def same_pairs(texts: list[str], count: int, baseline: str) -> None:
    pairs = generated_pairs(texts, count, seed=7)
    ours, flawed = score_pairs(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "pairs.json"
        made = [[a, b, [[e.kind, list(e.before), list(e.after)] for e in m]] for a, b, m in pairs]
        data.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")
        with baseline_tree(baseline, Path(tmp)) as tree:
            scored = run_in(tree, SCORE, str(data))
    edits, recall, precision, theirs = json.loads(scored)
    print(f"\nthe same {count} pairs ({edits} known edits), default threshold")
    print(f"{'':>12}{'recall':>9}{'precision':>11}{'pairs with a miss or a false op':>34}")
    print(f"{'this tree':>12}{ours.recall:>9.4f}{ours.precision:>11.4f}{flawed:>34}")
    print(f"{baseline:>12}{recall:>9.4f}{precision:>11.4f}{theirs:>34}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "national_work_reports"
    )
    parser.add_argument("--baseline", help="git revision to score the same pairs with")
    parser.add_argument("--same-pairs", type=int, default=900)
    args = parser.parse_args()
    texts = sources(args.corpus)
    rng = random.Random(1)
    keys = [s.key for t in texts for s in sentences(normalise(t)) if len(s.key) >= 12]
    unrelated = [
        Indel.normalized_similarity(rng.choice(keys), rng.choice(keys)) for _ in range(20_000)
    ]
    rewritten = []
    for _ in range(5_000):
        s = rng.choice(keys)
        new = s
        for _ in range(3):
            new = _change_sentence(new, rng, FILLER)
        rewritten.append(Indel.normalized_similarity(s, new))
    print(f"{len(texts)} source texts, {len(keys)} sentences")
    print("unrelated pairs:  ", percentiles(unrelated, (0.5, 0.9, 0.99)))
    print("3-phrase rewrites:", percentiles(rewritten, (0.01, 0.05, 0.1, 0.5)))
    print(f"\n{args.pairs} generated pairs (the same pairs for every threshold)")
    print(f"{'threshold':>9}{'recall':>9}{'precision':>11}{'known edits':>13}")
    for threshold in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7):
        score = evaluate(texts, args.pairs, threshold=threshold)
        print(f"{threshold:>9.2f}{score.recall:>9.3f}{score.precision:>11.3f}{score.edits:>13}")
    if args.baseline:
        same_pairs(texts, args.same_pairs, args.baseline)


if __name__ == "__main__":
    main()
