"""Which version was filed: re-laid-out copies, close siblings, excerpts, nothing similar."""

from __future__ import annotations

import json
import random
from pathlib import Path

import opencc
import pytest
from conftest import ALL_SEEDS, SEED_000, SEED_001, SEEDS, read

from difftool.cli import cli
from difftool.matching import NothingSimilar, match
from difftool.variants import edit_sentences, paragraphs, pdf_layout, web_layout


def one_small_edit(text: str, seed: int) -> str:
    """The text with one sentence changed (a figure or a phrase)."""
    edited, made = edit_sentences(text, random.Random(seed), edits=1)
    assert made and made[0].kind in {"delete", "change", "move", "split", "merge", "insert"}
    return edited


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("layout", ["pdf", "traditional"])
def test_a_relaid_copy_with_one_edit_matches_its_seed(tmp_path: Path, seed: Path, layout: str):
    from difftool import load

    text = "\n".join(paragraphs(load(seed).text))
    edited = one_small_edit(text, seed=len(seed.name))
    filed = tmp_path / "filed.txt"
    if layout == "pdf":
        filed.write_text(pdf_layout(edited), encoding="utf-8")
    else:
        filed.write_text(opencc.OpenCC("s2t").convert(web_layout(edited)), encoding="utf-8")
    result = match(filed, [SEEDS], cache=False, jobs=1)
    assert Path(result.candidates[0].path).name == seed.name


@pytest.fixture(scope="module")
def siblings(tmp_path_factory) -> Path:
    """Seeds 000 and 001 and, for each, two near-siblings with one sentence changed."""
    root = tmp_path_factory.mktemp("siblings")
    for seed in (SEED_000, SEED_001):
        text = read(seed)
        (root / seed.name).write_text(text, encoding="utf-8")
        for n in (1, 2):
            (root / f"{seed.stem}_sibling{n}.txt").write_text(
                one_small_edit(text, seed=n * 7), encoding="utf-8"
            )
    return root


@pytest.mark.parametrize("seed", [SEED_000, SEED_001], ids=["000", "001"])
@pytest.mark.parametrize("which", ["", "_sibling1", "_sibling2"])
def test_close_siblings_are_told_apart(tmp_path: Path, siblings: Path, seed: Path, which: str):
    source = siblings / f"{seed.stem}{which}.txt"
    filed = tmp_path / "filed.txt"
    # the filed copy: another layout and a stamp line that no version has
    filed.write_text("（已盖章）\n" + pdf_layout(read(source)), encoding="utf-8")
    result = match(filed, [siblings], cache=False, jobs=1, top=6)
    assert Path(result.candidates[0].path).name == source.name
    assert result.candidates[0].similarity > result.candidates[1].similarity


def test_identical_filed_copy_has_no_differences(siblings: Path):
    result = match(siblings / SEED_001.name, [SEEDS], cache=False, jobs=1)
    best = result.candidates[0]
    assert Path(best.path).name == SEED_001.name
    assert not best.comparison.differs


def test_an_excerpt_is_said_to_be_one(tmp_path: Path):
    text = read(SEED_001)
    filed = tmp_path / "excerpt.txt"
    filed.write_text(text[len(text) // 3 : 2 * len(text) // 3], encoding="utf-8")
    result = match(filed, [SEEDS], cache=False, jobs=1)
    best = result.candidates[0]
    assert Path(best.path).name in {SEED_001.name, SEED_000.name}
    assert best.excerpt
    assert best.containment > 0.9


def test_nothing_similar_raises(tmp_path: Path):
    filed = tmp_path / "other.txt"
    filed.write_text("This is an English memo about something else entirely.", encoding="utf-8")
    with pytest.raises(NothingSimilar, match="no archived document is similar"):
        match(filed, [SEEDS], cache=False, jobs=1)


def test_match_cli_json_and_exit_status(runner, tmp_path: Path):
    filed = tmp_path / "filed.txt"
    filed.write_text(read(SEED_001).replace("罚没2791.19万元", "罚没2791.20万元"), encoding="utf-8")
    result = runner.invoke(cli, ["match", "--format", "json", "--no-cache", str(filed), str(SEEDS)])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["query"] == str(filed)
    best = data["candidates"][0]
    assert Path(best["path"]).name == SEED_001.name
    assert best["summary"] == {"change": 1, "insert": 0, "delete": 0, "move": 0}
    assert set(best) >= {"path", "similarity", "containment", "summary"}
    copy = tmp_path / "copy_of_000.txt"
    copy.write_bytes(SEED_000.read_bytes())
    same = runner.invoke(cli, ["match", "--no-cache", str(copy), str(SEEDS)])
    assert same.exit_code == 0, same.output
    assert "with no differences" in " ".join(same.output.split())  # however it wraps
    diff = runner.invoke(
        cli, ["match", "--diff", "--no-cache", "--color", "never", str(filed), str(SEEDS)]
    )
    flat = " ".join(diff.output.split())
    assert "2791.20" in flat and "figures" in flat


def test_match_cli_nothing_similar_is_trouble(runner, tmp_path: Path):
    filed = tmp_path / "other.txt"
    filed.write_text("An unrelated English note.", encoding="utf-8")
    result = runner.invoke(cli, ["match", "--no-cache", str(filed), str(SEEDS)])
    assert result.exit_code == 2
    assert "no archived document is similar" in result.output


def test_match_uses_the_dedup_cache(tmp_path: Path):
    cache = tmp_path / "cache.sqlite"
    from difftool.index import dedup

    dedup([SEEDS], cache=cache, jobs=1)
    filed = tmp_path / "filed.txt"
    filed.write_bytes(SEED_000.read_bytes())
    result = match(filed, [SEEDS], cache=cache, jobs=1)
    assert Path(result.candidates[0].path).name == SEED_000.name
    # FILED itself is left out when it lies under PATH
    itself = match(SEED_000, [SEEDS], cache=cache, jobs=1)
    assert all(Path(c.path).name != SEED_000.name for c in itself.candidates)


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """The seeds, a re-laid copy of seed 000 with one edit, and a file that is an error
    entry, in two folders."""
    root = tmp_path / "archive"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    for seed in SEEDS.glob("*.txt"):
        (root / "a" / seed.name).write_bytes(seed.read_bytes())
    (root / "b" / "edited.txt").write_text(
        web_layout(one_small_edit(read(SEED_000), seed=3)), encoding="utf-8"
    )
    (root / "b" / "broken.txt").write_bytes(b"\x00\xff" * 500)
    settled(root)
    return root


def settled(root: Path) -> None:
    """Folders last changed a minute ago: a recorded walk vouches only for folders that
    did not change within two seconds of it (see test_a_folder_changed_just_now...)."""
    import os
    import time

    past = time.time() - 60
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        os.utime(folder, (past, past))


def trusted_match(filed: Path, root: Path, cache: Path):  # type: ignore[no-untyped-def]
    return match(filed, [root], cache=cache, jobs=1, trust=True)


def summary(result) -> list[tuple[str, float, dict[str, int]]]:  # type: ignore[no-untyped-def]
    return [(c.path, round(c.similarity, 6), c.summary) for c in result.candidates]


def test_trusted_match_answers_as_the_full_check_without_walking(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
):
    import sys

    walk_module = sys.modules["difftool.load.walk"]  # the package's "walk" is the function
    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_000)), encoding="utf-8")
    full = match(filed, [archive], cache=cache, jobs=1)
    first = trusted_match(filed, archive, cache)  # walks, checks and records
    assert summary(first) == summary(full)

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("a trusted run walked the archive")

    monkeypatch.setattr(walk_module, "walk", no_walk)
    again = trusted_match(filed, archive, cache)
    assert summary(again) == summary(full)
    assert again.documents == full.documents == 7
    assert again.errors == full.errors and [p for p, _ in full.errors] == [
        str(archive / "b" / "broken.txt")
    ]


def test_trusted_match_sees_files_added_removed_and_rewritten(tmp_path: Path, archive: Path):
    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "filed.txt"
    text = pdf_layout(read(SEED_000))
    filed.write_text(text, encoding="utf-8")
    trusted_match(filed, archive, cache)
    best = archive / "a" / SEED_000.name
    # rewritten in place, its folder untouched: a candidate, so it is checked
    before = (best.parent.stat().st_mtime_ns, best.parent.stat().st_ctime_ns)
    with best.open("r+b") as f:
        f.write(read(SEED_001).encode("utf-8"))
        f.truncate()
    assert (best.parent.stat().st_mtime_ns, best.parent.stat().st_ctime_ns) == before
    rewritten = trusted_match(filed, archive, cache)
    assert str(best) not in [c.path for c in rewritten.candidates[:1]]
    assert summary(rewritten) == summary(match(filed, [archive], cache=False, jobs=1))
    # added: its folder changed, so the archive is walked again
    added = archive / "b" / "filed_copy.txt"
    added.write_text(text, encoding="utf-8")
    settled(archive)  # later than the recorded walk all the same
    result = trusted_match(filed, archive, cache)
    assert result.candidates[0].path == str(added)
    assert not result.candidates[0].comparison.changes
    # removed
    added.unlink()
    settled(archive)
    assert str(added) not in [c.path for c in trusted_match(filed, archive, cache).candidates]


def test_trusted_match_leaves_out_the_filed_copy_it_is_given(tmp_path: Path, archive: Path):
    cache = tmp_path / "cache.sqlite"
    one, other = archive / "a" / SEED_000.name, archive / "b" / "edited.txt"
    first = trusted_match(one, archive, cache)  # records the walk without ONE
    assert one.name not in [Path(c.path).name for c in first.candidates]
    assert first.candidates[0].path == str(other)
    # ONE has no row of its own, so the recorded walk is not trusted for another filed
    # copy: walked again, ONE is a candidate
    second = trusted_match(other, archive, cache)
    assert second.candidates[0].path == str(one)
    assert second.documents == first.documents


def test_trusted_match_with_nothing_similar_checks_everything(tmp_path: Path, archive: Path):
    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_000)), encoding="utf-8")
    trusted_match(filed, archive, cache)
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text(
        "The quick brown fox jumps over the lazy dog near the riverbank today. " * 40,
        encoding="utf-8",
    )
    with pytest.raises(NothingSimilar, match="no archived document is similar"):
        trusted_match(unrelated, archive, cache)


@pytest.mark.parametrize("spoil", ["folders", "documents", "errors", "skipped", "path"])
def test_a_spoilt_recorded_walk_is_walked_again(tmp_path: Path, archive: Path, spoil: str):
    import sqlite3

    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_000)), encoding="utf-8")
    full = trusted_match(filed, archive, cache)
    with sqlite3.connect(cache) as db:
        if spoil == "path":
            db.execute("UPDATE walked SET path = 'not json{'")
        else:
            db.execute(f"UPDATE walks SET {spoil} = x'00ff'")
    assert summary(trusted_match(filed, archive, cache)) == summary(full)


def test_match_cli_trust_cache(runner, tmp_path: Path, archive: Path):
    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_000)), encoding="utf-8")
    args = ["match", "--trust-cache", "--cache", str(cache), "--format", "json"]
    outputs = [runner.invoke(cli, [*args, str(filed), str(archive)]) for _ in range(2)]
    # the PDF print of seed 000 says what seed 000 says: no difference, like diff's 0
    assert [r.exit_code for r in outputs] == [0, 0]
    first, second = (json.loads(r.output) for r in outputs)
    assert first["checked"] == "every file"  # the run that records the walk
    assert second["checked"] == "folders and candidates"
    assert first["candidates"] == second["candidates"] and first["errors"] == second["errors"]
    assert Path(second["candidates"][0]["path"]).name == SEED_000.name
    terminal = runner.invoke(
        cli, ["match", "--trust-cache", "--cache", str(cache), str(filed), str(archive)]
    )
    assert "--trust-cache: folders and candidates checked" in terminal.output
    plain = runner.invoke(cli, ["match", "--cache", str(cache), str(filed), str(archive)])
    assert "--trust-cache" not in plain.output


def test_dedup_records_the_walk_for_trusted_match(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
):
    import sqlite3
    import sys

    from difftool.index import dedup

    cache = tmp_path / "cache.sqlite"
    dedup([archive], cache=cache, jobs=1)
    dedup([archive], cache=cache, jobs=1)  # the same walk: recorded once, not again
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT id FROM walks").fetchall() == [(1,)]
        assert db.execute("SELECT count(*) FROM walked").fetchone() == (7,)
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_000)), encoding="utf-8")
    full = match(filed, [archive], cache=False, jobs=1)

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("a trusted run walked the archive")

    monkeypatch.setattr(sys.modules["difftool.load.walk"], "walk", no_walk)
    trusted = trusted_match(filed, archive, cache)
    assert summary(trusted) == summary(full)
    assert trusted.documents == full.documents


def test_a_folder_changed_just_now_is_walked_again(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
):
    import sys

    cache = tmp_path / "cache.sqlite"
    filed = tmp_path / "filed.txt"
    filed.write_text(pdf_layout(read(SEED_000)), encoding="utf-8")
    (archive / "b" / "new.txt").write_text(read(SEED_001), encoding="utf-8")  # b: just now
    trusted_match(filed, archive, cache)  # records b as changed: it may change again unseen
    walks = []
    walk_module = sys.modules["difftool.load.walk"]
    real = walk_module.walk
    monkeypatch.setattr(walk_module, "walk", lambda *a, **k: walks.append(1) or real(*a, **k))
    trusted_match(filed, archive, cache)
    assert walks == [1]
    settled(archive)
    trusted_match(filed, archive, cache)  # walked again, b settled: recorded as it is
    trusted_match(filed, archive, cache)
    assert walks == [1, 1]


@pytest.mark.parametrize("cached", [False, True])
def test_the_filed_draft_is_found_among_a_thousand_alike(tmp_path: Path, cached: bool):
    """1,000 drafts of one report, each with 20 characters changed; the filed copy is
    one of them with a word changed throughout. Its signature agrees with them all about
    as much (0.99 ± 0.01 of 128 bins), and the 30 best by signature left the filed
    draft out: 0500 was filed and 0694 named. Every version as close as the best within
    the signatures' noise is now checked on its shingle sets, and the band index gives
    all of a key's holders."""
    from conftest import genre_texts
    from fixtures import make_drafts

    folder = make_drafts(tmp_path / "drafts", genre_texts()[-7], 1_000, seed=301, edits=20)
    options = {"cache": tmp_path / "cache.sqlite"} if cached else {"cache": None}
    if cached:  # the band index written as dedup writes it
        from difftool.index import dedup

        dedup([folder], **options)
    for name in ("0123", "0500", "0777") if cached else ("0500",):  # each without: 1,000 read
        filed = tmp_path / f"filed-{name}.txt"
        text = (folder / f"{name}.txt").read_text(encoding="utf-8")
        filed.write_text(text.replace("发展", "发展了"), encoding="utf-8")
        result = match(filed, [folder], **options)
        assert Path(result.candidates[0].path).name == f"{name}.txt"
        assert result.candidates[0].similarity > result.candidates[1].similarity
