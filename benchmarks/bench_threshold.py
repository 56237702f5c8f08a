"""How the change threshold was chosen, and how well alignment finds known edits.

Prints (1) the similarity of unrelated sentence pairs of the genre and of heavily
rewritten sentences, and (2) recall and precision of the reported ops against known
edits on generated variant pairs (real report text, known deletions, insertions,
replacements, changes, rewrites, moves, splits and merges, each side laid out
differently: PDF text, Markdown, web text, Traditional) for a range of thresholds.

    python benchmarks/bench_threshold.py --pairs 200
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Indel  # noqa: E402

from difftool import load, normalise, sentences  # noqa: E402
from difftool.variants import _change_sentence, evaluate  # noqa: E402

FILLER = ["进一步", "全面", "切实加强", "有序推进", "大力"]


def sources(corpus: Path | None) -> list[str]:
    paths = sorted((ROOT / "seeds").glob("*.txt"))
    if corpus and corpus.is_dir():
        paths += sorted(corpus.glob("*.txt"))
    return [normalise(load(p).text).text for p in paths]


def percentiles(values: list[float], qs: tuple[float, ...]) -> str:
    values = sorted(values)
    return "  ".join(f"p{q * 100:g}={values[int(len(values) * q)]:.2f}" for q in qs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "national_work_reports"
    )
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


if __name__ == "__main__":
    main()
