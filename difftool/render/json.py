"""The JSON form of a comparison, for scripts (and for docdiff's own tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

from difftool import redline
from difftool.align import Op
from difftool.comparison import Comparison
from difftool.pipeline import Prepared
from difftool.render import percent, valid_text


def _side(prepared: Prepared) -> dict[str, Any]:
    return {
        "path": valid_text(prepared.document.path),
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
        out["location"] = {
            "a": _location(redline.location(comparison.a, op.a_range)),
            "b": _location(redline.location(comparison.b, op.b_range)),
        }
        old, new = redline.sides(comparison.a, comparison.b, op)
        # the files' own text with the edits on it; "inline" is the same diff on the keys
        out["a_shown"] = [[p.tag, p.text] for p in old]
        out["b_shown"] = [[p.tag, p.text] for p in new]
    if op.inline:
        out["inline"] = [list(segment) for segment in op.inline]
    if op.numbers_a or op.numbers_b:
        out["numbers"] = {"a": list(op.numbers_a), "b": list(op.numbers_b)}
    if op.layout_only:
        out["layout_only"] = True
    if op.op == "move":
        out["edited"] = op.edited
    return out


def _location(where: redline.Location | None) -> dict[str, Any] | None:
    if where is None:
        return None
    out: dict[str, Any] = {where.unit + "s": [where.first, where.last]}
    if where.pages:
        out["pages"] = list(where.pages)
    return out


def figures(comparison: Comparison) -> list[dict[str, Any]]:
    """Every changed figure: old and new figures of each op, its heading and location."""
    out = []
    for op in comparison.changes:
        if op.numbers_a or op.numbers_b:
            out.append(
                {
                    "old": list(op.numbers_a),
                    "new": list(op.numbers_b),
                    "op": op.op,
                    "heading": comparison.heading_before(op),
                    "a": _location(redline.location(comparison.a, op.a_range)),
                    "b": _location(redline.location(comparison.b, op.b_range)),
                }
            )
    return out


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """The whole comparison as a JSON-ready dict."""
    return {**_head(comparison), "ops": [op_dict(comparison, op) for op in comparison.ops]}


def _head(comparison: Comparison) -> dict[str, Any]:
    """Everything of :func:`to_dict` but the ops."""
    return {
        "a": _side(comparison.a),
        "b": _side(comparison.b),
        "similarity": _similarity(comparison),
        "similarity_shown": percent(comparison.similarity, comparison.differs),
        "differs": comparison.differs,
        "strict": comparison.strict,
        "summary": comparison.summary,
        "figures": figures(comparison),
    }


def _similarity(comparison: Comparison) -> float:
    """Rounded to 4 places, never to 1.0 for documents that differ."""
    value = round(comparison.similarity, 4)
    return min(value, 0.9999) if comparison.differs else value


def render(comparison: Comparison) -> str:
    """Pretty-printed JSON, UTF-8 characters kept as they are."""
    return "".join(pieces(comparison))


def pieces(comparison: Comparison) -> Iterator[str]:
    """:func:`render`'s text a piece at a time: the head, then each op, its dict made,
    written and let go. Built whole, the ops' dicts and lists took about twelve times
    the bytes of their JSON: 946 MB for a report of 100,000 short lines against
    another, where the comparison itself needs a third of that."""
    dump = partial(json.dumps, ensure_ascii=False, indent=2)
    head = dump({**_head(comparison), "ops": []})
    yield head[: -len("[]\n}")]  # up to '"ops": '
    if not comparison.ops:
        yield "[]\n}"
        return
    for k, op in enumerate(comparison.ops):
        # as json.dumps(indent=2) lays out a list in a dict: items two levels in
        yield ("[\n    " if k == 0 else ",\n    ") + dump(op_dict(comparison, op)).replace(
            "\n", "\n    "
        )
    yield "\n  ]\n}"
