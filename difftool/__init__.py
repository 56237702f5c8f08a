"""docdiff: what really differs between versions of an official document.

The library behind the ``docdiff`` command. The pipeline, one module per stage::

    load -> normalise -> segment -> (fingerprint -> index) -> align -> render

Typical use::

    from difftool import compare_files, dedup, load, match, normalise, sentences
    doc = load("seeds/000_4f0e4c14661ce8e0.txt")
    norm = normalise(doc.text)
    for s in sentences(norm):
        print(s.index, s.key)
    comparison = compare_files("seeds/000_4f0e4c14661ce8e0.txt", "seeds/001_c26eec80d6460b41.txt")
    groups = dedup(["seeds"])

``compare``, ``dedup`` and ``match`` are imported on first use: the diff must not pay
for NumPy, and normalising must not pay for the aligner.
"""

from __future__ import annotations

from difftool.errors import CacheError, DocdiffError, LoadError, UnsupportedFormat
from difftool.load import load
from difftool.models import Document, NormalisedText, Sentence
from difftool.normalise import normalise
from difftool.pipeline import Prepared, prepare
from difftool.segment import sentences

__version__ = "0.1.0"

_LAZY = {
    "Comparison": "difftool.comparison",
    "compare": "difftool.comparison",
    "compare_files": "difftool.comparison",
    "DedupResult": "difftool.index",
    "Index": "difftool.index",
    "dedup": "difftool.index",
    "MatchResult": "difftool.matching",
    "match": "difftool.matching",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'difftool' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


__all__ = [  # noqa: RUF022 - grouped: eager names, then the lazy ones
    "CacheError",
    "DocdiffError",
    "Document",
    "LoadError",
    "NormalisedText",
    "Prepared",
    "Sentence",
    "UnsupportedFormat",
    "__version__",
    "load",
    "normalise",
    "prepare",
    "sentences",
    "Comparison",
    "DedupResult",
    "Index",
    "MatchResult",
    "compare",
    "compare_files",
    "dedup",
    "match",
]
