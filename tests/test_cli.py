"""The command line: output, exit status and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ALL_SEEDS, SEED_000, SEED_001, SEED_002, read

from difftool.cli import cli


def test_every_command_has_help(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Usage:" in sub.output


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "docdiff" in result.output


SIMPLIFIED_SEEDS = [s for s in ALL_SEEDS if s != SEED_002]


@pytest.mark.parametrize("seed", SIMPLIFIED_SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le"])
def test_normalise_output_is_the_same_for_every_encoding(runner, tmp_path: Path, seed, encoding):
    text = read(seed)
    copy = tmp_path / f"copy-{encoding}.txt"
    copy.write_bytes(text.encode(encoding))
    original = runner.invoke(cli, ["normalise", "--sentences", str(seed)])
    converted = runner.invoke(cli, ["normalise", "--sentences", str(copy)])
    assert original.exit_code == converted.exit_code == 0
    assert converted.output == original.output
    assert len(original.output.splitlines()) > 10


@pytest.mark.parametrize("encoding", ["big5", "gb18030", "utf-16"])
def test_big5_and_legacy_copies_of_the_traditional_seed(runner, tmp_path: Path, encoding):
    # Big5 cannot hold pinyin tone letters: both sides keep only what Big5 can
    text = read(SEED_002).encode("big5", errors="ignore").decode("big5")
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text(text, encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(text.encode(encoding))
    original = runner.invoke(cli, ["normalise", str(utf8)])
    converted = runner.invoke(cli, ["normalise", str(copy)])
    assert original.exit_code == converted.exit_code == 0
    assert converted.output == original.output


def test_normalise_notes_and_sentences(runner):
    result = runner.invoke(cli, ["normalize", "--notes", "--sentences", str(SEED_000)])
    assert result.exit_code == 0
    assert "# encoding: utf-8" in result.output
    assert "wrapped lines" in result.output
    assert "0\t江门市市场监督管理局文件" in result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "x.png", b"\x89PNG\r\n\x1a\n" + bytes(64)), "PNG image"),
        (lambda d: _write(d / "x.bin", b"\x00\x01\x02binary\x00\xff" * 20), "binary file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner, tmp_path: Path, make, message):
    path = make(tmp_path)
    result = runner.invoke(cli, ["normalise", str(path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("docdiff: ")
    assert message in result.output


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_python_dash_m_works_and_prints_no_traceback():
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run(
        [sys.executable, "-m", "difftool", "normalise", "/nonexistent/file.txt"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert proc.stderr == "docdiff: /nonexistent/file.txt: no such file\n"


# --- docdiff A B ------------------------------------------------------------------------


def test_diff_exit_status_like_diff(runner):
    same = runner.invoke(cli, [str(SEED_000), str(SEED_000)])
    assert same.exit_code == 0, same.output
    different = runner.invoke(cli, [str(SEED_000), str(SEED_001)])
    assert different.exit_code == 1, different.output
    trouble = runner.invoke(cli, [str(SEED_000), "/nonexistent.txt"])
    assert trouble.exit_code == 2
    assert trouble.output == "docdiff: /nonexistent.txt: no such file\n"


def test_diff_is_the_default_command_and_diff_also_works(runner):
    a = runner.invoke(cli, ["--format", "json", str(SEED_000), str(SEED_001)])
    b = runner.invoke(cli, ["diff", "--format", "json", str(SEED_000), str(SEED_001)])
    assert a.exit_code == b.exit_code == 1
    assert a.output == b.output


@pytest.mark.parametrize("fmt", ["terminal", "json", "unified", "markdown"])
def test_every_format_prints(runner, fmt):
    result = runner.invoke(cli, ["--format", fmt, "--color", "never", str(SEED_000), str(SEED_001)])
    assert result.exit_code == 1
    assert "广东省" in result.output


def test_color_never_and_no_color(runner, monkeypatch):
    always = runner.invoke(cli, ["--color", "always", str(SEED_000), str(SEED_001)])
    assert "\x1b[" in always.output
    never = runner.invoke(cli, ["--color", "never", str(SEED_000), str(SEED_001)])
    assert "\x1b[" not in never.output
    monkeypatch.setenv("NO_COLOR", "1")
    auto = runner.invoke(cli, [str(SEED_000), str(SEED_001)])
    assert "\x1b[" not in auto.output


def test_strict_reports_width_differences(runner, tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("坚持依法行政，推动高质量发展。\n", encoding="utf-8")
    b.write_text("坚持依法行政,推动高质量发展。\n", encoding="utf-8")
    assert runner.invoke(cli, [str(a), str(b)]).exit_code == 0
    strict = runner.invoke(cli, ["--strict", str(a), str(b)])
    assert strict.exit_code == 1
    assert "layout, punctuation or script only" in strict.output


def test_threshold_option_is_checked(runner):
    bad = runner.invoke(cli, ["--threshold", "3", str(SEED_000), str(SEED_001)])
    assert bad.exit_code == 2
    assert "threshold" in bad.output.lower()


def test_diff_never_touches_the_files(runner, tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_bytes(SEED_000.read_bytes())
    before = (a.read_bytes(), a.stat().st_mtime_ns)
    runner.invoke(cli, [str(a), str(SEED_001)])
    assert (a.read_bytes(), a.stat().st_mtime_ns) == before


# --- docdiff dedup ------------------------------------------------------------------------


def test_dedup_on_the_seeds(runner, tmp_path: Path):
    result = runner.invoke(
        cli,
        ["dedup", "--format", "json", "--cache", str(tmp_path / "c.sqlite"), str(SEED_000.parent)],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["documents"] == 5
    (cluster,) = data["clusters"]
    assert {Path(m["path"]).name for m in cluster["members"]} == {SEED_000.name, SEED_001.name}
    assert set(cluster["members"][1]) >= {"path", "similarity", "containment", "partial"}
    assert data["errors"] == []


def test_dedup_csv_and_terminal(runner, tmp_path: Path):
    csv_out = runner.invoke(cli, ["dedup", "--no-cache", "--format", "csv", str(SEED_000.parent)])
    assert csv_out.exit_code == 1
    lines = csv_out.output.splitlines()
    assert lines[0] == "cluster,representative,path,similarity,containment,partial,size,error"
    assert len(lines) == 3
    terminal = runner.invoke(cli, ["dedup", "--no-cache", str(SEED_000.parent)])
    assert "5 documents: 1 group of near-duplicates (2 documents), 0 unreadable" in terminal.output


def test_dedup_with_no_duplicates_exits_0(runner, tmp_path: Path):
    for seed in (SEED_000, SEED_002):
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    result = runner.invoke(cli, ["dedup", "--no-cache", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_dedup_lists_unreadable_files_and_goes_on(runner, tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(SEED_000.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED_000.read_bytes())
    (tmp_path / "c.bin").write_bytes(b"\x00\x01\x02binary\x00\xff" * 20)
    result = runner.invoke(cli, ["dedup", "--no-cache", "--format", "json", str(tmp_path)])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [Path(e["path"]).name for e in data["errors"]] == ["c.bin"]
    assert "binary" in data["errors"][0]["error"]


def test_dedup_of_a_missing_folder_is_trouble(runner):
    result = runner.invoke(cli, ["dedup", "--no-cache", "/nonexistent/folder"])
    assert result.exit_code == 2


def test_standard_input_is_read_as_dash(runner):
    result = runner.invoke(cli, ["-", str(SEED_001)], input=SEED_001.read_bytes())
    assert result.exit_code == 0, result.output
    norm = runner.invoke(cli, ["normalise", "-"], input="２０２３ 年，我局".encode())
    assert norm.output == "2023年,我局\n"


def test_match_with_an_empty_filed_copy_is_trouble(runner, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(cli, ["match", "--no-cache", str(empty), str(SEED_000.parent)])
    assert result.exit_code == 2
    assert "no text to match" in result.output


def test_strict_tells_an_encoding_difference(runner, tmp_path: Path):
    gb = tmp_path / "gb.txt"
    gb.write_bytes(SEED_001.read_text(encoding="utf-8").encode("gb18030"))
    assert runner.invoke(cli, [str(SEED_001), str(gb)]).exit_code == 0
    strict = runner.invoke(cli, ["--strict", "--color", "never", str(SEED_001), str(gb)])
    assert strict.exit_code == 1
    assert "the bytes differ (utf-8 and gb18030)" in " ".join(strict.output.split())


def test_every_command_ends_its_help_with_examples(runner):
    for command in ("diff", "normalise", "dedup", "match", "apply", "undo"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Examples:" in result.output, command


def test_saved_reports_have_no_trailing_spaces(runner, tmp_path: Path):
    """rich pads the lines it wraps; a report written to a file or a pipe is stripped."""
    archive = tmp_path / ("a_long_folder_name_" * 3) / "sub"
    archive.mkdir(parents=True)
    for seed in (SEED_000, SEED_001):
        (archive / seed.name).write_bytes(seed.read_bytes())
    (archive / "image_file_with_a_long_name.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    filed = tmp_path / "filed.txt"
    filed.write_text(read(SEED_001).replace("2791.19", "2791.20"), encoding="utf-8")
    commands = [
        ["dedup", "--no-cache", str(tmp_path)],
        ["match", "--no-cache", "-q", "--diff", str(filed), str(archive)],
        ["--no-pager", str(SEED_000), str(SEED_001)],
        ["--no-pager", "-y", str(SEED_000), str(SEED_001)],
    ]
    for args in commands:
        for color in ("never", "always"):
            extra = ["--color", color] if args[0] != "dedup" else []
            result = runner.invoke(cli, [*args[:1], *extra, *args[1:]], env={"COLUMNS": "60"})
            assert result.exit_code in (0, 1), result.output
            lines = result.output.splitlines()
            assert len(lines) > 5
            plain = [line.replace("\x1b[0m", "") for line in lines]
            assert not [line for line in plain if line != line.rstrip()], args
    # and the error line that wrapped is still whole, folded under its indent
    output = runner.invoke(cli, ["dedup", "--no-cache", str(tmp_path)], env={"COLUMNS": "60"})
    assert "PNG image" in output.output


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("a; \x1b[0m   \nb  \n", "a;\x1b[0m\nb\n"),  # spaces before and after a closing code
        ("c\x1b[31m \x1b[0m", "c\x1b[31m\x1b[0m"),  # codes kept, in their order
        ("plain m\n  \n\n", "plain m\n\n\n"),  # a line ending in "m" is not a code
        ("x \x1b[ 1m", "x \x1b[ 1m"),  # not a colour code: left alone
        ("\x1b[1mkept inside  words\x1b[0m", "\x1b[1mkept inside  words\x1b[0m"),
    ],
)
def test_trailing_spaces_are_stripped_and_colour_codes_kept(text, stripped):
    from difftool.cli import _no_trailing_spaces

    assert _no_trailing_spaces(text) == stripped


# --- -o/--output --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["terminal", "json", "unified", "markdown", "html"])
def test_every_format_writes_the_report_to_the_file_output_names(runner, tmp_path, fmt):
    """``-o`` was ignored by the terminal, unified and Markdown formats: the report went
    to standard output and the file was never written. What the file holds is what
    standard output gets (a pipe: no colour, no trailing spaces)."""
    target = tmp_path / f"report.{fmt}"
    args = ["--format", fmt, "--color", "never", str(SEED_000), str(SEED_001)]
    printed = runner.invoke(cli, args)
    written = runner.invoke(cli, ["-o", str(target), *args])
    assert printed.exit_code == written.exit_code == 1, written.output
    assert written.output == ""
    text = target.read_text(encoding="utf-8")
    assert "广东省" in text and list(tmp_path.iterdir()) == [target]  # no .part left
    if fmt != "html":  # the HTML report says when it was made
        assert text == printed.output


def test_dedup_and_match_tables_write_to_the_file_output_names(runner, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in (SEED_000, SEED_001, SEED_002):
        (archive / seed.name).write_bytes(seed.read_bytes())
    cache = ["--no-cache"]  # the same report twice ("3 from the cache" otherwise)
    for command in (
        ["dedup", *cache, str(archive)],
        ["match", *cache, str(SEED_000), str(archive)],
    ):
        target = tmp_path / f"{command[0]}.txt"
        printed = runner.invoke(cli, [*command[:1], "-q", *command[1:]])
        written = runner.invoke(cli, [*command[:1], "-q", "-o", str(target), *command[1:]])
        assert written.exit_code == printed.exit_code, written.output
        assert written.output == "" and target.read_text(encoding="utf-8") == printed.output
        assert "000_4f0e4c" in printed.output  # a table of the archive, names folded


def test_output_over_a_compared_document_is_refused_and_the_document_kept(runner, tmp_path):
    a = tmp_path / "a.txt"
    a.write_bytes(SEED_000.read_bytes())
    for args in (
        ["-o", str(a), str(a), str(SEED_001)],
        ["match", "-o", str(a), str(a), str(tmp_path)],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2
        assert result.output == f"docdiff: {a}: is a document being compared; not overwritten\n"
        assert a.read_bytes() == SEED_000.read_bytes()


def test_a_report_that_cannot_be_written_is_one_line_and_leaves_nothing(runner, tmp_path):
    target = tmp_path / "missing" / "report.md"
    result = runner.invoke(
        cli, ["--format", "markdown", "-o", str(target), str(SEED_000), str(SEED_001)]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"docdiff: {target}: cannot write the report")
    assert not (tmp_path / "missing").exists()


def test_a_reader_who_stops_reading_gets_the_answer_as_exit_status(tmp_path):
    """``docdiff A B | head``: the report is written a batch at a time, the pipe closes
    after the first line, and the exit status is still the answer (it was 0, "no
    differences", for versions that differ), with nothing on stderr."""
    long = tmp_path / "long.txt"
    long.write_text("一。\n" * 20_000, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for args, answer in (
        ([str(SEED_000), str(long)], 1),
        (["dedup", "--no-cache", "-q", str(Path(__file__).resolve().parent.parent / "seeds")], 1),
    ):
        proc = subprocess.Popen(
            [sys.executable, "-m", "difftool", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()
        assert proc.wait(timeout=120) == answer, args
        assert proc.stderr.read() == b""
