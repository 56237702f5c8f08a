"""The bounds docdiff keeps on what it reads (see the README's Safety section)."""

from __future__ import annotations

#: Largest document read, in bytes (``--max-size``): a report is rarely over a few MB; a
#: 1 GB "text" file is a disk image or a dump, and would cost many GB to compare.
DEFAULT_MAX_SIZE = 256 * 1024 * 1024
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
}


def parse_size(text: str) -> int:
    """``"300M"``, ``"2G"``, ``"4096"`` -> bytes; raises ValueError on anything else."""
    value = text.strip().lower()
    number = value.rstrip("bkmg")
    unit = value[len(number) :]
    if unit not in _UNITS or not number.replace(".", "", 1).isdigit():
        raise ValueError(f"not a size: {text!r} (say 300M, 2G or a number of bytes)")
    size = int(float(number) * _UNITS[unit])
    if size < 1:
        raise ValueError(f"a size must be at least one byte, got {text!r}")
    return size
