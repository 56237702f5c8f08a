"""The first stages run together: load a file, normalise it, split it into sentences."""

from __future__ import annotations

import os
from dataclasses import dataclass

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


def prepare_text(document: Document) -> Prepared:
    """Normalise and segment a loaded document."""
    norm = normalise(document.text)
    return Prepared(document, norm, tuple(sentences(norm)))


def prepare(path: str | os.PathLike[str]) -> Prepared:
    """Load, normalise and segment the file at ``path``."""
    return prepare_text(load(path))
