"""Near-duplicate groups: fingerprints, LSH, verification, the cache, the folder walk."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import opencc
import pytest
from conftest import ALL_SEEDS, SEED_000, SEED_001, SEED_002, SEED_003, SEED_004, read
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from difftool import index as index_module
from difftool import load, normalise
from difftool.cache import KEEP_RESULTS
from difftool.fingerprint import fingerprint, jaccard
from difftool.index import Index, dedup, lsh_params
from difftool.load.walk import walk
from difftool.variants import pdf_layout


def groups(result) -> set[frozenset[str]]:
    return {frozenset(Path(m.path).name for m in c.members) for c in result.clusters}


def test_seeds_000_and_001_group_and_the_others_stay_alone():
    result = dedup([SEED_000.parent], cache=False, jobs=1)
    assert result.documents == 5
    assert groups(result) == {frozenset({SEED_000.name, SEED_001.name})}
    (cluster,) = result.clusters
    assert cluster.representative.endswith(SEED_000.name)  # the most complete version
    assert cluster.members[1].similarity > 0.9
    assert not cluster.members[1].partial


def test_lsh_params_favour_recall():
    bands, rows = lsh_params(128)
    assert bands * rows <= 128
    recall_at = lambda s: 1 - (1 - s**rows) ** bands  # noqa: E731
    assert recall_at(0.5) > 0.85
    assert recall_at(0.7) > 0.999
    assert recall_at(0.1) < 0.01


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.05, max_value=0.95))
def test_signature_agreement_estimates_jaccard(seed, keep):
    text = normalise(read(SEED_001)).text
    rng = np.random.default_rng(seed)
    lines = text.split("\n")
    mask = rng.random(len(lines)) < keep
    other = "\n".join(line if m else line[::-1] for line, m in zip(lines, mask))
    a, b = fingerprint(text), fingerprint(other)
    exact = jaccard(a.shingles, b.shingles)
    estimate = float(np.mean(a.signature == b.signature))
    assert abs(estimate - exact) < 0.2  # 128 bins: standard error about 0.045


def test_fingerprint_of_empty_and_short_text():
    empty = fingerprint("")
    assert empty.tokens == 0 and empty.shingles.size == 0
    short = fingerprint("开展执法监督调研")  # 8 tokens: 5-token shingles, as for any length
    assert short.shingles.size == 4
    tiny = fingerprint("开展")  # shorter than a shingle: one shingle of its tokens
    assert tiny.shingles.size == 1 and tiny.key_hash != fingerprint("调研").key_hash


# --- a folder of versions ------------------------------------------------------------------


def half_mojibake(text: str) -> bytes:
    """A UTF-8 copy whose second half was once decoded as GBK and saved again."""
    cut = len(text) // 2
    garbled = text[cut:].encode("utf-8").decode("gb18030", errors="replace")
    return (text[:cut] + garbled).encode("utf-8")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    base = read(SEED_001)  # the market bureau's web text
    other = read(SEED_004)  # a Shanghai report of the same genre: a hard negative
    third = read(SEED_003)  # the Jiangmen people's congress opinion: another negative
    t2s = opencc.OpenCC("s2t")
    files = {
        "a/original.txt": base.encode("utf-8"),
        "a/exact_copy.txt": base.encode("utf-8"),
        "b/gb18030.txt": base.encode("gb18030"),
        "b/traditional_big5.txt": t2s.convert(base).encode("big5", errors="ignore"),
        "c/pdf_wraps.txt": pdf_layout(base).encode("utf-8"),
        "c/truncated.txt": base[: int(len(base) * 0.6)].encode("utf-8"),
        "c/second_half_mojibake.txt": half_mojibake(base),
        "d/shanghai.txt": other.encode("utf-8"),
        "d/shanghai_pdf.txt": pdf_layout(other).encode("utf-8"),
        "d/congress.txt": third.encode("utf-8"),
        "e/image.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
        ".hidden/original.txt": base.encode("utf-8"),
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_archive_groups_are_exact(archive: Path):
    result = dedup([archive], cache=False, jobs=1)
    assert groups(result) == {
        frozenset(
            {
                "original.txt",
                "exact_copy.txt",
                "gb18030.txt",
                "traditional_big5.txt",
                "pdf_wraps.txt",
                "truncated.txt",
                "second_half_mojibake.txt",
            }
        ),
        frozenset({"shanghai.txt", "shanghai_pdf.txt"}),
    }
    assert [Path(p).name for p, _ in result.errors] == ["image.png"]
    assert result.documents == 11  # the hidden folder is skipped
    members = {Path(m.path).name: m for c in result.clusters for m in c.members}
    assert members["truncated.txt"].partial
    assert members["truncated.txt"].containment > 0.95
    assert not members["exact_copy.txt"].partial
    assert not members["traditional_big5.txt"].partial


def test_a_document_half_made_of_another_does_not_join(tmp_path: Path):
    base, other = read(SEED_001), read(SEED_004)
    (tmp_path / "base.txt").write_text(base, encoding="utf-8")
    (tmp_path / "mixed.txt").write_text(
        base[: len(base) // 2] + other[: len(other) // 2], encoding="utf-8"
    )
    assert dedup([tmp_path], cache=False, jobs=1).clusters == ()
    # but it is half of base: a lower containment threshold joins it as partial
    loose = dedup([tmp_path], cache=False, jobs=1, containment=0.3)
    assert [m.partial for m in loose.clusters[0].members] == [False, True]


def test_parallel_and_serial_runs_agree(archive: Path):
    serial = dedup([archive], cache=False, jobs=1)
    parallel = dedup([archive], cache=False, jobs=2)
    assert groups(serial) == groups(parallel)


def test_dedup_never_modifies_scanned_files(archive: Path, tmp_path: Path):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in archive.rglob("*") if p.is_file()}
    dedup([archive], cache=tmp_path / "cache.sqlite", jobs=1)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in archive.rglob("*") if p.is_file()}
    assert before == after


# --- the cache ------------------------------------------------------------------------------


def test_second_run_reads_no_document(archive: Path, tmp_path: Path, monkeypatch):
    cache = tmp_path / "cache.sqlite"
    first = dedup([archive], cache=cache, jobs=1)
    assert first.cached == 0

    def must_not_read(args):
        raise AssertionError(f"read {args[0]} although it is cached")

    monkeypatch.setattr(index_module, "_fingerprint_file", must_not_read)
    second = dedup([archive], cache=cache, jobs=1)
    assert second.cached == 11  # every document, the unreadable image too
    assert second.errors == first.errors
    assert groups(second) == groups(first)


def _same_answer(a, b) -> bool:
    fields = ("documents", "clusters", "errors", "candidates", "singletons")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def _counting_groupings(monkeypatch) -> list[int]:
    """Count the groupings worked out (not taken from the cache)."""
    calls: list[int] = []
    real = Index._group

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(Index, "_group", counted)
    return calls


def test_unchanged_archive_takes_the_stored_answer_without_reading_fingerprints(
    archive: Path, tmp_path: Path, monkeypatch
):
    cache = tmp_path / "cache.sqlite"
    first = dedup([archive], cache=cache, jobs=1)
    calls = _counting_groupings(monkeypatch)

    def must_not_read(*args, **kwargs):
        raise AssertionError("read fingerprints although the answer is stored")

    monkeypatch.setattr(index_module.SignatureCache, "get_many", must_not_read)
    monkeypatch.setattr(index_module.SignatureCache, "shingles", must_not_read)
    second = dedup([archive], cache=cache, jobs=1)
    assert calls == []
    assert _same_answer(first, second)
    assert second.cached == 11
    assert len(second.clusters) == 2 and second.singletons  # a real answer, not an empty one


def test_stored_answer_is_not_taken_once_what_it_depends_on_changed(
    archive: Path, tmp_path: Path, monkeypatch
):
    root = tmp_path / "archive"
    for path in archive.rglob("*"):
        if path.is_file() and ".hidden" not in path.parts:
            (root / path.relative_to(archive)).parent.mkdir(parents=True, exist_ok=True)
            (root / path.relative_to(archive)).write_bytes(path.read_bytes())
    cache = tmp_path / "cache.sqlite"
    first = dedup([root], cache=cache, jobs=1)
    calls = _counting_groupings(monkeypatch)
    # other thresholds: another answer, worked out
    strict = dedup([root], cache=cache, jobs=1, threshold=0.95, containment=1.0)
    assert calls == [1]
    assert groups(strict) != groups(first)
    assert _same_answer(strict, dedup([root], cache=False, jobs=1, threshold=0.95, containment=1.0))
    assert len(calls) == 2  # without a cache, always worked out
    # a file rewritten with another report's text: it leaves its group for that report's
    copy = root / "a" / "exact_copy.txt"
    copy.write_bytes((root / "d" / "congress.txt").read_bytes())
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 10**9))
    rewritten = dedup([root], cache=cache, jobs=1)
    assert len(calls) == 3
    assert groups(rewritten) != groups(first)
    assert frozenset({"exact_copy.txt", "congress.txt"}) in groups(rewritten)
    assert groups(rewritten) == groups(dedup([root], cache=False, jobs=1))
    assert len(calls) == 4
    # a file removed, and a file renamed: other inputs, the stored answer updated
    (root / "c" / "truncated.txt").unlink()
    fewer = dedup([root], cache=cache, jobs=1)
    assert fewer.documents == first.documents - 1
    assert _same_answer(fewer, dedup([root], cache=False, jobs=1))
    assert len(calls) == 5  # the run without a cache only
    (root / "d" / "shanghai.txt").rename(root / "d" / "shanghai-2024.txt")
    renamed = dedup([root], cache=cache, jobs=1)
    assert _same_answer(renamed, dedup([root], cache=False, jobs=1))
    assert len(calls) == 6
    assert "shanghai-2024.txt" in {Path(m.path).name for c in renamed.clusters for m in c.members}
    # the same inputs again: taken; another grouping version: not taken
    assert _same_answer(renamed, dedup([root], cache=cache, jobs=1)) and len(calls) == 6
    monkeypatch.setattr(index_module, "GROUPING_VERSION", index_module.GROUPING_VERSION + 1)
    assert _same_answer(renamed, dedup([root], cache=cache, jobs=1)) and len(calls) == 7


@pytest.mark.parametrize(
    "spoilt",
    [
        "not json",
        '{"clusters": 5, "singletons": [], "candidates": 0}',
        '{"clusters": [[["a", "0.5", 1, false, 3, 4]]], "singletons": [], "candidates": 0}',
        '{"clusters": [], "singletons": ["elsewhere.txt"], "candidates": 0}',
        '{"clusters": [], "singletons": [], "candidates": null}',
    ],
)
def test_spoilt_stored_answer_is_worked_out_again(
    archive: Path, tmp_path: Path, monkeypatch, spoilt: str
):
    cache = tmp_path / "cache.sqlite"
    first = dedup([archive], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        assert db.execute("UPDATE answers SET result = ?", (spoilt,)).rowcount == 1
    calls = _counting_groupings(monkeypatch)
    again = dedup([archive], cache=cache, jobs=1)
    assert calls == [1]
    assert _same_answer(first, again)
    # and the mended answer is taken next time
    assert _same_answer(first, dedup([archive], cache=cache, jobs=1)) and calls == [1]


def test_stored_answers_are_bounded(archive: Path, tmp_path: Path):
    cache = tmp_path / "cache.sqlite"
    for step in range(KEEP_RESULTS + 3):
        dedup([archive], cache=cache, jobs=1, threshold=0.5 + step / 100)
    with sqlite3.connect(cache) as db:
        kept = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    assert kept == KEEP_RESULTS


def test_changed_file_and_changed_settings_miss_the_cache(archive: Path, tmp_path: Path):
    cache = tmp_path / "cache.sqlite"
    dedup([archive], cache=cache, jobs=1)
    assert dedup([archive], cache=cache, jobs=1, k=4).cached == 0  # other settings
    changed = tmp_path / "copy"
    changed.mkdir()
    doc = changed / "doc.txt"
    doc.write_text(read(SEED_000), encoding="utf-8")
    dedup([changed], cache=cache, jobs=1)
    doc.write_text(read(SEED_000) + "\n补充一句。", encoding="utf-8")
    os.utime(doc, ns=(doc.stat().st_atime_ns, doc.stat().st_mtime_ns + 10**9))
    assert dedup([changed], cache=cache, jobs=1).cached == 0


def test_corrupt_cache_given_by_the_user_is_bypassed_not_touched(archive: Path, tmp_path: Path):
    cache = tmp_path / "not-a-cache.sqlite"
    cache.write_bytes(b"this is somebody's file, not an SQLite database" * 10)
    before = cache.read_bytes()
    result = dedup([archive], cache=cache, jobs=1)
    assert any("not used" in w for w in result.warnings)
    assert len(result.clusters) == 2
    assert cache.read_bytes() == before


def test_corrupt_default_cache_is_moved_aside_and_rebuilt(
    archive: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    default = tmp_path / "docdiff" / "index.sqlite"
    default.parent.mkdir()
    default.write_bytes(b"garbage" * 100)
    result = dedup([archive], jobs=1)
    assert any("corrupt" in w for w in result.warnings)
    assert (tmp_path / "docdiff" / "index.corrupt").exists()
    assert dedup([archive], jobs=1).cached == 11


def test_locked_cache_is_bypassed_with_a_warning(archive: Path, tmp_path: Path):
    cache = tmp_path / "cache.sqlite"
    dedup([SEED_000], cache=cache, jobs=1)
    holder = sqlite3.connect(cache)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = dedup([archive], cache=cache, jobs=1)
    finally:
        holder.rollback()
        holder.close()
    assert any("not used" in w for w in result.warnings)
    assert len(result.clusters) == 2


# --- the walk ----------------------------------------------------------------------------------


def test_walk_globs_hidden_and_symlink_loops(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("乙", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.txt").write_text("丙", encoding="utf-8")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "link.txt").symlink_to(tmp_path / "sub" / "a.txt")
    names = lambda found: sorted(os.path.relpath(f, tmp_path) for f in found.files)  # noqa: E731
    # the linked file is read once, under the first path that reaches it; the loop is not followed
    assert names(walk([tmp_path])) == ["link.txt", "sub/b.md"]
    assert names(walk([tmp_path], include=["*.md"])) == ["sub/b.md"]
    assert "sub/b.md" not in names(walk([tmp_path], exclude=["*.md"]))
    assert ".git/c.txt" in names(walk([tmp_path], hidden=True))
    assert walk([tmp_path / "missing"]).errors == [
        (str(tmp_path / "missing"), "no such file or folder")
    ]


def test_index_validates_its_arguments():
    with pytest.raises(ValueError, match="threshold"):
        Index(threshold=0)
    with pytest.raises(ValueError, match="num_perm"):
        Index(num_perm=100)
    with pytest.raises(ValueError, match="jobs"):
        Index(jobs=0)


def test_all_seeds_fingerprint(tmp_path: Path):
    for seed in ALL_SEEDS:
        fp = fingerprint(normalise(load(seed).text).text)
        assert fp.shingles.size > 500
    assert SEED_002.exists()


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda p: p.name[:3])
def test_the_fast_token_profile_fingerprints_like_the_full_key(seed):
    from difftool.normalise import TOKEN_STEPS

    text = load(seed).text
    full = fingerprint(normalise(text).text)
    fast = fingerprint(normalise(text, steps=TOKEN_STEPS).text)
    assert full.key_hash == fast.key_hash
    assert np.array_equal(full.shingles, fast.shingles)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("中国报告發展，。；：“”（）ab\n\t— 3 —#*\u3000")),
        max_size=300,
    )
)
def test_fast_token_profile_property(text):
    """Equal fingerprints, except where a wrap or a space splits a number or a word (see
    TOKEN_STEPS)."""
    import re

    from difftool.normalise import TOKEN_STEPS

    assume(not re.search(r"[0-9a-zA-Z][ \t\u3000]*\n[\s—]*[0-9a-zA-Z]", text))
    assume(not re.search(r"[0-9][ \t\u3000]+[0-9]", text))
    fast = fingerprint(normalise(text, steps=TOKEN_STEPS).text)
    assert fingerprint(normalise(text).text).key_hash == fast.key_hash


def test_fingerprints_convert_to_datasketch_lean_minhash():
    a = fingerprint(normalise(read(SEED_000)).text)
    b = fingerprint(normalise(read(SEED_001)).text)
    estimate = a.lean_minhash().jaccard(b.lean_minhash())
    assert estimate == pytest.approx(float(np.mean(a.signature == b.signature)))
    assert abs(estimate - jaccard(a.shingles, b.shingles)) < 0.1


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 5000), max_size=300), st.sets(st.integers(0, 5000), max_size=300))
def test_common_counts_like_intersect1d(xs, ys):
    from difftool.fingerprint import common

    a = np.array(sorted(xs), dtype=np.uint32)
    b = np.array(sorted(ys), dtype=np.uint32)
    assert common(a, b) == np.intersect1d(a, b).size == len(xs & ys)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=60),
    st.lists(st.integers(0, 2**64 - 1), max_size=60),
    st.lists(st.sampled_from([0, 1, 2**63, 2**64 - 1]), max_size=5),
)
def test_found_in_answers_like_isin(ordered, values, edges):
    """Band keys are full 64-bit values: the top ones, and keys repeated on both sides."""
    from difftool.fingerprint import found_in

    keys = np.array(sorted(ordered + edges), dtype=np.uint64)
    asked = np.array(values + edges + ordered[:3], dtype=np.uint64)
    assert found_in(keys, asked).tolist() == np.isin(asked, keys).tolist()


def test_a_trusted_match_never_imports_numpy_ma(tmp_path):
    """``np.isin`` and ``np.unique`` on 64-bit band keys import ``numpy.ma`` (15 to 17 ms,
    a twentieth of a trusted match): the band lookup searches sorted keys instead."""
    import subprocess
    import sys
    import time

    from conftest import ALL_SEEDS

    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in ALL_SEEDS:
        (archive / seed.name).write_bytes(seed.read_bytes())
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_001)), encoding="utf-8")
    past = time.time() - 60  # a folder changed just now is not vouched for
    os.utime(archive, (past, past))
    cache = str(tmp_path / "cache.sqlite")
    dedup([str(archive)], cache=cache, jobs=1)
    run = (
        "import sys\n"
        "from difftool.matching import match\n"
        f"result = match({str(filed)!r}, [{str(archive)!r}], cache={cache!r}, trust=True)\n"
        "print(result.trusted, result.candidates[0].path, 'numpy.ma' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, check=True)
    # dedup recorded the folders: the band index answers, trusted
    assert done.stdout.split() == ["True", str(archive / SEED_001.name), "False"]


def test_a_warm_dedup_of_an_unchanged_archive_never_imports_numpy(tmp_path):
    """NumPy's import (60 to 100 ms) was most of a warm run's own time: the answer the
    cache keeps needs no array, so NumPy is imported only when one is made."""
    import subprocess
    import sys

    from conftest import ALL_SEEDS

    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in ALL_SEEDS:
        (archive / seed.name).write_bytes(seed.read_bytes())
    run = (
        "import sys\n"
        "from difftool.index import dedup\n"
        f"result = dedup([{str(archive)!r}], cache={str(tmp_path / 'cache.sqlite')!r}, jobs=1)\n"
        # numpy is registered, lazily, at import: its submodules load when it does
        "print(result.cached, len(result.clusters), 'numpy._core' in sys.modules)\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", run], capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    cold, warm = outputs
    assert cold == ["0", warm[1], "True"]  # fingerprinting makes arrays
    assert warm == [str(len(ALL_SEEDS)), cold[1], "False"]


def test_hundreds_of_versions_of_one_report_are_one_group(tmp_path: Path):
    """300 drafts of one report, each with a dozen characters changed, share their LSH
    buckets: buckets of over MAX_BUCKET documents were skipped, and 1,500 such drafts
    were one group of 1,192 and 308 documents alone. Now each member of such a bucket is
    linked to a few others, and every draft joins (with and without the cache, which
    takes the same grouping when the archive grows by a file)."""
    from fixtures import make_drafts

    from difftool.index import MAX_BUCKET

    text = read(SEED_001)
    drafts = 300
    assert drafts > MAX_BUCKET
    folder = make_drafts(tmp_path / "drafts", text, drafts, seed=300)
    (folder / "other.txt").write_text(read(SEED_002), encoding="utf-8")
    result = dedup([folder], cache=None, jobs=1)
    assert [len(c.members) for c in result.clusters] == [drafts]
    cache = tmp_path / "cache.sqlite"
    assert [len(c.members) for c in dedup([folder], cache=cache, jobs=1).clusters] == [drafts]
    (folder / "9999.txt").write_text(text, encoding="utf-8")
    assert [len(c.members) for c in dedup([folder], cache=cache, jobs=1).clusters] == [drafts + 1]
