"""docdiff: what really differs between versions of an official document.

The library behind the ``docdiff`` command. The pipeline, one module per stage::

    load -> normalise -> segment -> (fingerprint -> index) -> align -> render

Typical use::

    from difftool import load, normalise, sentences
    doc = load("seeds/000_4f0e4c14661ce8e0.txt")
    norm = normalise(doc.text)
    for s in sentences(norm):
        print(s.index, s.key)
"""

from __future__ import annotations

from difftool.errors import CacheError, DocdiffError, LoadError, UnsupportedFormat
from difftool.load import load
from difftool.models import Document, NormalisedText, Sentence
from difftool.normalise import normalise
from difftool.pipeline import Prepared, prepare
from difftool.segment import sentences

__version__ = "0.1.0"

__all__ = [
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
]
