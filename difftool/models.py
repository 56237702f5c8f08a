"""The values that flow through the pipeline. All are frozen: stages return new values."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, reduce

from difftool.offsets import OffsetMap


@dataclass(frozen=True)
class Document:
    """A file as read: its decoded text and what reading it took.

    Attributes:
        path: the path given by the user.
        text: the decoded text (mojibake runs already repaired where the bytes allowed).
        encoding: the encoding the bytes were decoded with (``utf-8``, ``gb18030``...).
        format: the reader that produced the text (``text`` for plain text files).
        notes: what loading did, in words ("repaired 3 mojibake runs (41 characters)").
        size: the file's size in bytes.
        mojibake_repaired: characters rewritten by mojibake repair.
        mojibake_unrepaired: characters left as they were in runs that could not be repaired.
        digest: BLAKE2b of the file's bytes, for ``--strict`` ("do the bytes differ?").
    """

    path: str
    text: str
    encoding: str
    format: str = "text"
    notes: tuple[str, ...] = ()
    size: int = 0
    mojibake_repaired: int = 0
    mojibake_unrepaired: int = 0
    digest: str = ""


@dataclass(frozen=True)
class NormalisedText:
    """The comparison key of a text, and how to get back to the original.

    Attributes:
        text: the normalised text, one paragraph (or heading, or short line) per line.
        original: the text it was made from.
        notes: what each step did, in words, in the order they ran.
        step_maps: the offset map of each step that moved text, in order.
        mapped: false when the maps were not kept (``normalise(..., mapped=False)``,
            for a key that is only fingerprinted or printed): then there is no way back.
    """

    text: str
    original: str
    notes: tuple[str, ...] = ()
    step_maps: tuple[OffsetMap, ...] = ()
    mapped: bool = True

    @cached_property
    def offsets(self) -> OffsetMap:
        """Maps positions in ``text`` to positions in ``original``.

        Composed on first use: comparing fingerprints never needs it.

        Raises:
            ValueError: the text was normalised without its maps.
        """
        if not self.mapped:
            raise ValueError("normalised with mapped=False: no offsets back to the original")
        return reduce(OffsetMap.then, self.step_maps, OffsetMap())

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that ``text[start:end]`` was made from."""
        return self.offsets.span(start, end)


@dataclass(frozen=True)
class Sentence:
    """One sentence (or heading, or short structural line).

    Attributes:
        index: position in the document's sentence list, from 0.
        text: the sentence as it stands in the original text.
        key: the normalised sentence, as compared.
        start: start of the sentence's span in the original text.
        end: end (exclusive) of that span.
        heading: true for headings and other structural lines that are not sentences.
        mark: the end punctuation the key leaves out, normalised (``。`` ``?`` ``;``).
        norm_start: start of the sentence (key and mark) in the normalised text.
        norm_end: its end there; the key is ``normalised[norm_start:norm_start + len(key)]``.
    """

    index: int
    text: str
    key: str
    start: int
    end: int
    heading: bool = False
    mark: str = ""
    norm_start: int = 0
    norm_end: int = 0
