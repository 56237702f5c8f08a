"""The exceptions docdiff raises. The CLI turns each into a one-line message and exit status 2."""

from __future__ import annotations


class DocdiffError(Exception):
    """Base class of every error docdiff reports to its user."""


class LoadError(DocdiffError):
    """A document could not be read: missing, unreadable, binary or undecodable."""


class UnsupportedFormat(LoadError):
    """The file is a format docdiff cannot read (or cannot read without an extra)."""


class CacheError(DocdiffError):
    """The signature cache could not be opened or written."""
