"""Properties over generated hostile input: any file names (bytes) and contents give the
same groups cold, warm and without the cache; the loader never raises anything but its
own one-line errors, whatever the bytes (a bounded fuzz run, every CI run)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from conftest import SEED_000, SEED_001
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from difftool.cache import permanent
from difftool.errors import DocdiffError
from difftool.index import dedup
from difftool.load import read
from difftool.normalise import normalise
from difftool.segment import sentences

NAMES = st.binary(min_size=1, max_size=24).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..") and not b.startswith(b".")
)
TEXTS = [SEED_000.read_bytes(), SEED_001.read_bytes()]
CONTENTS = st.one_of(
    st.sampled_from(TEXTS),
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(TEXTS).map(lambda t: t[: len(t) // 2]),
)


def groups(result) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return sorted(sorted(m.path for m in c.members) for c in result.clusters)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAMES, CONTENTS, min_size=1, max_size=6))
def test_cold_warm_and_uncached_dedup_agree(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(os.fsencode(tmp), b"archive")
        os.mkdir(folder)
        for name, data in files.items():
            with open(os.path.join(folder, name), "wb") as handle:
                handle.write(data)
        root = os.fsdecode(folder)
        cache = Path(tmp) / "cache.sqlite"
        cold = dedup([root], cache=cache, jobs=1)
        warm = dedup([root], cache=cache, jobs=1)
        plain = dedup([root], cache=False, jobs=1)
        assert groups(cold) == groups(warm) == groups(plain)
        assert sorted(cold.errors) == sorted(warm.errors) == sorted(plain.errors)
        # everything comes from the cache but failures the bytes do not decide (a missing
        # program or extra), which are asked again
        passing = sum(1 for _, error in warm.errors if not permanent(error))
        assert warm.cached == len(files) - passing


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.sampled_from(
            [b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf"]
        ).flatmap(lambda head: st.binary(max_size=1500).map(lambda tail: head + tail)),
    )
)
def test_loader_fuzz(data):
    """Whatever the bytes: a Document that normalises and segments, or a DocdiffError."""
    try:
        doc = read(data, "fuzz")
    except DocdiffError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    sentences(normalise(doc.text))
