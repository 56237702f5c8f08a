"""False changes between layouts of the same text: this tree against a baseline revision.

Each of the 52 national work reports and the seeds is printed as web text (one paragraph
a line) and in three other layouts: PDF text as printed (hard wraps, blank lines, page
numbers, full-width punctuation), PDF text as an extractor gives it (wraps inside figures
and words, spaces inside figures, double spacing) and Markdown. Nothing is edited, so
every op that is not "equal" is a false change. Both trees compare the same files (made
once, by this tree's generator); the baseline runs from a git worktree.

    python benchmarks/bench_layouts.py --baseline 3926d67
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
CORPUS = ROOT.parent / "shared" / "corpus" / "national_work_reports"

from common import baseline_tree, run_in  # noqa: E402

from difftool.load import load  # noqa: E402
from difftool.variants import (  # noqa: E402
    extracted_pdf_layout,
    markdown_layout,
    pdf_layout,
    web_layout,
)

LAYOUTS = {
    "pdf": lambda text, k: pdf_layout(text, rng=random.Random(k)),
    "extracted pdf": lambda text, k: extracted_pdf_layout(text, rng=random.Random(k)),
    "markdown": lambda text, k: markdown_layout(text),
}

#: Run in each tree: count the ops that are not "equal" for every pair of files.
COUNT = """
import json, sys
from pathlib import Path
from difftool.align import align
from difftool.pipeline import prepare
out = {}
for line in Path(sys.argv[1]).read_text().splitlines():
    layout, a, b = line.split("\\t")
    ops = align(prepare(a).sentences, prepare(b).sentences).ops
    false = sum(1 for op in ops if op.op != "equal")
    n, texts = out.get(layout, (0, 0))
    out[layout] = (n + false, texts + (1 if false else 0))
print(json.dumps(out))
"""


def make_pairs(folder: Path) -> tuple[Path, int]:
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
    listing = []
    for k, path in enumerate(paths):
        text = load(path).text  # as the file has it: seed 002's pinyin and mojibake too
        web = folder / f"{k:03d}_web.txt"
        web.write_text(web_layout(text), encoding="utf-8")
        for name, layout in LAYOUTS.items():
            other = folder / f"{k:03d}_{name.replace(' ', '_')}.txt"
            other.write_text(layout(text, k), encoding="utf-8")
            listing.append(f"{name}\t{web}\t{other}")
    pairs = folder / "pairs.tsv"
    pairs.write_text("\n".join(listing), encoding="utf-8")
    return pairs, len(paths)


def count(tree: Path, pairs: Path) -> dict[str, tuple[int, int]]:
    return {k: tuple(v) for k, v in json.loads(run_in(tree, COUNT, str(pairs))).items()}  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="3926d67", help="git revision to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pairs, texts = make_pairs(Path(tmp))
        with baseline_tree(args.baseline, Path(tmp)) as tree:
            ours, theirs = count(ROOT, pairs), count(tree, pairs)
    print(f"{texts} texts (the seeds and the national reports), each as web text against:")
    print(f"{'layout':<16}{'this tree':>22}{args.baseline:>22}")
    print(f"{'':<16}{'false ops (texts)':>22}{'false ops (texts)':>22}")
    for name in LAYOUTS:
        (a, ta), (b, tb) = ours[name], theirs[name]
        print(f"{name:<16}{f'{a} ({ta})':>22}{f'{b} ({tb})':>22}")
    total_a = sum(v[0] for v in ours.values())
    total_b = sum(v[0] for v in theirs.values())
    print(f"{'all':<16}{total_a:>22}{total_b:>22}")


if __name__ == "__main__":
    main()
