"""Archive work: short and broken copies found, Latin text decoded as such, ties shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import SEED_001, SEED_002, SEED_003, SEED_004, read

from difftool.cli import cli
from difftool.index import dedup
from difftool.load import load
from difftool.matching import match
from difftool.normalise import normalise


def _source_and_excerpt() -> tuple[str, str]:
    key = "".join(ch for ch in normalise(read(SEED_001)).text if "\u4e00" <= ch <= "\u9fff")
    source = key[:600]  # a 600-token document: one token per CJK character
    return source, source[300:390]  # and a 90-token passage copied from it


def test_short_excerpt_meets_its_long_source(tmp_path):
    source, excerpt = _source_and_excerpt()
    (tmp_path / "source.txt").write_text(source, encoding="utf-8")
    (tmp_path / "excerpt.txt").write_text(excerpt, encoding="utf-8")
    for seed in (SEED_002, SEED_003, SEED_004):  # reports of the same genre, unrelated
        shutil.copy(seed, tmp_path / seed.name)
    groups = dedup([tmp_path], cache=False)
    members = [sorted(Path(m.path).name for m in c.members) for c in groups.clusters]
    assert members == [["excerpt.txt", "source.txt"]]
    partial = next(m for m in groups.clusters[0].members if m.path.endswith("excerpt.txt"))
    assert partial.partial and partial.containment > 0.95
    filed = tmp_path.parent / f"{tmp_path.name}_filed.txt"
    filed.write_text(excerpt, encoding="utf-8")
    found = match(filed, [tmp_path], cache=False)
    assert Path(found.candidates[0].path).name in ("source.txt", "excerpt.txt")
    assert any(Path(c.path).name == "source.txt" and c.excerpt for c in found.candidates)


def test_report_with_garbled_later_pages_joins_its_group(tmp_path):
    text = read(SEED_001) * 3  # a long report
    cut = len(text) // 3
    garbled = text[cut:].encode("utf-8").decode("gbk", errors="replace")
    (tmp_path / "clean.txt").write_text(text, encoding="utf-8")
    (tmp_path / "garbled.txt").write_text(text[:cut] + garbled, encoding="utf-8")
    (tmp_path / "repeated.txt").write_text(text[: cut * 2] + text[:cut] + garbled, encoding="utf-8")
    shutil.copy(SEED_004, tmp_path / SEED_004.name)
    groups = dedup([tmp_path], cache=False)
    assert len(groups.clusters) == 1
    cluster = groups.clusters[0]
    assert Path(cluster.representative).name == "clean.txt"  # the copy that lost nothing
    assert sorted(Path(m.path).name for m in cluster.members) == [
        "clean.txt",
        "garbled.txt",
        "repeated.txt",
    ]
    notes = load(tmp_path / "garbled.txt").notes
    assert any("repaired" in note for note in notes)


def test_windows_1252_english_decodes_as_such(tmp_path):
    path = tmp_path / "en.txt"
    path.write_bytes(
        "The webpage’s importance. It’s the government’s “plan” — 2024.\n".encode("cp1252")
    )
    doc = load(path)
    assert doc.encoding == "windows-1252"
    assert "webpage’s importance" in doc.text


def test_ties_are_all_shown_and_marked(runner, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(SEED_001, archive / name)
    filed = tmp_path / "filed.txt"
    filed.write_text(read(SEED_001).replace("2791.19", "2791.20"), encoding="utf-8")
    result = runner.invoke(
        cli,
        ["match", "--no-cache", "-q", "--top", "1", "--format", "json", str(filed), str(archive)],
    )
    data = json.loads(result.output)
    assert len(data["candidates"]) == 3 and all(c["tie"] for c in data["candidates"])
    terminal = runner.invoke(
        cli, ["match", "--no-cache", "-q", "--top", "1", str(filed), str(archive)]
    )
    assert terminal.output.count("(tie)") == 3
    report = tmp_path / "match.html"
    html_run = runner.invoke(
        cli,
        [
            "match",
            "--no-cache",
            "-q",
            "--top",
            "1",
            "--format",
            "html",
            "-o",
            str(report),
            str(filed),
            str(archive),
        ],
    )
    assert html_run.exit_code == 1, html_run.output
    assert report.read_text(encoding="utf-8").count(" (tie)</td>") == 3


def test_nothing_similar_names_no_arbitrary_closest(runner, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "other.txt").write_text("完全无关的文字内容。" * 3, encoding="utf-8")
    filed = tmp_path / "filed.txt"
    shutil.copy(SEED_001, filed)
    result = runner.invoke(cli, ["match", "--no-cache", "-q", str(filed), str(archive)])
    assert result.exit_code == 2 and "closest" not in result.output


def test_filed_as_the_only_candidate(runner, tmp_path):
    only = tmp_path / "only.txt"
    shutil.copy(SEED_001, only)
    result = runner.invoke(cli, ["match", "--no-cache", "-q", str(only), str(tmp_path)])
    assert result.exit_code == 2 and "FILED was the only candidate" in result.output
