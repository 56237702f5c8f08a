"""The command line: output, exit status and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ALL_SEEDS, SEED_000, SEED_002, read

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
