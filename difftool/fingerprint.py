"""Shingles and MinHash signatures, vectorised with NumPy.

Tokens are one per CJK character, per Latin word and per number, taken from the
normalised key (punctuation and spaces dropped); shingles are ``k`` consecutive tokens
(k = 5 for every document, short or long, so that a short excerpt and its long source
share their shingles). Each shingle is hashed once to 64 bits, all in NumPy.

The signature is a one-permutation MinHash (Li, Owen and Zhang 2012) with rotation
densification (Shrivastava and Li 2014): the 64-bit hashes are split into ``num_perm``
bins by their top bits and each bin keeps its minimum. Two signatures agree in a bin
with probability close to the Jaccard similarity of the shingle sets, as with classic
MinHash, but the work is one hash per shingle instead of ``num_perm``: on a 3,000
character report that is tens of microseconds where datasketch's ``update_batch``
takes milliseconds. Signatures are stored and indexed as datasketch ``LeanMinHash``
values (seed :data:`SIGNATURE_SEED` marks the family), and datasketch's ``MinHashLSH``
does the banding.

Besides the whole document's signature, each half of the document (by position) gets
its own: a copy cut short at a page break, or an excerpt, shares a half with the full
version even when the Jaccard similarity of the wholes is low.

:func:`fingerprint` runs a compiled pass (``_fastprint.c``, about five times faster: one
loop over the text instead of some fifty array operations) where the extension was
built at install time, and the NumPy functions below otherwise. Both give the same
values bit for bit (``tests/test_fingerprint.py``), so a cache filled by one install is
read by another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from difftool._lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    U64 = npt.NDArray[np.uint64]
    U32 = npt.NDArray[np.uint32]
else:
    np = lazy_module("numpy")  # a warm dedup never makes an array: see difftool._lazy

#: Tokens below which a document is short: its signature can say little about a long
#: document that contains it, so dedup and match also look it up shingle by shingle.
SHORT_TOKENS = 200
#: Bits kept of each shingle hash for exact verification: two unrelated 4,000-shingle
#: documents then share about one value by chance, a Jaccard error near 0.0001, and the
#: cache stores three bytes per shingle.
SHINGLE_BITS = 24
#: Marks signatures of this family in LeanMinHash's seed field.
SIGNATURE_SEED = 0x0D0C
_MAX = 0xFFFFFFFFFFFFFFFF
_P = 0x100000001B3  # FNV prime: rolling over tokens

_Native = Callable[[str, int, int], tuple[str, int, int, bytes, bytes]]
_native: _Native | None
_native_pack: Callable[[bytes], bytes] | None
try:  # built at install time where a C compiler is found (setup.py); same values
    from difftool._fastprint import fingerprint as _native
    from difftool._fastprint import pack as _native_pack
except ImportError:  # pragma: no cover - depends on the install
    _native = _native_pack = None


@dataclass(frozen=True)
class Fingerprint:
    """What dedup needs of a document, without its text.

    Attributes:
        key_hash: 128 bits of the token sequence (see :func:`_sequence_hash`): equal
            hashes are exact duplicates once layout (spaces, line breaks, punctuation
            width) is set aside.
        tokens: number of tokens.
        shingles: the shingle hashes (top :data:`SHINGLE_BITS` bits), sorted and unique:
            for exact Jaccard and containment.
        signature: the whole document's signature, ``num_perm`` uint64 values.
        halves: signatures of the first and the second half of the document.
        holes: characters lost to an encoding accident (``�``): a copy with none is
            preferred as a group's representative.
        count: how many values ``shingles`` holds, known also when the set itself was
            not read from the cache (``-1``: unknown).
    """

    key_hash: str
    tokens: int
    shingles: U32
    signature: U64
    halves: tuple[U64, U64]
    holes: int = 0
    count: int = -1

    def lean_minhash(self) -> Any:
        """The signature as a datasketch ``LeanMinHash``, for datasketch's own indexes.

        Its ``jaccard`` estimates the Jaccard similarity like this module's signatures
        do; mixing it with datasketch's classic MinHash values is refused by the seed.
        """
        from datasketch import LeanMinHash

        return LeanMinHash(seed=SIGNATURE_SEED, hashvalues=self.signature, scheme="affine64")


#: A fingerprint without its shingle set as plain values (key hash, tokens, holes, count,
#: the three signatures' bytes): what a worker process sends back, pickled in a few
#: microseconds where the dataclass with its arrays takes a hundred.
Row = tuple[str, int, int, int, bytes]


@lru_cache(maxsize=1)
def no_shingles() -> U32:
    """The empty shingle set of a fingerprint read without its own."""
    return np.zeros(0, dtype=np.uint32)


def to_row(fp: Fingerprint) -> Row:
    signatures = np.concatenate((fp.signature, *fp.halves)).tobytes()
    return fp.key_hash, fp.tokens, fp.holes, fp.count, signatures


def from_row(row: Row, shingles: U32 | None = None) -> Fingerprint:
    """The fingerprint of a :data:`Row` (its signatures are views on the row's bytes)."""
    key_hash, tokens, holes, count, signatures = row
    values = np.frombuffer(signatures, dtype=np.uint64).reshape(3, -1)
    return Fingerprint(
        key_hash=key_hash,
        tokens=tokens,
        shingles=no_shingles() if shingles is None else shingles,
        signature=values[0],
        halves=(values[1], values[2]),
        holes=holes,
        count=count,
    )


#: Shingle-set encodings: a tag byte, then the sorted values as the first one (four
#: bytes) and the gaps to the next (two bytes each; a 3,000-shingle report's gaps are
#: about 5,000), or, when a gap is wider, the plain four-byte values.
_GAPS, _PLAIN = b"g", b"p"


def pack_shingles(values: npt.NDArray[np.uint32]) -> bytes:
    """The shingle set as the cache stores it (and as a worker sends it back)."""
    if _native_pack is not None:
        return _native_pack(np.ascontiguousarray(values, dtype=np.uint32).tobytes())
    return _pack_numpy(values)


def _pack_numpy(values: npt.NDArray[np.uint32]) -> bytes:
    """:func:`pack_shingles` in NumPy (the reference the compiled one is tested against)."""
    if values.size == 0:
        return _PLAIN
    gaps = np.diff(values)
    if gaps.size == 0 or int(gaps.max()) < 1 << 16:
        return _GAPS + values[:1].astype("<u4").tobytes() + gaps.astype("<u2").tobytes()
    return _PLAIN + values.astype("<u4").tobytes()


def unpack_shingles(data: bytes) -> npt.NDArray[np.uint32]:
    """The sorted shingle values; ValueError when the bytes are not an encoding of them."""
    tag, body = data[:1], data[1:]
    if tag == _PLAIN and len(body) % 4 == 0:
        return np.frombuffer(body, dtype="<u4").astype(np.uint32)
    if tag == _GAPS and len(body) >= 4 and len(body) % 2 == 0:
        first = np.frombuffer(body[:4], dtype="<u4").astype(np.uint32)
        gaps = np.frombuffer(body[4:], dtype="<u2").astype(np.uint32)
        values: npt.NDArray[np.uint32] = np.cumsum(np.concatenate((first, gaps)), dtype=np.uint32)
        return values
    raise ValueError("not a shingle set")


def _mix(x: U64) -> U64:
    """SplitMix64's finaliser: spreads every input bit over the whole word. Works in
    place: callers pass a uint64 array of their own, and get it back mixed."""
    tmp = np.empty_like(x)
    with np.errstate(over="ignore"):
        for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            np.right_shift(x, np.uint64(shift), out=tmp)
            np.bitwise_xor(x, tmp, out=x)
            np.multiply(x, np.uint64(factor), out=x)
        np.right_shift(x, np.uint64(31), out=tmp)
        np.bitwise_xor(x, tmp, out=x)
    return x


def _classes() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    """A table over the Basic Multilingual Plane: 0 for characters tokens skip
    (spaces, punctuation), 1 for ASCII letters and digits (which run together into
    words and numbers), 2 for characters that are a token each (CJK and other letters);
    and a folding table that maps full-width letters and digits to ASCII, as
    normalisation's width step does. One gather replaces a dozen comparisons."""
    cp = np.arange(0x10000, dtype=np.uint32)
    ascii_word = ((cp >= 48) & (cp <= 57)) | ((cp >= 65) & (cp <= 90)) | ((cp >= 97) & (cp <= 122))
    latin = (cp >= 0xC0) & (cp <= 0x24F) & (cp != 0xD7) & (cp != 0xF7)
    wide = (cp >= 0x3400) & ~((cp >= 0xFE30) & (cp <= 0xFE4F)) & ~((cp >= 0xFF00) & (cp <= 0xFF65))
    wide &= ~((cp >= 0xD800) & (cp <= 0xDFFF))
    fold = cp.copy()
    full = (
        ((cp >= 0xFF10) & (cp <= 0xFF19))
        | ((cp >= 0xFF21) & (cp <= 0xFF3A))
        | ((cp >= 0xFF41) & (cp <= 0xFF5A))
    )
    fold[full] -= 0xFEE0
    classes = np.where(ascii_word | full, 1, np.where(latin | wide, 2, 0)).astype(np.uint8)
    return classes, fold


@lru_cache(maxsize=1)
def _tables() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32], U64]:
    """:func:`_classes`, and the powers of the rolling prime for the characters of a
    word (words longer than that reuse the last power; they still hash their whole
    length): made when the NumPy fingerprint first runs."""
    with np.errstate(over="ignore"):
        powers: U64 = np.concatenate(([np.uint64(1)], np.cumprod(np.full(63, _P, dtype=np.uint64))))
    return (*_classes(), powers)


def token_codes(text: str) -> U64:
    """One code per token: the code point of a CJK character, a hash of a word or number."""
    raw = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if raw.size == 0:
        return raw.astype(np.uint64)
    classes, fold, powers = _tables()
    if raw.max() <= 0xFFFF:
        kind = classes.take(raw)
        folded = fold.take(raw)
    else:  # beyond the BMP: CJK extensions, one token each
        bmp = np.minimum(raw, 0xFFFF)
        kind = np.where(raw > 0xFFFF, np.uint8(2), classes.take(bmp))
        folded = np.where(raw > 0xFFFF, raw, fold.take(bmp))
    ascii_ = kind == 1
    # a token starts at every character tokens keep, except an ASCII letter or digit
    # right after another (which continues its word or number)
    starts = kind != 0
    starts[1:] &= ~(ascii_[1:] & ascii_[:-1])
    begin = np.flatnonzero(starts)
    codes: U64 = folded.take(begin).astype(np.uint64)
    if begin.size == 0 or not ascii_.any():
        return codes
    # the few characters that continue a word: added in with the power of the rolling
    # prime for their place in it (Horner's rule, unrolled)
    more = np.flatnonzero(ascii_ & ~starts)
    if more.size == 0:
        return codes
    owner = np.searchsorted(begin, more, side="right") - 1
    place = np.minimum(more - begin[owner], powers.size - 1)
    with np.errstate(over="ignore"):
        np.add.at(codes, owner, folded[more].astype(np.uint64) * powers[place])
    return codes


#: The token of U+FFFD, what mojibake repair leaves where bytes were lost.
HOLE = 0xFFFD


def _without_holes(hashes: U64, codes: U64, k: int) -> U64:
    """Drop the shingles that span a lost character.

    A page once decoded in the wrong encoding keeps a ``�`` wherever a byte was lost
    (every twenty characters or so). A shingle across it matches nothing, so keeping it
    would make the copy look less contained in its source than it is; without them,
    what survived of the page is compared, and containment does the rest.
    """
    hole = codes == HOLE
    if not hole.any() or hashes.size != codes.size - k + 1:
        return hashes
    spans = np.convolve(hole.astype(np.int32), np.ones(k, dtype=np.int32), mode="valid")
    kept: U64 = hashes[spans == 0]
    return kept


def shingle_hashes(codes: U64, k: int) -> U64:
    """The 64-bit hash of each run of ``k`` consecutive token codes, in order."""
    n = codes.size - k + 1
    if n <= 0:
        return _mix(codes[:1] + np.uint64(1)) if codes.size else codes
    acc = codes[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            np.multiply(acc, _P, out=acc)
            np.add(acc, codes[j : j + n], out=acc)
    return _mix(acc)


def _bits(num_perm: int) -> int:
    bits = num_perm.bit_length() - 1
    if 1 << bits != num_perm:
        raise ValueError(f"num_perm must be a power of two, got {num_perm}")
    return bits


@lru_cache(maxsize=8)
def _bin_edges(num_perm: int) -> tuple[U64, U64]:
    """Bin numbers and the smallest hash of each bin."""
    bins = np.arange(num_perm, dtype=np.uint64)
    return bins, bins << np.uint64(64 - _bits(num_perm))


def _bin_minima(ordered: U64, num_perm: int) -> U64:
    """Each bin's smallest value (low bits only), :data:`_MAX` for an empty bin, from
    sorted hashes: a binary search for each bin's first value rather than a pass over
    every hash."""
    shift = np.uint64(64 - _bits(num_perm))
    out = np.full(num_perm, _MAX, dtype=np.uint64)
    if ordered.size == 0:
        return out
    bins, edges = _bin_edges(num_perm)
    at = np.searchsorted(ordered, edges)
    np.minimum(at, ordered.size - 1, out=at)
    first = ordered[at]
    hit = (first >> shift) == bins
    out[hit] = first[hit] & ((np.uint64(1) << shift) - np.uint64(1))
    return out


def _densified(out: U64) -> U64:
    """Rotation: an empty bin borrows the next filled bin's value, marked by distance."""
    empty = np.flatnonzero(out == _MAX)
    if empty.size == 0 or empty.size == out.size:
        return out
    num_perm = out.size
    filled = np.flatnonzero(out != _MAX)
    pos = np.searchsorted(filled, empty) % filled.size
    distance = (filled[pos] - empty) % num_perm
    step = np.uint64(1) << np.uint64(64 - _bits(num_perm))
    dense: U64 = out.copy()
    with np.errstate(over="ignore"):
        dense[empty] = out[filled[pos]] + distance.astype(np.uint64) * step
    return dense


def signature(hashes: U64, num_perm: int = 128, *, presorted: bool = False) -> U64:
    """One-permutation MinHash of a set of 64-bit hashes, densified by rotation.

    ``presorted=True`` says the hashes are already sorted.
    """
    _bits(num_perm)
    return _densified(_bin_minima(hashes if presorted else np.sort(hashes), num_perm))


def _sequence_hash(hashes: U64) -> str:
    """128 bits that tell two shingle sequences apart: the sum of the (already mixed)
    shingle hashes and their sum weighted by position. Consecutive shingles overlap, so
    equal sequences of them are equal token sequences; a cryptographic digest of the
    tokens would cost four times as much for no use dedup has."""
    with np.errstate(over="ignore"):
        plain = int(np.sum(hashes, dtype=np.uint64))
        weights = np.arange(1, 2 * hashes.size + 1, 2, dtype=np.uint64)
        weighted = int(np.sum(hashes * weights, dtype=np.uint64))
    return f"{plain:016x}{weighted:016x}"


def fingerprint(text: str, *, k: int = 5, num_perm: int = 128) -> Fingerprint:
    """Fingerprint a normalised text.

    Args:
        text: the normalised key (see :func:`difftool.normalise`).
        k: tokens per shingle, the same for every document.
        num_perm: signature length, a power of two.
    """
    _bits(num_perm)
    if _native is None or not 2 <= num_perm <= 65536:
        return _fingerprint_numpy(text, k=k, num_perm=num_perm)
    key_hash, tokens, holes, shingles, signatures = _native(text, k, num_perm)
    top: U32 = np.frombuffer(shingles, dtype=np.uint32)
    return from_row((key_hash, tokens, holes, int(top.size), signatures), top)


def fingerprint_row(text: str, *, k: int = 5, num_perm: int = 128) -> tuple[Row, bytes]:
    """:func:`fingerprint` as a worker process sends it back: its :data:`Row` and its
    shingle set packed (:func:`pack_shingles`), made straight from the compiled pass's
    bytes, without the dataclass and its arrays in between (a tenth of the worker's
    time per document went on those round trips and NumPy's packing)."""
    _bits(num_perm)
    if _native is None or _native_pack is None or not 2 <= num_perm <= 65536:
        fp = _fingerprint_numpy(text, k=k, num_perm=num_perm)
        return to_row(fp), pack_shingles(fp.shingles)
    key_hash, tokens, holes, shingles, signatures = _native(text, k, num_perm)
    return (key_hash, tokens, holes, len(shingles) // 4, signatures), _native_pack(shingles)


def _fingerprint_numpy(text: str, *, k: int = 5, num_perm: int = 128) -> Fingerprint:
    """:func:`fingerprint` in NumPy: the reference the compiled path is tested against,
    and what runs where it was not built."""
    codes = token_codes(text)
    # a document shorter than a shingle is one shingle of all its tokens: otherwise it
    # has none, and two unrelated short documents would look identical
    size = max(1, min(k, int(codes.size)))
    every = shingle_hashes(codes, size)
    hashes = _without_holes(every, codes, size)
    half = hashes.size // 2
    first, second = np.sort(hashes[:half]), np.sort(hashes[half:])
    # the whole's bins are the smaller of the halves' bins; its shingle set the merge of
    # theirs (a stable sort of two sorted runs is a merge)
    head, tail = _bin_minima(first, num_perm), _bin_minima(second, num_perm)
    drop = np.uint64(64 - SHINGLE_BITS)
    top = np.sort(
        np.concatenate(((first >> drop).astype(np.uint32), (second >> drop).astype(np.uint32))),
        kind="stable",
    )
    if top.size:
        top = top[np.concatenate(([True], top[1:] != top[:-1]))]
    return Fingerprint(
        key_hash=_sequence_hash(every),
        tokens=int(codes.size),
        shingles=top,
        signature=_densified(np.minimum(head, tail)),
        halves=(_densified(head), _densified(tail)),
        holes=int(np.count_nonzero(codes == HOLE)),
        count=int(top.size),
    )


def band_keys(signatures: U64, bands: int, rows: int) -> U64:
    """One 64-bit key per band of each signature: shape ``(len(signatures), bands)``.

    Two signatures share a key in a band when they agree on all ``rows`` values of it
    (up to a 64-bit collision), which is what LSH buckets by.
    """
    s: U64 = signatures[:, : bands * rows].reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):
        keys = _mix((s[:, :, 0] + np.arange(1, bands + 1, dtype=np.uint64)).astype(np.uint64))
        for j in range(1, rows):
            keys = _mix((keys * _P + s[:, :, j]).astype(np.uint64))
    return keys


def found_in(ordered: npt.NDArray[Any], values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which of ``values`` the sorted array ``ordered`` holds: a binary search of each.
    (``np.isin`` on 64-bit keys calls ``np.unique``, which imports ``numpy.ma``: 15 ms of
    a 0.3 s ``match``.)"""
    if ordered.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(ordered, values)
    at[at == ordered.size] = ordered.size - 1
    hit: npt.NDArray[np.bool_] = ordered[at] == values
    return hit


def common(a: U32, b: U32) -> int:
    """How many values two sorted unique arrays share: a binary search of the smaller in
    the larger, without the concatenation and sort of ``np.intersect1d``."""
    if a.size > b.size:
        a, b = b, a
    return int(np.count_nonzero(found_in(b, a))) if a.size else 0


def overlap(a: U32, b: U32) -> tuple[float, float]:
    """``(Jaccard of a and b, containment of the smaller in the larger)``."""
    if a.size == 0 or b.size == 0:
        return (1.0, 1.0) if a.size == b.size else (0.0, 0.0)
    shared = common(a, b)
    return shared / (a.size + b.size - shared), shared / min(a.size, b.size)


def jaccard_containment(a: U32, b: U32) -> tuple[float, float]:
    """``(Jaccard of a and b, share of a's shingles found in b)``, from one count of
    what they share (``match`` asks both of every version on its shortlist)."""
    if a.size == 0:
        return (1.0 if b.size == 0 else 0.0), 1.0
    shared = common(a, b)
    return shared / (a.size + b.size - shared), shared / a.size


def jaccard(a: U32, b: U32) -> float:
    """Exact Jaccard similarity of two sorted unique shingle arrays."""
    return jaccard_containment(a, b)[0]


def containment(a: U32, b: U32) -> float:
    """Share of ``a``'s shingles found in ``b``."""
    return jaccard_containment(a, b)[1]
