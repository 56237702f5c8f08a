"""The cache's band index: ``match`` asks it for the versions that share an LSH band with
the filed copy instead of comparing every archived signature, and must answer exactly
as the full comparison does."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import genre_texts

from difftool import cache as cache_module
from difftool import fingerprint as fp_module
from difftool import index as index_module
from difftool.index import Index, dedup
from difftool.matching import NothingSimilar, match
from difftool.variants import edit_sentences, paragraphs, pdf_layout, web_layout


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, list[str]]:
    """300 documents of the genre (5-9 paragraphs each) and 24 edited, re-laid-out
    versions of some of them; returns the folder and the texts queries are made from."""
    rng = random.Random(5)
    pool = [p for text in genre_texts() for p in paragraphs(text) if len(p) > 60]
    root = tmp_path_factory.mktemp("band-archive")
    originals = []
    for i in range(300):
        text = "\n".join(rng.sample(pool, rng.randint(5, 9)))
        originals.append(text)
        (root / f"d{i % 7}").mkdir(exist_ok=True)
        (root / f"d{i % 7}" / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")
    for i in range(24):
        edited, _ = edit_sentences(originals[i], rng, edits=rng.randint(1, 3))
        (root / "versions").mkdir(exist_ok=True)
        (root / "versions" / f"v{i:03d}.txt").write_text(web_layout(edited), encoding="utf-8")
    return root, originals


def ranking(result) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    return [(c.path, round(c.jaccard, 6), round(c.containment, 6)) for c in result.candidates]


def filed_copy(tmp_path: Path, text: str, seed: int) -> Path:
    edited, _ = edit_sentences(text, random.Random(seed), edits=1)
    filed = tmp_path / f"filed{seed}.txt"
    filed.write_text(pdf_layout(edited), encoding="utf-8")
    return filed


def test_lookups_answer_as_the_full_comparison_does(archive, tmp_path, monkeypatch):
    root, originals = archive
    cache = tmp_path / "cache.sqlite"
    dedup([root], cache=cache, jobs=1)
    queries = [filed_copy(tmp_path, originals[i], i) for i in (0, 3, 7, 30, 150, 299)]
    expected = [ranking(match(q, [root], cache=False, jobs=1)) for q in queries]
    assert all(e and e[0][1] > 0.5 for e in expected)
    # a version that shares a band never needs the whole archive's signatures
    monkeypatch.setattr(Index, "load_cached", lambda self: pytest.fail("full comparison"))
    first = [ranking(match(q, [root], cache=cache, jobs=1)) for q in queries]  # builds it
    with sqlite3.connect(cache) as db:
        (upto, size) = db.execute("SELECT upto, size FROM bands").fetchone()
    bands, _rows = index_module.lsh_params(128)
    assert size == 324 * 3 * bands and upto >= 324
    again = [ranking(match(q, [root], cache=cache, jobs=1)) for q in queries]  # reads it
    assert first == again
    for looked_up, full in zip(again, expected):
        # the same version first, and every close one found; resemblances below what
        # shares a band (a paragraph in common: Jaccard about 0.1) are left out, the
        # order of the rest kept
        assert looked_up[0] == full[0]
        assert looked_up == [c for c in full if c in looked_up]
        assert all(c in looked_up for c in full if c[1] >= 0.5 or c[2] >= 0.8)
    assert sum(len(e) for e in expected) > sum(len(a) for a in again)  # the case is tested


def test_files_added_after_the_index_are_found_and_the_index_is_rewritten(
    archive, tmp_path, monkeypatch
):
    _root, originals = archive
    cache = tmp_path / "cache.sqlite"
    folder = tmp_path / "grown"
    folder.mkdir()
    for i in range(40):
        (folder / f"doc{i:03d}.txt").write_text(originals[100 + i], encoding="utf-8")
    query = filed_copy(tmp_path, originals[120], 1)
    match(query, [folder], cache=cache, jobs=1)  # the index holds 40 documents
    source = folder / "late.txt"
    source.write_text(originals[200], encoding="utf-8")
    match(query, [folder], cache=cache, jobs=1)  # caches its row, after the index
    late = filed_copy(tmp_path, originals[200], 2)
    found = match(late, [folder], cache=cache, jobs=1)
    assert Path(found.candidates[0].path) == source
    # the late row was compared directly; once too many are, the index is rewritten
    with sqlite3.connect(cache) as db:
        before = db.execute("SELECT upto FROM bands").fetchone()[0]
    assert before == 40
    for i in range(5):  # past a tenth of the index
        (folder / f"later{i}.txt").write_text(originals[210 + i], encoding="utf-8")
    monkeypatch.setattr(index_module, "STALE_ROWS", 0)
    assert ranking(match(late, [folder], cache=cache, jobs=1)) == ranking(found)
    with sqlite3.connect(cache) as db:
        after = db.execute("SELECT upto FROM bands").fetchone()[0]
    assert after > before


def test_an_unrelated_filed_copy_still_names_the_closest(archive, tmp_path):
    root, _ = archive
    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "unrelated.txt"
    filed.write_text(
        "本合同由甲乙双方签订，甲方负责提供场地，乙方负责装修与日常维护。" * 20, encoding="utf-8"
    )
    with pytest.raises(NothingSimilar) as with_cache:
        match(filed, [root], cache=cache, jobs=1)
    with pytest.raises(NothingSimilar) as without:
        match(filed, [root], cache=False, jobs=1)
    assert str(with_cache.value) == str(without.value)


@pytest.mark.parametrize("page", [7, 256])
def test_page_lookups_and_a_whole_read_find_the_same_rows(tmp_path, monkeypatch, page):
    """Keys repeat (runs of equal keys cross pages at 7 keys a page); the lookups and
    the whole index read back agree with a search of the arrays written."""
    monkeypatch.setattr(cache_module, "BAND_PAGE", page)
    rng = np.random.default_rng(3)
    keys = np.sort(rng.integers(0, 1 << 20, 5000, dtype=np.uint64))  # many repeated keys
    keys[:40] = 7  # a run over several pages
    keys[-3:] = (1 << 64) - 1  # the largest key, which SQLite stores as 2**63 - 1
    ids = rng.integers(1, 400, keys.size).astype(np.int64)
    store = cache_module.SignatureCache(tmp_path / "c.sqlite", "test")
    store.put_band_index(399, keys, ids)
    stored = store.band_index()
    assert stored is not None and stored.upto == 399 and stored.size == keys.size
    wanted = [int(k) for k in keys[::97]] + [1 << 40, 0, 7, 8, (1 << 64) - 1, int(keys[-4])]
    wanted_keys = np.array(sorted(set(wanted)), dtype=np.uint64)
    whole_keys, whole_ids = stored.read()
    assert np.array_equal(whole_keys, keys) and np.array_equal(whole_ids, ids)
    for limit in (1, 2, 39, 40, 200):
        direct = stored.lookup(wanted, limit)
        expect = set()
        for key in set(wanted):
            rows = ids[keys == key]
            if 0 < rows.size <= limit:
                expect.update(rows.tolist())
        assert direct == expect
        assert cache_module.lookup_sorted(keys, ids, wanted_keys, limit) == expect
        # each key's holders, as often as they hold it; None past the limit
        buckets = stored.buckets(wanted, limit)
        sizes = [int((keys == key).sum()) for key in set(wanted)]
        if max(sizes) > limit:
            assert buckets is None
        else:
            assert buckets is not None and set(buckets) == set(wanted)
            for key, rows in buckets.items():
                assert sorted(rows) == sorted(ids[keys == key].tolist())
    store.close()


def test_a_lookup_reads_a_page_or_two_whatever_the_index_size(tmp_path):
    """What ``match`` reads of the band index does not grow with the archive: a page a
    key, and the next only when the key's rows run on into it."""
    rng = np.random.default_rng(5)
    for size in (10_000, 1_000_000):
        keys = np.sort(rng.integers(0, 1 << 64, size, dtype=np.uint64))
        store = cache_module.SignatureCache(tmp_path / f"c{size}.sqlite", "test")
        store.put_band_index(1, keys, np.arange(size, dtype=np.int64))
        stored = store.band_index()
        assert stored is not None
        pages: list[bytes] = []

        class Counted:  # the connection, counting the pages its lookups step through
            def __init__(self, db: sqlite3.Connection, pages: list[bytes]) -> None:
                self.db, self.pages = db, pages

            def execute(self, *args):  # type: ignore[no-untyped-def]
                for row in self.db.execute(*args):
                    self.pages.append(row[0])
                    yield row

        counted = cache_module.BandIndex(
            Counted(store._db, pages),  # type: ignore[arg-type]
            "test",
            upto=1,
            size=size,
        )
        at = list(range(0, size, size // 95))
        assert counted.lookup([int(keys[i]) for i in at], 200) == set(at)
        # one page a key; and the next after a page's last key, which might run on
        page = cache_module.BAND_PAGE
        assert len(pages) == len(at) + sum(i % page == page - 1 for i in at)
        assert all(len(p) <= 8 * page for p in pages)  # pages, never the index
        store.close()


@pytest.mark.parametrize("values", [[], [0], [5, 6], [0, 70_000], [(1 << 24) - 1]])
def test_shingle_sets_round_trip(values):
    array = np.array(values, dtype=np.uint32)
    packed = fp_module.pack_shingles(array)
    assert np.array_equal(fp_module.unpack_shingles(packed), array)


def test_random_shingle_sets_round_trip_and_gaps_save_a_third():
    rng = np.random.default_rng(9)
    for size in (1, 2, 50, 3000, 20_000):
        array = np.unique(rng.integers(0, 1 << 24, size).astype(np.uint32))
        packed = fp_module.pack_shingles(array)
        assert np.array_equal(fp_module.unpack_shingles(packed), array)
        if size >= 3000:
            assert len(packed) < 2.1 * array.size + 8
    for bad in (b"", b"g12", b"p123", b"x1234"):
        with pytest.raises(ValueError):
            fp_module.unpack_shingles(bad)


def test_an_older_cache_is_rebuilt_with_a_warning(archive, tmp_path):
    root, _ = archive
    cache = tmp_path / "old.sqlite"
    with sqlite3.connect(cache) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '3')")
        db.execute(
            "CREATE TABLE fingerprints (path TEXT, settings TEXT, key_hash TEXT, shingles BLOB)"
        )
        db.execute("INSERT INTO fingerprints VALUES ('x', 'y', 'z', x'00')")
    first = dedup([root / "versions"], cache=cache, jobs=1)
    assert any("older docdiff" in w for w in first.warnings)
    second = dedup([root / "versions"], cache=cache, jobs=1)
    assert second.cached == 24 and not second.warnings
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '99')")
    result = dedup([root / "versions"], cache=newer, jobs=1)
    assert any("not used" in w and "schema 99" in w for w in result.warnings)
    assert result.cached == 0
    # a database that only looks old is not docdiff's: nothing in it is dropped
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '1')")
        db.execute("CREATE TABLE fingerprints (who TEXT)")
        db.execute("INSERT INTO fingerprints VALUES ('kept')")
    result = dedup([root / "versions"], cache=foreign, jobs=1)
    assert any("not a docdiff cache" in w for w in result.warnings)
    with sqlite3.connect(foreign) as db:
        assert db.execute("SELECT who FROM fingerprints").fetchall() == [("kept",)]
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE accounts (who TEXT)")
    before = other.read_bytes()
    result = dedup([root / "versions"], cache=other, jobs=1)
    assert any("not a docdiff cache" in w for w in result.warnings)
    assert other.read_bytes() == before


def test_the_signature_filter_never_drops_a_pair_that_joins(archive):
    """Pairs at every distance from the thresholds: versions edited lightly to heavily,
    excerpts of every length, halves, unrelated documents of the genre. Whatever
    ``verify`` joins, ``could_join`` must let through; and it must drop most of the
    unrelated pairs, or it would save nothing."""
    from difftool.fingerprint import fingerprint
    from difftool.index import could_join, verify
    from difftool.normalise import TOKEN_STEPS, normalise

    _root, originals = archive
    rng = random.Random(17)

    def fp(text: str):  # type: ignore[no-untyped-def]
        return fingerprint(normalise(text, steps=TOKEN_STEPS).text)

    joined = dropped_unrelated = unrelated = 0
    for n in range(120):
        text = originals[n]
        base = fp(text)
        sentences = text.split("。")
        kind = n % 4
        if kind == 0:  # edited: from one sentence to most of them
            other, _ = edit_sentences(text, rng, edits=rng.randint(1, max(1, len(sentences))))
        elif kind == 1:  # an excerpt of any length
            start = rng.randrange(len(text) // 2)
            other = text[start : start + rng.randint(200, len(text))]
        elif kind == 2:  # one part of it joined to another document
            other = text[: rng.randint(len(text) // 3, len(text))] + originals[n + 150]
        else:
            other = originals[n + 150]
        candidate = fp(other)
        for threshold, contained in ((0.7, 0.8), (0.5, 0.6), (0.9, 0.95)):
            joins = verify(base, candidate, threshold, contained)[0]
            passes = could_join(base, candidate, threshold, contained)
            assert passes or not joins, (n, kind, threshold)
            joined += joins
            if kind == 3 and (threshold, contained) == (0.7, 0.8):
                unrelated += 1
                dropped_unrelated += not passes
    assert joined > 100
    assert dropped_unrelated >= 0.9 * unrelated


def test_a_spoilt_row_is_fingerprinted_again_by_match(archive, tmp_path):
    root, originals = archive
    cache = tmp_path / "cache.sqlite"
    dedup([root], cache=cache, jobs=1)
    query = filed_copy(tmp_path, originals[42], 42)
    match(query, [root], cache=cache, jobs=1)  # the band index holds every row
    source = str(root / "d0" / "doc042.txt")
    with sqlite3.connect(cache) as db:
        db.execute(
            "UPDATE fingerprints SET signature = x'0102' WHERE path LIKE ?", (f"%:{source}",)
        )
    found = match(query, [root], cache=cache, jobs=1)
    assert found.candidates[0].path == source and not found.errors
    with sqlite3.connect(cache) as db:  # rewritten whole
        (size,) = db.execute(
            "SELECT length(signature) FROM fingerprints WHERE path LIKE ?", (f"%:{source}",)
        ).fetchone()
    assert size == 128 * 8


def test_a_spoilt_row_is_fingerprinted_again_when_every_signature_is_read(archive, tmp_path):
    """``match`` reads every row (:meth:`Index.load_cached`) when the band index names
    nothing similar; a row found current but spoilt is then a miss, not an error entry."""
    root, _ = archive
    cache = tmp_path / "cache.sqlite"
    dedup([root], cache=cache, jobs=1)
    source = str(root / "d0" / "doc042.txt")
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE fingerprints SET halves = x'00' WHERE path LIKE ?", (f"%:{source}",))
    files = sorted(str(p) for p in root.rglob("*.txt"))
    index = Index(cache=cache, jobs=1)
    index.add(files, shingles=False, lazy=True)
    index.load_cached()
    assert not index.errors and sorted(index.fingerprints) == files
    assert index.fingerprints[source].halves[0].size == 128
    with sqlite3.connect(cache) as db:
        (size,) = db.execute(
            "SELECT length(halves) FROM fingerprints WHERE path LIKE ?", (f"%:{source}",)
        ).fetchone()
    assert size == 2 * 128 * 8


def groups(result) -> list[list[tuple[str, float, bool]]]:  # type: ignore[no-untyped-def]
    return [
        sorted((m.path, round(m.similarity, 6), m.partial) for m in c.members)
        for c in result.clusters
    ]


def test_dedup_writes_the_band_index_and_a_warm_run_bands_nothing(archive, tmp_path, monkeypatch):
    root, originals = archive
    cache = tmp_path / "cache.sqlite"
    expected = groups(dedup([root], cache=False, jobs=1))
    assert len(expected) >= 20
    cold = dedup([root], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        (upto,) = db.execute("SELECT upto FROM bands").fetchone()
        (rows,) = db.execute("SELECT max(id) FROM fingerprints").fetchone()
    assert upto == rows
    with sqlite3.connect(cache) as db:  # not the stored answer: the grouping, from the index
        db.execute("DELETE FROM answers")
    monkeypatch.setattr(Index, "_band_keys", lambda self, paths: pytest.fail("banded again"))
    warm = dedup([root], cache=cache, jobs=1)
    assert groups(cold) == groups(warm) == expected
    # match finds the index ready: it reads no archived signature
    monkeypatch.setattr(Index, "load_cached", lambda self: pytest.fail("full comparison"))
    found = match(filed_copy(tmp_path, originals[9], 9), [root], cache=cache, jobs=1)
    assert found.candidates[0].path.endswith("doc009.txt")


def test_a_cache_shared_by_two_folders_keeps_both_in_its_index(archive, tmp_path, monkeypatch):
    _root, originals = archive
    cache = tmp_path / "cache.sqlite"
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, start in ((first, 0), (second, 60)):
        folder.mkdir()
        for i in range(start, start + 40):
            (folder / f"doc{i:03d}.txt").write_text(originals[i], encoding="utf-8")
    bands = index_module.lsh_params(128)[0]
    dedup([first], cache=cache, jobs=1)
    # a few rows more: merged into the index in memory, the index kept as it is
    dedup([second], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        (size,) = db.execute("SELECT size FROM bands").fetchone()
    assert size == 40 * 3 * bands
    for folder, i in ((first, 5), (second, 65)):
        found = match(filed_copy(tmp_path, originals[i], i), [folder], cache=cache, jobs=1)
        assert Path(found.candidates[0].path) == folder / f"doc{i:03d}.txt"
        assert groups(dedup([folder], cache=cache, jobs=1)) == groups(dedup([folder], cache=False))
    # many rows more: the index is written again, with both folders' rows
    monkeypatch.setattr(index_module, "STALE_ROWS", 10)
    with sqlite3.connect(cache) as db:
        db.execute("DELETE FROM answers")
    dedup([second], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        (size,) = db.execute("SELECT size FROM bands").fetchone()
    assert size == 80 * 3 * bands
    found = match(filed_copy(tmp_path, originals[5], 5), [first], cache=cache, jobs=1)
    assert Path(found.candidates[0].path) == first / "doc005.txt"
    assert groups(dedup([first], cache=cache, jobs=1)) == groups(dedup([first], cache=False))


def test_files_added_since_the_index_are_merged_into_it_exactly(archive, tmp_path, monkeypatch):
    root, originals = archive
    cache = tmp_path / "cache.sqlite"
    dedup([root], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        before = db.execute("SELECT upto, size FROM bands").fetchone()
        pages_before = db.execute("SELECT * FROM band_pages ORDER BY page").fetchall()
    added = tmp_path / "added"
    added.mkdir()
    for i in range(0, 30, 3):  # new versions of archived documents, and new documents
        edited, _ = edit_sentences(originals[i], random.Random(i), edits=2)
        (added / f"new{i:03d}.txt").write_text(pdf_layout(edited), encoding="utf-8")
        (added / f"other{i:03d}.txt").write_text(originals[299 - i][::-1], encoding="utf-8")
    index = Index(cache=cache, jobs=1)
    paths = sorted(p.as_posix() for p in (*root.rglob("*.txt"), *added.glob("*.txt")))
    index.add(paths, shingles=False)
    monkeypatch.setattr(Index, "_write_band_index", lambda *a: pytest.fail("index rewritten"))
    merged = index.candidate_pairs(paths)
    plain = Index(cache=False, jobs=1)
    plain.add(paths, shingles=False)
    assert merged == plain.candidate_pairs(paths)
    assert any(paths[j].startswith(added.as_posix()) for _, j in merged)
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT upto, size FROM bands").fetchone() == before
        assert db.execute("SELECT * FROM band_pages ORDER BY page").fetchall() == pages_before
    both = dedup([root, added], cache=cache, jobs=1)
    assert groups(both) == groups(dedup([root, added], cache=False, jobs=1))


def test_a_cold_dedup_reads_back_only_the_candidates_shingle_sets(archive, tmp_path, monkeypatch):
    """The parent keeps no shingle set it does not verify: memory stays flat."""
    root, _ = archive
    unpacked: list[int] = []
    real = index_module.unpack

    def counted(data: bytes):  # type: ignore[no-untyped-def]
        unpacked.append(1)
        return real(data)

    monkeypatch.setattr(index_module, "unpack", counted)
    monkeypatch.setattr(cache_module, "unpack_shingles", counted)
    result = dedup([root], cache=tmp_path / "cache.sqlite", jobs=1)
    documents = result.documents
    assert documents == 324 and result.clusters
    assert 0 < len(unpacked) < documents // 3


@pytest.mark.parametrize("spread", [1, 10**9])  # ids packed, and ids a tampered sequence gave
def test_row_positions_by_table_and_by_search(spread):
    rng = np.random.default_rng(spread % 97)
    mine = rng.choice(np.arange(1, 5000), size=300, replace=False).astype(np.int64) * spread
    strangers = rng.integers(0, 2**32, 100, dtype=np.int64)
    owners = np.concatenate((rng.choice(mine, 1000), strangers))
    rng.shuffle(owners)
    got = index_module._positions(mine, owners)
    where = {int(v): i for i, v in enumerate(mine)}
    assert got.tolist() == [where.get(int(o), -1) for o in owners]


def test_a_spoilt_band_index_is_written_again_and_nothing_breaks(archive, tmp_path):
    root, originals = archive
    cache = tmp_path / "cache.sqlite"
    first = dedup([root], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE band_pages SET ids = substr(ids, 1, 4)")  # every page spoilt
    found = match(filed_copy(tmp_path, originals[11], 11), [root], cache=cache, jobs=1)
    assert found.candidates[0].path.endswith("doc011.txt")
    with sqlite3.connect(cache) as db:
        spoilt = db.execute("SELECT count(*) FROM band_pages WHERE 2 * length(ids) != length(keys)")
        assert spoilt.fetchone() == (0,)  # written again from the signatures
        db.execute("UPDATE band_pages SET keys = x'00'")
    again = dedup([root], cache=cache, jobs=1)
    assert groups(again) == groups(first) == groups(dedup([root], cache=False, jobs=1))
    assert again.cached == 324  # the cache itself still works
    for spoilt in ("'text'", "12", "x'0011'"):  # a value of another type, or cut short
        with sqlite3.connect(cache) as db:
            db.execute(f"UPDATE band_pages SET keys = {spoilt}")
        found = match(filed_copy(tmp_path, originals[11], 11), [root], cache=cache, jobs=1)
        assert found.candidates[0].path.endswith("doc011.txt")
        with sqlite3.connect(cache) as db:
            db.execute(f"UPDATE band_pages SET ids = {spoilt}")
        assert groups(dedup([root], cache=cache, jobs=1)) == groups(first)


def test_a_schema_4_cache_keeps_its_fingerprints(archive, tmp_path):
    """The band index moved into pages (schema 5): a schema-4 cache drops only its old
    band index, which is built again; its fingerprints are kept."""
    root, originals = archive
    cache = tmp_path / "cache.sqlite"
    first = dedup([root], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        db.execute("DROP TABLE bands")
        db.execute("DROP TABLE band_pages")
        db.execute(
            "CREATE TABLE bands (settings TEXT PRIMARY KEY, upto INTEGER NOT NULL, "
            "keys BLOB NOT NULL, ids BLOB NOT NULL)"
        )
        db.execute("INSERT INTO bands SELECT settings, 1, x'00', x'00' FROM fingerprints LIMIT 1")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'schema'")
    found = match(filed_copy(tmp_path, originals[11], 11), [root], cache=cache, jobs=1)
    assert found.candidates[0].path.endswith("doc011.txt")
    assert not found.warnings
    again = dedup([root], cache=cache, jobs=1)
    assert again.cached == 324 and groups(again) == groups(first)
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("5",)


def test_fresh_rows_by_path_and_by_a_pass_agree(archive, tmp_path, monkeypatch):
    root, _ = archive
    cache_path = tmp_path / "cache.sqlite"
    dedup([root], cache=cache_path, jobs=1)
    files = sorted(str(p) for p in root.rglob("*.txt"))
    changed = Path(files[3])
    changed.write_text(changed.read_text(encoding="utf-8") + "\n又一句。", encoding="utf-8")
    stats = [cache_module.stat(p) for p in files[:40]]
    answers = []
    for limit in (0, 10_000):  # every row read, and the rows asked for by path
        monkeypatch.setattr(cache_module, "_ASKED_BY_PATH", limit)
        cache = cache_module.SignatureCache(cache_path, Index().settings)
        answers.append(cache.fresh(stats))
        cache.close()
    assert answers[0] == answers[1]
    assert len(answers[0]) == 39 and str(changed) not in answers[0]


def _same_answer(a, b) -> bool:  # type: ignore[no-untyped-def]
    fields = ("documents", "clusters", "errors", "candidates", "singletons")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def _count_groupings(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    real = Index._group

    def counted(self):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(self)

    monkeypatch.setattr(Index, "_group", counted)
    return calls


@pytest.fixture
def own_archive(archive, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the archive that a test may add files to."""
    root, _ = archive
    copy = tmp_path / "a"
    for path in root.rglob("*.txt"):
        target = copy / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return copy


@pytest.mark.parametrize("seed", list(range(1, int(os.environ.get("GROW_SEEDS", "4")))))
def test_files_added_are_grouped_from_the_stored_answer_exactly(
    archive, own_archive, tmp_path, monkeypatch, seed
):
    _, originals = archive
    cache = tmp_path / "cache.sqlite"
    first = dedup([own_archive], cache=cache, jobs=1)
    rng = random.Random(seed)
    for n in range(rng.randint(3, 8)):
        i = rng.randrange(len(originals))
        folder = own_archive / rng.choice(["0first", "zlast"])  # before and after the rest
        folder.mkdir(exist_ok=True)
        kind = rng.choice(["version", "copy", "unrelated", "copy of a version"])
        if kind == "version":
            text = web_layout(edit_sentences(originals[i], rng, edits=2)[0])
        elif kind == "copy":
            text = originals[i]  # an exact copy: the same key as an archived document
        elif kind == "copy of a version":
            text = (own_archive / "versions" / f"v{rng.randrange(24):03d}.txt").read_text("utf-8")
        else:
            # another mix of the genre's paragraphs (long enough not to be short)
            j = rng.randrange(len(originals))
            text = "\n".join(originals[i].split("\n")[:3] + originals[j].split("\n")[-3:])
        (folder / f"new{n}.txt").write_text(text, encoding="utf-8")
    removed = 0
    if seed % 2 == 0:  # and some removed: versions, originals with versions, others
        archived = sorted(p for p in own_archive.rglob("*.txt") if "new" not in p.name)
        for path in rng.sample(archived[:30] + archived[-30:], rng.randint(1, 6)):
            path.unlink()
            removed += 1
    calls = _count_groupings(monkeypatch)
    grown = dedup([own_archive], cache=cache, jobs=1)
    assert calls == []  # from the stored answer
    assert _same_answer(grown, dedup([own_archive], cache=False, jobs=1))
    assert grown.documents > first.documents - removed
    assert calls == [1]  # the run without a cache worked it out
    # and the grown answer is stored: the next run takes it as it is
    monkeypatch.setattr(Index, "_grown", lambda self, ids: pytest.fail("grown again"))
    assert _same_answer(grown, dedup([own_archive], cache=cache, jobs=1)) and calls == [1]


def test_files_added_that_cannot_be_vouched_for_are_grouped_in_full(
    archive, own_archive, tmp_path, monkeypatch
):
    _, originals = archive
    cache = tmp_path / "cache.sqlite"
    dedup([own_archive], cache=cache, jobs=1)
    calls = _count_groupings(monkeypatch)
    # a short document: it would be looked up in every archived document
    (own_archive / "short.txt").write_text(originals[3][:150], encoding="utf-8")
    short = dedup([own_archive], cache=cache, jobs=1)
    assert calls == [1]
    assert _same_answer(short, dedup([own_archive], cache=False, jobs=1))
    # a file removed while the archive holds a short document (it may have been inside
    # the removed one: the pairs lost cannot be told without looking)
    (own_archive / "d0" / "doc000.txt").unlink()
    (own_archive / "more.txt").write_text(originals[5], encoding="utf-8")
    removed = dedup([own_archive], cache=cache, jobs=1)
    assert len(calls) == 3
    assert _same_answer(removed, dedup([own_archive], cache=False, jobs=1))


def test_a_file_added_that_holds_an_archived_excerpt_takes_it_in(
    archive, own_archive, tmp_path, monkeypatch
):
    """The stored short documents are looked up in the new files, as a full run does."""
    _, originals = archive
    source = originals[40][::-1]  # read backwards: text the archive does not hold
    (own_archive / "excerpt.txt").write_text(source[:160], encoding="utf-8")
    cache = tmp_path / "cache.sqlite"
    first = dedup([own_archive], cache=cache, jobs=1)
    assert str(own_archive / "excerpt.txt") in first.singletons
    (own_archive / "zlast").mkdir()
    (own_archive / "zlast" / "source.txt").write_text(source, encoding="utf-8")
    calls = _count_groupings(monkeypatch)
    grown = dedup([own_archive], cache=cache, jobs=1)
    assert calls == []
    together = [c for c in grown.clusters if c.representative.endswith("source.txt")]
    assert together and any(
        m.path.endswith("excerpt.txt") and m.partial for m in together[0].members
    )
    assert _same_answer(grown, dedup([own_archive], cache=False, jobs=1))


@pytest.mark.parametrize("rows", ["not json", "[1, 2]", '{"elsewhere.txt": 1}', "{}"])
def test_a_spoilt_record_of_rows_means_a_full_grouping(
    archive, own_archive, tmp_path, monkeypatch, rows
):
    _, originals = archive
    cache = tmp_path / "cache.sqlite"
    dedup([own_archive], cache=cache, jobs=1)
    with sqlite3.connect(cache) as db:
        assert db.execute("UPDATE answers SET rows = ?", (rows,)).rowcount == 1
    (own_archive / "zlast").mkdir()
    (own_archive / "zlast" / "new.txt").write_text(originals[7] + "\n补充。", encoding="utf-8")
    calls = _count_groupings(monkeypatch)
    again = dedup([own_archive], cache=cache, jobs=1)
    assert calls == [1]
    assert _same_answer(again, dedup([own_archive], cache=False, jobs=1))


def test_a_spoilt_row_added_since_the_index_means_a_full_grouping(
    archive, own_archive, tmp_path, monkeypatch
):
    _, originals = archive
    cache = tmp_path / "cache.sqlite"
    dedup([own_archive], cache=cache, jobs=1)
    (own_archive / "zlast").mkdir()
    first = own_archive / "zlast" / "first.txt"
    first.write_text(originals[8] + "\n补充一。", encoding="utf-8")
    calls = _count_groupings(monkeypatch)
    dedup([own_archive], cache=cache, jobs=1)
    assert calls == []  # grown from the stored answer; its row is past the band index
    with sqlite3.connect(cache) as db:
        spoilt = db.execute(
            "UPDATE fingerprints SET signature = x'00' WHERE path LIKE ?", ("%first.txt",)
        )
        assert spoilt.rowcount == 1
    (own_archive / "zlast" / "second.txt").write_text(originals[9] + "\n补充二。", encoding="utf-8")
    again = dedup([own_archive], cache=cache, jobs=1)
    assert calls == [1]
    assert _same_answer(again, dedup([own_archive], cache=False, jobs=1))
    assert any(first.name in m.path for c in again.clusters for m in c.members)


def test_a_group_that_loses_its_bridge_falls_apart(archive, own_archive, tmp_path, monkeypatch):
    """A ~ B ~ C but not A ~ C: with B removed, what is left of the group is worked out
    again from its own pairs."""
    pool = list(dict.fromkeys(p for text in genre_texts() for p in paragraphs(text) if len(p) > 60))
    rng = random.Random(17)
    chosen = rng.sample(pool[-400:], 25)  # paragraphs of their own, in no archived mix
    bridge = own_archive / "bridge"
    bridge.mkdir()
    for name, (start, end) in {"a": (0, 20), "b": (2, 22), "c": (5, 25)}.items():
        (bridge / f"{name}.txt").write_text("\n".join(chosen[start:end]), encoding="utf-8")
    cache = tmp_path / "cache.sqlite"
    first = dedup([own_archive], cache=cache, jobs=1)
    names = {frozenset(Path(m.path).name for m in c.members) for c in first.clusters}
    assert frozenset({"a.txt", "b.txt", "c.txt"}) in names
    (bridge / "b.txt").unlink()
    calls = _count_groupings(monkeypatch)
    split = dedup([own_archive], cache=cache, jobs=1)
    assert calls == []  # the stored answer, updated
    together = [c for c in split.clusters if c.representative.startswith(str(bridge))]
    assert together == []
    assert _same_answer(split, dedup([own_archive], cache=False, jobs=1))


def test_a_new_cache_has_large_pages_and_an_old_one_keeps_its_own(archive, tmp_path):
    """Rows of 13 KB fill 32 KB pages instead of chains of 4 KB overflow pages; a cache
    made with SQLite's default pages is used as it is (its page size cannot change)."""
    root, _ = archive
    new, old = tmp_path / "new.sqlite", tmp_path / "old.sqlite"
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA page_size=4096")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    first = groups(dedup([root], cache=new, jobs=1))
    assert groups(dedup([root], cache=old, jobs=1)) == first
    again = dedup([root], cache=old, jobs=1)
    assert again.cached == 324 and groups(again) == first
    for path, size in ((new, cache_module.PAGE_SIZE), (old, 4096)):
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA page_size").fetchone() == (size,)
