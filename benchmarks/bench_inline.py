"""How exactly the inline (word-level) diff marks known edits, against plain difflib.

Sentence pairs are made from real text with known token edits (a run of one to four
tokens replaced, deleted or inserted, one to three times per sentence); CJK sentences
come from the seeds and the national work reports, English ones from the licence texts
Debian ships (long legal sentences). Each tool marks tokens as changed; token precision
and recall are measured against the known edits, on both sides of each pair. The
reference is ``difflib.SequenceMatcher(autojunk=False)`` over the same tokens.

    python benchmarks/bench_inline.py --pairs 2000
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from difftool import inline, load, normalise, sentences  # noqa: E402

ENGLISH = [Path("/usr/share/common-licenses") / n for n in ("GPL-3", "Apache-2.0", "GFDL-1.3")]


def cjk_sentences(corpus: Path) -> list[str]:
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted(corpus.glob("*.txt"))[-12:]
    out = []
    for path in paths:
        out += [s.key for s in sentences(normalise(load(path).text)) if len(s.key) >= 20]
    return out


def english_sentences() -> list[str]:
    text = " ".join(p.read_text(errors="replace") for p in ENGLISH if p.exists())
    text = re.sub(r"\s+", " ", text)
    return [s for s in re.split(r"(?<=[.;])\s+", text) if 12 <= len(s.split()) <= 60]


def units(text: str) -> tuple[list[str], str]:
    """Edit units and their separator: words and a space for English, tokens for CJK."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return [t for t in inline.tokens(text) if not t.isspace()], ""
    return text.split(" "), " "


def edit(a: str, donor: str, rng: random.Random) -> tuple[str, set[int], set[int]]:
    """Apply one to three known edits to ``a``; return the new text and the character
    offsets that the edits touched on each side."""
    unit_list, sep = units(a)
    donor_units, _ = units(donor)
    new: list[tuple[str, int]] = [(u, i) for i, u in enumerate(unit_list)]  # (unit, a index)
    removed: set[int] = set()
    for _ in range(rng.randint(1, 3)):
        if len(new) < 8:
            break
        kind = rng.choice(["replace", "replace", "delete", "insert"])
        at = rng.randrange(len(new))
        run = rng.randint(1, 4)
        start = rng.randrange(max(1, len(donor_units) - run))
        fresh = [(u, -1) for u in donor_units[start : start + run]]
        if kind == "insert":
            new[at:at] = fresh
            continue
        removed |= {i for _, i in new[at : at + run] if i >= 0}
        new[at : at + run] = fresh if kind == "replace" else []
    b = sep.join(u for u, _ in new)
    truth_a = _offsets(unit_list, sep, lambda k: k in removed)
    truth_b = _offsets([u for u, _ in new], sep, lambda k: new[k][1] < 0)
    return b, truth_a, truth_b


def _offsets(unit_list: list[str], sep: str, changed) -> set[int]:  # type: ignore[no-untyped-def]
    out: set[int] = set()
    pos = 0
    for k, u in enumerate(unit_list):
        if changed(k):
            out |= set(range(pos, pos + len(u)))
        pos += len(u) + len(sep)
    return out


def token_spans(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for t in inline.tokens(text):
        if not t.isspace():
            out.append((pos, pos + len(t)))
        pos += len(t)
    return out


def true_tokens(text: str, chars: set[int]) -> set[int]:
    return {k for k, (s, e) in enumerate(token_spans(text)) if any(c in chars for c in range(s, e))}


def marked(a: str, b: str, segments: list[tuple[str, str]]) -> tuple[set[int], set[int]]:
    """Token indices (spaces left out) of each side that the segments mark as changed."""
    changed_a: set[int] = set()
    changed_b: set[int] = set()
    pa = pb = 0
    for tag, text in segments:
        if tag == "delete":
            changed_a |= set(range(pa, pa + len(text)))
        if tag == "insert":
            changed_b |= set(range(pb, pb + len(text)))
        if tag in ("equal", "delete"):
            pa += len(text)
        if tag in ("equal", "insert"):
            pb += len(text)
    return true_tokens(a, changed_a), true_tokens(b, changed_b)


def difflib_segments(a: str, b: str) -> list[tuple[str, str]]:
    ta, tb = inline.tokens(a), inline.tokens(b)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("equal", "".join(ta[i1:i2])))
        else:
            if i2 > i1:
                out.append(("delete", "".join(ta[i1:i2])))
            if j2 > j1:
                out.append(("insert", "".join(tb[j1:j2])))
    return out


def evaluate(pool: list[str], pairs: int, rng: random.Random) -> dict[str, tuple[float, float]]:
    counts = {"docdiff": [0, 0, 0], "difflib": [0, 0, 0]}  # true positives, marked, truth
    for _ in range(pairs):
        a = rng.choice(pool)
        b, chars_a, chars_b = edit(a, rng.choice(pool), rng)
        if a == b:
            continue
        truth_a, truth_b = true_tokens(a, chars_a), true_tokens(b, chars_b)
        for name, segments in (("docdiff", inline.diff(a, b)), ("difflib", difflib_segments(a, b))):
            ma, mb = marked(a, b, segments)
            c = counts[name]
            c[0] += len(ma & truth_a) + len(mb & truth_b)
            c[1] += len(ma) + len(mb)
            c[2] += len(truth_a) + len(truth_b)
    return {n: (tp / m if m else 1.0, tp / t if t else 1.0) for n, (tp, m, t) in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "national_work_reports"
    )
    args = parser.parse_args()
    pools = {"CJK": cjk_sentences(args.corpus), "English": english_sentences()}
    print(f"{'text':<8}{'tool':<10}{'precision':>10}{'recall':>8}   pairs")
    for label, pool in pools.items():
        if not pool:
            print(f"{label:<8}(no source text found)")
            continue
        result = evaluate(pool, args.pairs, random.Random(7))
        for name, (p, r) in result.items():
            print(f"{label:<8}{name:<10}{p:>10.4f}{r:>8.4f}   {args.pairs}")
        (dp, dr), (lp, lr) = result["docdiff"], result["difflib"]
        print(f"{'':<8}{'ratio':<10}{dp / lp:>10.4f}{dr / lr:>8.4f}   (docdiff / difflib)")


if __name__ == "__main__":
    main()
