"""Compare the two filings of the Jiangmen report and list the real changes.

python examples/diff_seeds.py [OLD NEW]
"""

from __future__ import annotations

import sys
from pathlib import Path

from difftool.comparison import compare_files

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OLD = SEEDS / "000_4f0e4c14661ce8e0.txt"  # PDF text, as filed with the drug bureau
NEW = SEEDS / "001_c26eec80d6460b41.txt"  # web text, as filed with the market bureau


def main(old: str | Path = OLD, new: str | Path = NEW) -> None:
    comparison = compare_files(old, new)
    print(f"similarity {comparison.similarity:.1%}, {comparison.summary}")
    for op in comparison.changes:
        if op.inline:  # changed or moved: show just the edited words
            edits = [
                f"{'-' if tag == 'delete' else '+'}{text}"
                for tag, text in op.inline
                if tag != "equal"
            ]
            print(f"{op.op:>7} a{list(op.a_range)} b{list(op.b_range)}: {' '.join(edits)}")
        else:
            side = comparison.a if op.op == "delete" else comparison.b
            span = op.a_range if op.op == "delete" else op.b_range
            first = side.sentences[span[0]].key
            print(f"{op.op:>7} a{list(op.a_range)} b{list(op.b_range)}: {first[:30]}…")
        if op.numbers_a or op.numbers_b:
            print(f"         figures {op.numbers_a} -> {op.numbers_b}")


if __name__ == "__main__":
    main(*sys.argv[1:])
