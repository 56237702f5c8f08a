"""How well the family tree recovers which version was made from which.

Families are grown with the variant generator: a root of 12 paragraphs cut from a
national work report, then each new version edited (3 to 6 known edits) from a version
chosen at random among those made so far, dated a few days to months after it, and
each laid out anew (PDF text, web text, Markdown). The share of parent links recovered
is printed for families of 3 to 8 versions, with dates in the text and without (the
root is then the medoid, the version closest to all others), against a reference that
hangs every version from the root (what a flat group says).

    python benchmarks/bench_family.py --families 40
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from difftool import load, normalise  # noqa: E402
from difftool.family import family_tree  # noqa: E402
from difftool.models import Document  # noqa: E402
from difftool.pipeline import prepare_text  # noqa: E402
from difftool.variants import LAYOUTS, edit_sentences, paragraphs  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "national_work_reports"


def grow(text: str, size: int, rng: random.Random, dated: bool) -> tuple[list[str], list[int]]:
    """``size`` versions (texts) and each one's true parent index (-1 for the root)."""
    versions, parents, dates = [text], [-1], [dt.date(2023, 1, 5)]
    donor = text
    while len(versions) < size:
        parent = rng.randrange(len(versions))
        edited, _ = edit_sentences(versions[parent], rng, edits=rng.randint(3, 6), donor=donor)
        versions.append(edited)
        parents.append(parent)
        dates.append(dates[parent] + dt.timedelta(days=rng.randint(3, 90)))
    laid_out = []
    for text_, date in zip(versions, dates):
        body = text_ + (f"\n{date.year}年{date.month}月{date.day}日\n" if dated else "")
        layout = rng.choice(list(LAYOUTS.values()))
        laid_out.append(layout(body))
    return laid_out, parents


def evaluate(texts: list[str], families: int, dated: bool, seed: int) -> tuple[int, int, int]:
    rng = random.Random(seed)
    links = found = flat = 0
    for _ in range(families):
        paras = paragraphs(rng.choice(texts))
        start = rng.randrange(max(1, len(paras) - 12))
        size = rng.randint(3, 8)
        versions, parents = grow("\n".join(paras[start : start + 12]), size, rng, dated)
        names = [f"v{k}.txt" for k in range(size)]
        docs = {n: prepare_text(Document(n, v, "utf-8")) for n, v in zip(names, versions)}
        # the representative dedup would pick is the most complete: here the longest
        representative = max(names, key=lambda n: (len(docs[n].sentences), n))
        tree = family_tree(names, representative, docs)
        assert tree is not None
        for k in range(1, size):
            links += 1
            found += tree.parent_of(names[k]) == names[parents[k]]
            flat += parents[k] == 0
    return links, found, flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=40)
    args = parser.parse_args()
    paths = sorted(CORPUS.glob("*.txt")) or sorted((ROOT / "seeds").glob("*.txt"))
    texts = [normalise(load(p).text).text for p in paths]
    print(f"{args.families} families of 3-8 versions")
    print(f"{'dates':<28}{'links':>7}{'recovered':>11}{'share':>8}{'flat share':>12}")
    for dated in (True, False):
        links, found, flat = evaluate(texts, args.families, dated, seed=3)
        label = "dated (text carries a date)" if dated else "undated (root: the medoid)"
        print(f"{label:<28}{links:>7}{found:>11}{found / links:>8.3f}{flat / links:>12.3f}")


if __name__ == "__main__":
    main()
