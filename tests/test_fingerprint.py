"""The compiled fingerprint (``difftool/_fastprint.c``) gives the NumPy reference's values
bit for bit: the cache holds fingerprints from either, so one install must read
another's. Generated texts cover what each branch of the tokenizer sees (CJK, ASCII and
full-width words, words past the rolling powers, lost characters, characters beyond the
BMP, Latin letters); real report texts cover the rest.

Skipped where the extension was not built (no C compiler at install time), except where
``DOCDIFF_REQUIRE_NATIVE=1`` (CI sets it), where that fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ALL_SEEDS, genre_texts, missing, read
from hypothesis import given, settings
from hypothesis import strategies as st

from difftool import fingerprint as fp_module
from difftool.fingerprint import (
    Fingerprint,
    _fingerprint_numpy,
    _pack_numpy,
    fingerprint,
    fingerprint_row,
    from_row,
    pack_shingles,
    unpack_shingles,
)
from difftool.normalise import TOKEN_STEPS, normalise


@pytest.fixture(autouse=True)
def native() -> None:
    if fp_module._native is None:
        missing(
            "the compiled fingerprint", "pip install . with a C compiler", "DOCDIFF_REQUIRE_NATIVE"
        )


def same(a: Fingerprint, b: Fingerprint) -> bool:
    return (
        (a.key_hash, a.tokens, a.holes, a.count) == (b.key_hash, b.tokens, b.holes, b.count)
        and a.shingles.dtype == b.shingles.dtype
        and np.array_equal(a.shingles, b.shingles)
        and np.array_equal(a.signature, b.signature)
        and all(np.array_equal(x, y) for x, y in zip(a.halves, b.halves))
    )


PIECES = [
    "政府工作报告",
    "國務院",
    "2024",
    "３．５",
    "ＧＤＰ",
    "GDP growth",
    "�",
    "𠀀𪚥",
    "Ābc",
    "×",
    " ",
    "\n",
    "，",
    "。",
    "x" * 70,
    "ｗｏｒｄ" * 15,
    "é",
    "ß",
    "·",
    "%",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=60),
    st.sampled_from([(5, 128), (1, 16), (3, 64), (9, 256), (5, 2), (40, 128)]),
)
def test_native_equals_numpy_on_generated_text(pieces: list[str], settings_: tuple[int, int]):
    text = "".join(pieces)
    k, num_perm = settings_
    assert same(
        fingerprint(text, k=k, num_perm=num_perm), _fingerprint_numpy(text, k=k, num_perm=num_perm)
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_native_equals_numpy_on_any_text(text: str):
    assert same(fingerprint(text), _fingerprint_numpy(text))


def test_native_equals_numpy_on_reports():
    texts = [read(seed) for seed in ALL_SEEDS] + genre_texts()[:40]
    for text in texts:
        for key in (text, normalise(text, steps=TOKEN_STEPS).text):
            assert same(fingerprint(key), _fingerprint_numpy(key))


def test_a_worker_row_is_the_fingerprint_with_its_shingles_packed():
    for text in [read(seed) for seed in ALL_SEEDS] + ["", "一", "ab cd"]:
        for k, num_perm in ((5, 128), (1, 16), (40, 2)):
            row, packed = fingerprint_row(text, k=k, num_perm=num_perm)
            assert same(
                from_row(row, unpack_shingles(packed)), fingerprint(text, k=k, num_perm=num_perm)
            )
            assert row[3] == fingerprint(text, k=k, num_perm=num_perm).shingles.size


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, (1 << 24) - 1), st.integers(0, 0xFFFFFFFF)), max_size=400),
    st.sampled_from([0, 1, 65_535, 65_536]),
)
def test_native_packing_equals_numpy(values: list[int], gap: int):
    """Gaps of 65,535 still fit two bytes; 65,536 does not (the plain form)."""
    if values:
        values.append(min(values[0] + gap, 0xFFFFFFFF))
    array = np.unique(np.array(values, dtype=np.uint32))
    packed = pack_shingles(array)
    assert packed == _pack_numpy(array)
    assert np.array_equal(unpack_shingles(packed), array)


def test_native_refuses_what_numpy_refuses():
    with pytest.raises(ValueError):
        fingerprint("abc", num_perm=100)
