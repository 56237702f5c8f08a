"""Group the seeds into versions of one document, then ask which seed a filed copy is.

python examples/dedup_and_match.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from difftool.index import dedup
from difftool.matching import match

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    result = dedup([SEEDS], cache=False)  # cache=None would use ~/.cache/docdiff
    print(f"{result.documents} documents, {len(result.clusters)} group(s)")
    for cluster in result.clusters:
        for member in cluster.members:
            role = (
                "representative"
                if member.path == cluster.representative
                else f"{member.similarity:.1%}"
            )
            print(f"  group {cluster.id}: {Path(member.path).name} ({role})")

    # the market bureau's copy comes back with one figure changed: which version is it?
    with tempfile.TemporaryDirectory() as tmp:
        filed = Path(tmp) / "filed.txt"
        text = (SEEDS / "001_c26eec80d6460b41.txt").read_text(encoding="utf-8")
        filed.write_text(text.replace("2791.19", "2791.20"), encoding="utf-8")
        found = match(filed, [SEEDS], cache=False, top=2)
        for candidate in found.candidates:
            print(
                f"  {Path(candidate.path).name}: similarity {candidate.similarity:.1%}, {candidate.summary}"
            )
        best = found.candidates[0].comparison
        for op in best.changes:
            print(f"  {op.op}: figures {list(op.numbers_a)} -> {list(op.numbers_b)}")


if __name__ == "__main__":
    main()
