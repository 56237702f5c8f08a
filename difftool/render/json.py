"""The JSON form of a comparison, for scripts (and for docdiff's own tests)."""

from __future__ import annotations

import json
from typing import Any

from difftool.align import Op
from difftool.comparison import Comparison
from difftool.pipeline import Prepared


def _side(prepared: Prepared) -> dict[str, Any]:
    return {
        "path": prepared.document.path,
        "encoding": prepared.document.encoding,
        "format": prepared.document.format,
        "sentences": len(prepared.sentences),
        "notes": list(prepared.notes),
    }


def original_text(prepared: Prepared, span: tuple[int, int]) -> str:
    """The original text of sentences ``span``: from the first one's start to the last one's
    end, line breaks and all."""
    if span[1] <= span[0]:
        return ""
    sentences = prepared.sentences
    return prepared.document.text[sentences[span[0]].start : sentences[span[1] - 1].end]


def op_dict(comparison: Comparison, op: Op) -> dict[str, Any]:
    """One op as a JSON-ready dict."""
    out: dict[str, Any] = {
        "op": op.op,
        "a_range": list(op.a_range),
        "b_range": list(op.b_range),
        "a_text": original_text(comparison.a, op.a_range),
        "b_text": original_text(comparison.b, op.b_range),
        "similarity": round(op.similarity, 4),
    }
    if op.op != "equal":
        out["heading"] = comparison.heading_before(op)
    if op.inline:
        out["inline"] = [list(segment) for segment in op.inline]
    if op.numbers_a or op.numbers_b:
        out["numbers"] = {"a": list(op.numbers_a), "b": list(op.numbers_b)}
    if op.layout_only:
        out["layout_only"] = True
    return out


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """The whole comparison as a JSON-ready dict."""
    return {
        "a": _side(comparison.a),
        "b": _side(comparison.b),
        "similarity": round(comparison.similarity, 4),
        "strict": comparison.strict,
        "summary": comparison.summary,
        "ops": [op_dict(comparison, op) for op in comparison.ops],
    }


def render(comparison: Comparison) -> str:
    """Pretty-printed JSON, UTF-8 characters kept as they are."""
    return json.dumps(to_dict(comparison), ensure_ascii=False, indent=2)
