"""Normalise the PDF-text seed and print what normalising did and its first sentences.

python examples/normalise_seed.py [FILE]
"""

from __future__ import annotations

import sys
from pathlib import Path

from difftool import load, normalise, sentences

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_4f0e4c14661ce8e0.txt"


def main(path: str | Path = SEED) -> None:
    doc = load(path)
    norm = normalise(doc.text)
    print(f"{doc.path}: {doc.encoding}, {doc.size} bytes")
    for note in doc.notes + norm.notes:
        print(f"  - {note}")
    for sentence in sentences(norm)[:8]:
        kind = "heading " if sentence.heading else "sentence"
        print(f"{sentence.index:>3} {kind} {sentence.key}")
        # the original text of the sentence, line wraps and full-width punctuation included
        print(f"    original[{sentence.start}:{sentence.end}] = {sentence.text[:40]!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
