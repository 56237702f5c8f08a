"""The first stages run together: load a file, normalise it, split it into sentences."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

from difftool.limits import DEFAULT_MAX_SIZE
from difftool.load import load
from difftool.models import Document, NormalisedText, Sentence
from difftool.normalise import normalise
from difftool.segment import sentences


@dataclass(frozen=True)
class Prepared:
    """A document with its normalised key and its sentences."""

    document: Document
    normalised: NormalisedText
    sentences: tuple[Sentence, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        """What loading and normalising did, in order."""
        return self.document.notes + self.normalised.notes

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        """Offsets in the original text where each line after the first begins."""
        return _after_each(self.document.text, "\n")

    @cached_property
    def page_starts(self) -> tuple[int, ...]:
        """Offsets where each page after the first begins (PDF and OFD text), else ()."""
        return _after_each(self.document.text, "\f")

    @cached_property
    def headings(self) -> tuple[int, ...]:
        """For each sentence, the index of the last heading before it (-1 for none)."""
        out: list[int] = []
        last = -1
        for sentence in self.sentences:
            out.append(last)
            if sentence.heading:
                last = sentence.index
        return tuple(out)

    def heading_index(self, index: int) -> int:
        """The index of the last heading before sentence ``index`` (-1 for none); at the
        end for ``index == len(sentences)``."""
        if index >= len(self.sentences):
            return next((s.index for s in reversed(self.sentences) if s.heading), -1)
        return self.headings[index] if index >= 0 else -1


def _after_each(text: str, ch: str) -> tuple[int, ...]:
    """The offsets just after each occurrence of ``ch``."""
    starts: list[int] = []
    at = text.find(ch)
    while at >= 0:
        starts.append(at + 1)
        at = text.find(ch, at + 1)
    return tuple(starts)


def prepare_text(document: Document) -> Prepared:
    """Normalise and segment a loaded document."""
    norm = normalise(document.text)
    return Prepared(document, norm, tuple(sentences(norm)))


def prepare(path: str | os.PathLike[str], *, max_size: int = DEFAULT_MAX_SIZE) -> Prepared:
    """Load, normalise and segment the file at ``path`` (at most ``max_size`` bytes)."""
    return prepare_text(load(path, max_size=max_size))
