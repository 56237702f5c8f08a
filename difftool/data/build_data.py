"""Rebuild the package's data files.

* ``charfreq.tsv``: the character frequencies that mojibake repair scores with;
* ``traditional.txt``: the characters OpenCC's ``t2s`` changes, so that normalising can
  tell a Traditional text without importing OpenCC for every Simplified one.

Usage: ``python difftool/data/build_data.py ../shared/corpus/national_work_reports``.
The table counts characters in real government reports, so that text in the genre scores
high and garbled runs low; Traditional variants get the count of their Simplified form.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def main(folder: str) -> None:
    import opencc

    texts = [path.read_text(encoding="utf-8") for path in sorted(Path(folder).glob("*.txt"))]
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(ch for ch in text if not ch.isspace())
    # Traditional forms count as often as in the corpus converted (phrase by phrase, as
    # OpenCC does), so scoring a Traditional text needs no conversion.
    for config in ("s2t", "s2tw", "s2hk"):
        converter = opencc.OpenCC(config)
        variants: Counter[str] = Counter()
        for text in texts:
            variants.update(ch for ch in converter.convert(text) if not ch.isspace())
        for ch, n in variants.items():
            counts[ch] = max(counts[ch], n)
    out = Path(__file__).with_name("charfreq.tsv")
    with out.open("w", encoding="utf-8") as fh:
        fh.write(f"#total\t{sum(counts.values())}\n")
        for ch, n in counts.most_common():
            if n >= 2 and ch.isprintable():
                fh.write(f"{ch}\t{n}\n")


def traditional_chars() -> str:
    """Every CJK character in U+4E00-U+9FFF that ``t2s`` converts, in code point order."""
    import opencc

    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return "".join(c for c, s in zip(chars, converted, strict=True) if c != s)


if __name__ == "__main__":
    main(sys.argv[1])
    Path(__file__).with_name("traditional.txt").write_text(
        traditional_chars() + "\n", encoding="utf-8"
    )
