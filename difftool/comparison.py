"""Compare two documents: the library call behind ``docdiff A B``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from difftool.align import DEFAULT_THRESHOLD, Op, align
from difftool.limits import DEFAULT_MAX_SIZE
from difftool.pipeline import Prepared, prepare


@dataclass(frozen=True)
class Comparison:
    """The differences between two prepared documents.

    Attributes:
        a: the old version.
        b: the new version.
        ops: the operations in reading order of ``b`` (see :class:`~difftool.align.Op`).
        similarity: share of characters in common, 0..1.
        summary: sentence counts per kind of op.
        strict: whether differences hidden by normalisation were reported too.
        same_bytes: whether the two files are identical byte for byte.
    """

    a: Prepared
    b: Prepared
    ops: tuple[Op, ...]
    similarity: float
    summary: dict[str, int]
    strict: bool = False
    same_bytes: bool = False

    @property
    def changes(self) -> tuple[Op, ...]:
        """The ops that are differences (everything but ``equal``)."""
        return tuple(op for op in self.ops if op.op != "equal")

    @property
    def differs(self) -> bool:
        """True when there is something to report (in strict mode: any byte)."""
        if self.strict:
            return not self.same_bytes
        return bool(self.changes)

    def heading_before(self, op: Op) -> str | None:
        """The last heading before the op, as the file has it, in b (in a for deletions)."""
        from difftool.redline import sentence_text

        side, start = (self.a, op.a_range[0]) if op.op == "delete" else (self.b, op.b_range[0])
        index = side.heading_index(start)
        return sentence_text(side, index) if index >= 0 else None


def compare(
    a: Prepared,
    b: Prepared,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    strict: bool = False,
    ignore_punctuation: bool = False,
) -> Comparison:
    """Compare two prepared documents (see :func:`difftool.prepare`).

    Args:
        a: the old version.
        b: the new version.
        threshold: similarity (0..1) below which two sentences are a delete and an
            insert rather than one change.
        strict: also report differences that normalisation hides: punctuation width,
            script, spacing and line layout inside sentences.
        ignore_punctuation: drop punctuation-only changes (not a statement that became
            a question).
    """
    result = align(
        a.sentences,
        b.sentences,
        threshold=threshold,
        strict=strict,
        ignore_punctuation=ignore_punctuation,
    )
    ops = list(result.ops)
    summary = dict(result.summary)
    da, db = a.document.digest, b.document.digest
    same = da == db if da and db else a.document.text == b.document.text
    return Comparison(a, b, tuple(ops), result.similarity, summary, strict, same)


def compare_files(
    path_a: str | os.PathLike[str],
    path_b: str | os.PathLike[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    strict: bool = False,
    ignore_punctuation: bool = False,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Comparison:
    """Load, normalise and compare two files (each at most ``max_size`` bytes)."""
    return compare(
        prepare(path_a, max_size=max_size),
        prepare(path_b, max_size=max_size),
        threshold=threshold,
        strict=strict,
        ignore_punctuation=ignore_punctuation,
    )


__all__ = ["Comparison", "Op", "compare", "compare_files"]
