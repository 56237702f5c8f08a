"""Plan, apply, undo: files checked against the plan, moved into quarantine with a
journal, restored byte-exact; a run killed at any point is finished by running again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SEED_000, SEED_001, SEED_002

from difftool.actions import apply, make_plan, read_plan, undo, write_plan
from difftool.cli import cli
from difftool.index import dedup


def archive(root: Path, copies: int = 3) -> Path:
    folder = root / "archive"
    folder.mkdir()
    text = SEED_001.read_text(encoding="utf-8")
    for n in range(copies):
        sub = folder / f"office{n % 3}"
        sub.mkdir(exist_ok=True)
        (sub / f"report{n}.txt").write_text(text.replace("4377", str(4377 + n)), encoding="utf-8")
    (folder / "other.txt").write_bytes(SEED_002.read_bytes())
    (folder / "print.txt").write_bytes(SEED_000.read_bytes())
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_plan_apply_undo_round_trip_is_byte_exact(tmp_path):
    folder = archive(tmp_path)
    before = snapshot(folder)
    plan = make_plan(dedup([folder], cache=False))
    proposed = [e["path"] for g in plan["groups"] for e in g["propose"]]
    keep = [g["keep"]["path"] for g in plan["groups"]]
    assert len(keep) == 1 and len(proposed) == 3 and keep[0] not in proposed
    plan_file = tmp_path / "plan.json"
    write_plan(plan, str(plan_file))
    quarantine = tmp_path / "quarantine"
    outcome, journal = apply(read_plan(str(plan_file)), quarantine, plan_id="t", link=True)
    assert len(outcome.done) == 3 and not outcome.skipped
    for path in proposed:
        moved = quarantine / Path(path).relative_to("/")
        assert moved.is_file() and Path(path).is_symlink()  # mirrored, a link left in place
        assert os.readlink(path) == str(moved)
    assert Path(keep[0]).is_file() and not Path(keep[0]).is_symlink()
    restored = undo(journal)
    assert len(restored.done) == 3
    assert snapshot(folder) == before
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    assert [p.name for p in quarantine.rglob("*") if p.is_file()] == [journal.name]


def test_a_file_changed_since_the_plan_is_skipped(tmp_path):
    folder = archive(tmp_path)
    plan = make_plan(dedup([folder], cache=False))
    victim = Path(plan["groups"][0]["propose"][0]["path"])
    stat = victim.stat()
    victim.write_bytes(victim.read_bytes().replace("罚没".encode(), "罚款".encode()))  # same size
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the mtime put back
    outcome, _ = apply(plan, tmp_path / "q", plan_id="t")
    assert [path for path, _ in outcome.skipped] == [str(victim)]
    assert "content" in outcome.skipped[0][1]
    assert victim.is_file() and len(outcome.done) == 2


def test_dry_run_moves_nothing(tmp_path, runner):
    folder = archive(tmp_path)
    before = snapshot(folder)
    plan_file = tmp_path / "plan.json"
    result = runner.invoke(
        cli, ["dedup", "--no-cache", "-q", "--plan", str(plan_file), str(folder)]
    )
    assert result.exit_code == 1 and plan_file.exists()
    dry = runner.invoke(
        cli, ["apply", str(plan_file), "--move-to", str(tmp_path / "q"), "--dry-run"]
    )
    assert dry.exit_code == 0 and "would move" in dry.output and "3 to move" in dry.output
    assert snapshot(folder) == before and not (tmp_path / "q").exists()


def test_bad_plan_is_one_line(runner, tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text('{"docdiff_plan": 99}', encoding="utf-8")
    result = runner.invoke(cli, ["apply", str(bad), "--move-to", str(tmp_path / "q")])
    assert result.exit_code == 2 and "not a docdiff plan" in result.output


def _docdiff(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "difftool", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _kill_after(args: list[str], journal_dir: Path, lines: int) -> bool:
    """Run docdiff and SIGKILL it once its journal has ``lines`` lines (mid-way, for
    real); True when it was killed before it finished."""
    proc = _docdiff(*args)
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        journals = list(journal_dir.glob("docdiff-journal-*.jsonl"))
        if journals and journals[0].read_bytes().count(b"\n") >= lines:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.0005)
    proc.wait()
    return False


def test_killed_apply_and_undo_finish_on_a_rerun(tmp_path):
    """Many files; apply and undo each killed (SIGKILL) three times at different points
    of their journal, then run again: every file ends up moved exactly once, and back,
    byte-exact."""
    folder = archive(tmp_path, copies=120)
    before = snapshot(folder)
    plan_file = tmp_path / "plan.json"
    write_plan(make_plan(dedup([folder], cache=False)), str(plan_file))
    proposed = [e["path"] for g in read_plan(str(plan_file))["groups"] for e in g["propose"]]
    assert len(proposed) >= 100
    quarantine = tmp_path / "q"
    apply_args = ["apply", str(plan_file), "--move-to", str(quarantine), "--link"]
    killed = 0
    for lines in (3, 61, 150):  # apply writes two lines a file
        killed += _kill_after(apply_args, quarantine, lines)
    finish = subprocess.run(
        [sys.executable, "-m", "difftool", *apply_args], capture_output=True, text=True
    )
    assert finish.returncode == 0, finish.stdout + finish.stderr
    in_quarantine = [p for p in quarantine.rglob("*.txt") if p.is_file()]
    assert len(in_quarantine) == len(proposed)  # each moved exactly once
    assert not list(quarantine.rglob("*.docdiff-part"))
    assert all(Path(p).is_symlink() for p in proposed)
    assert sorted(p.read_bytes() for p in in_quarantine) == sorted(
        before[str(Path(p).relative_to(folder))] for p in proposed
    )
    journal = next(quarantine.glob("docdiff-journal-*.jsonl"))
    done_lines = journal.read_bytes().count(b"\n")
    for extra in (5, 60, 140):
        killed += _kill_after(["undo", str(journal)], quarantine, done_lines + extra)
    finish = subprocess.run(
        [sys.executable, "-m", "difftool", "undo", str(journal)], capture_output=True, text=True
    )
    assert finish.returncode == 0, finish.stdout + finish.stderr
    assert snapshot(folder) == before
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    assert killed >= 4  # the runs were really interrupted mid-way
    records = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    assert {r["state"] for r in records} >= {"moving", "done", "restoring", "undone"}
