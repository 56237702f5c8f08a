"""Hostile archives, made at test time (no large file is committed: sparse files and
generators), each command run on them in a subprocess with a time limit and its peak
memory measured: no hang, no internal error, bombs under 1 GB, good files still grouped,
the bad one listed with its reason."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from itertools import takewhile
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEEDS

from difftool.render import valid_text

TIMEOUT = 60
#: Runs docdiff in this process and prints the peak memory (itself and its workers, KB).
_RUN = (
    "import resource, runpy, sys\n"
    "sys.argv = ['docdiff', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('difftool', run_name='__main__')\n"
    "finally:\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    sys.stderr.write(f'\\nPEAK_KB {max(own, kids)}\\n')\n"
)


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        lines = proc.stderr.splitlines()
        peak = [line for line in lines if line.startswith("PEAK_KB ")]
        self.peak_mb = int(peak[-1].split()[1]) / 1024 if peak else 0.0
        self.stderr = "\n".join(line for line in lines if line and not line.startswith("PEAK_KB "))
        self.stdout = proc.stdout


@pytest.fixture(autouse=True)
def _own_cache_home(tmp_path, monkeypatch):
    """The default cache of these runs lives in the test's folder, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def docdiff(*args: str | Path, cwd: Path | None = None) -> Run:
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, *map(os.fspath, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
        errors="replace",
    )
    run = Run(proc)
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    return run


def archive_with(tmp_path: Path, name: str | bytes, maker) -> Path:  # type: ignore[no-untyped-def]
    """A folder with the two filings of one report (a group) and one hostile file."""
    folder = tmp_path / "archive"
    folder.mkdir(exist_ok=True)
    shutil.copy(SEED_000, folder / "a.txt")
    shutil.copy(SEED_001, folder / "b.txt")
    shutil.copy(SEED_002, folder / "c.txt")
    target = os.path.join(os.fsencode(folder), name) if isinstance(name, bytes) else folder / name
    maker(target)
    return folder


def assert_grouped_and_listed(run: Run, bad: str | None, reason: str | None) -> None:
    data = json.loads(run.stdout)
    groups = [sorted(Path(m["path"]).name for m in c["members"]) for c in data["clusters"]]
    assert ["a.txt", "b.txt"] in groups, data
    if bad is not None:
        errors = {Path(e["path"]).name: e["error"] for e in data["errors"]}
        assert bad in errors, data["errors"]
        assert reason is None or reason in errors[bad], errors[bad]


# --- inputs ------------------------------------------------------------------------------


def _zip(path: str | Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _ofd_members(pages: int = 1, repeat: int = 1) -> dict[str, bytes]:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    page_list = "".join(
        f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_{i % pages}/Content.xml"/>'
        for i in range(pages * repeat)
    )
    members = {
        "OFD.xml": f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>".encode(),
        "Doc_0/Document.xml": f"<ofd:Document {ns}><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>".encode(),
    }
    text = "国务院关于加强市场监管的报告正文。" * 50
    for i in range(pages):
        members[f"Doc_0/Pages/Page_{i}/Content.xml"] = (
            f'<ofd:Page {ns}><ofd:Content><ofd:Layer><ofd:TextObject Boundary="0 0 1 1">'
            f'<ofd:TextCode X="0" Y="0">{text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>'
        ).encode()
    return members


def _corrupt_crc(path: str | Path) -> None:
    _zip(path, _ofd_members(), zipfile.ZIP_STORED)
    data = bytearray(Path(path).read_bytes())
    at = data.find("国务院".encode())
    data[at] ^= 0xFF  # stored bytes changed: the CRC no longer matches
    Path(path).write_bytes(bytes(data))


def _corrupt_deflate(path: str | Path) -> None:
    _zip(path, _ofd_members())
    data = bytearray(Path(path).read_bytes())
    header = data.find(b"PK\x03\x04", data.find(b"Page_0/Content.xml") - 60)
    start = header + 30 + len("Doc_0/Pages/Page_0/Content.xml")
    for k in range(start + 4, start + 40):
        data[k] = 0xFF
    Path(path).write_bytes(bytes(data))


def _flag(path: str | Path, *, encrypted: bool = False, method: int | None = None) -> None:
    _zip(path, _ofd_members(), zipfile.ZIP_STORED)
    data = bytearray(Path(path).read_bytes())
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        pos = data.find(sig)
        while pos >= 0:
            if encrypted:
                data[pos + flag_at] |= 0x1
            if method is not None:
                data[pos + method_at : pos + method_at + 2] = method.to_bytes(2, "little")
            pos = data.find(sig, pos + 4)
    Path(path).write_bytes(bytes(data))


def _zip_bomb(path: str | Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document/>")
        with z.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(1024):  # 1 GB of zeros, about 1 MB compressed
                member.write(block)


TABLE_DUMP = ("增长1 2.5%，" * 3 + "abc ") * 100_000

HOSTILE = {
    "ofd-bad-crc.ofd": (_corrupt_crc, "broken zip"),
    "ofd-bad-deflate.ofd": (_corrupt_deflate, "broken zip"),
    "ofd-encrypted.ofd": (lambda p: _flag(p, encrypted=True), "encrypted"),
    "ofd-method.ofd": (lambda p: _flag(p, method=99), "unsupported compression"),
    "ofd-pages.ofd": (lambda p: _zip(p, _ofd_members(pages=1, repeat=20_000)), None),
    "nested.html": (
        lambda p: Path(p).write_text(
            "<!DOCTYPE html><html><body>" + "<div>" * 1000 + "正文" + "</div>" * 1000,
            encoding="utf-8",
        ),
        None,
    ),
    "chrome.txt": (
        lambda p: Path(p).write_text("正文。\n发布日期:" + " " * 5000 + "x\n", encoding="utf-8"),
        None,
    ),
    "comments.txt": (lambda p: Path(p).write_text("<p>a</p><p>b</p>" + "<!--" * 20_000), None),
    "entities.txt": (lambda p: Path(p).write_text("&lt;!--" * 200_000), None),
    "brackets.txt": (lambda p: Path(p).write_text("[" * 100_000), None),
    "english.txt": (
        lambda p: Path(p).write_text("Mr. Smith went to Washington. e.g. A " * 6000),
        None,
    ),
    # a figure a PDF extractor spaced out, 200,000 digits long: each space was judged
    # by scanning the whole figure (quadratic: hours)
    "spaced-figure.txt": (
        lambda p: Path(p).write_text("增长" + "1 " * 200_000 + "亿元", encoding="utf-8"),
        None,
    ),
    # 3 MB of bytes above 0x7f on one line, pieces of UTF-8 and GB18030 characters among
    # bytes neither has: no encoding reads it, and trying its lines and runs in each of
    # UTF-8 and GB18030 must stay linear
    "high-bytes.txt": (
        lambda p: Path(p).write_bytes(
            bytes(random.Random(7).choices(b"\x80\xff\xe4\xb8\xad\xe6", k=3 << 20))
        ),
        "undecodable",
    ),
    # a report whose every other line came from a GB18030 file, 300 times over
    "mixed-encodings.txt": (
        lambda p: Path(p).write_bytes(
            b"\n".join(
                line.encode("gb18030" if k % 2 else "utf-8")
                for k, line in enumerate(SEED_000.read_text(encoding="utf-8").split("\n") * 300)
            )
        ),
        None,
    ),
    # 4.9 MB on one line without a full stop (a table dump, a PDF whose marks were
    # lost), a space inside every figure: one "sentence" of 3.1 million characters
    "table-dump.txt": (
        lambda p: Path(p).write_text(TABLE_DUMP, encoding="utf-8"),
        None,
    ),
    "zeros.txt": (lambda p: os.truncate(_touch(p), 1 << 30), "limit"),
    "zeros-small.txt": (lambda p: os.truncate(_touch(p), 20 << 20), "binary"),
    "bomb.docx": (_zip_bomb, "zip"),
    "fifo.txt": (lambda p: os.mkfifo(p), "not a regular file"),
    "dev-zero.txt": (lambda p: os.symlink("/dev/zero", p), "not a regular file"),
}


def _touch(path: str | Path) -> str | Path:
    Path(path).touch()
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_dedup_survives_each_hostile_file(tmp_path, name):
    maker, reason = HOSTILE[name]
    folder = archive_with(tmp_path, name, maker)
    run = docdiff("dedup", "--format", "json", "-q", folder, cwd=tmp_path)
    assert run.code == 1, run.stderr
    assert run.peak_mb < 1024, run.peak_mb
    data = json.loads(run.stdout)
    listed = {Path(e["path"]).name for e in data["errors"]}
    if reason is not None:
        assert_grouped_and_listed(run, name, reason)
    else:  # read as a document of its own, or listed: either way the run went on
        assert_grouped_and_listed(run, None, None)
        assert name in listed or data["documents"] >= 4


@pytest.mark.parametrize(
    "name", ["ofd-bad-crc.ofd", "bomb.docx", "fifo.txt", "zeros.txt", "high-bytes.txt"]
)
def test_diff_and_normalise_refuse_a_hostile_file_in_one_line(tmp_path, name):
    maker, reason = HOSTILE[name]
    target = tmp_path / name
    maker(target)
    for args in (("normalise", target), (SEED_000, target)):
        run = docdiff(*args, cwd=tmp_path)
        assert run.code == 2 and len(run.stderr.splitlines()) == 1, run.stderr
        assert reason in run.stderr and run.peak_mb < 1024


@pytest.mark.parametrize(
    "name",
    ["spaced-figure.txt", "english.txt", "chrome.txt", "mixed-encodings.txt", "table-dump.txt"],
)
def test_diff_and_normalise_read_a_hostile_text_to_its_end(tmp_path, name):
    maker, _ = HOSTILE[name]
    target = tmp_path / name
    maker(target)
    normalised = docdiff("normalise", target, cwd=tmp_path)
    assert normalised.code == 0 and normalised.stdout, normalised.stderr
    compared = docdiff(target, SEED_000, cwd=tmp_path)
    assert compared.code == 1 and compared.peak_mb < 1024, compared.stderr


@pytest.mark.parametrize("name", ["chrome.txt", "comments.txt", "brackets.txt", "english.txt"])
def test_match_with_a_hostile_file_in_the_archive(tmp_path, name):
    maker, _ = HOSTILE[name]
    folder = archive_with(tmp_path, name, maker)
    filed = tmp_path / "filed.txt"
    filed.write_text(SEED_001.read_text(encoding="utf-8").replace("2791.19", "2791.20"))
    run = docdiff("match", "--format", "json", "-q", filed, folder, cwd=tmp_path)
    assert run.code == 1, run.stderr
    assert Path(json.loads(run.stdout)["candidates"][0]["path"]).name == "b.txt"


def test_gbk_file_name_with_the_cache(tmp_path):
    name = "报告副本.txt".encode("gbk")  # not UTF-8: a zip unpacked from Windows
    folder = archive_with(tmp_path, name, lambda p: shutil.copy(SEED_001, p))
    for _ in range(2):  # cold, then warm
        run = docdiff("dedup", "--format", "json", "-q", "--cache", tmp_path / "c.sqlite", folder)
        assert run.code == 1, run.stderr
        data = json.loads(run.stdout)  # valid JSON and valid UTF-8
        members = {Path(m["path"]).name for c in data["clusters"] for m in c["members"]}
        assert valid_text(os.fsdecode(name)) in members  # the undecodable bytes as \\xNN
    terminal = docdiff("dedup", "-q", "--no-cache", folder)
    assert "\\xb1\\xa8" in terminal.stdout


def test_deep_folder_tree(tmp_path):
    folder = archive_with(tmp_path, "x.txt", lambda p: Path(p).write_text("x"))
    deep = folder
    for _ in range(1100):  # os.makedirs recurses: make the levels one by one
        deep = deep / "d"
        deep.mkdir()
    (deep / "lost.txt").write_text("正文。", encoding="utf-8")
    try:
        run = docdiff("dedup", "--format", "json", "-q", "--no-cache", folder)
        assert run.code == 1
        assert any("nested over" in e["error"] for e in json.loads(run.stdout)["errors"])
    finally:  # shutil.rmtree recurses too: pytest could not clean this folder up
        (deep / "lost.txt").unlink()
        while deep != folder:
            deep.rmdir()
            deep = deep.parent


def test_too_many_jobs_and_nan(tmp_path):
    folder = archive_with(tmp_path, "x.txt", lambda p: Path(p).write_text("x"))
    assert docdiff("dedup", "-q", "--no-cache", "--jobs", "1000", folder).code == 1
    nan = docdiff("dedup", "--threshold", "nan", folder)
    assert nan.code == 2 and len(nan.stderr.splitlines()) == 1


def test_cache_keys_do_not_confuse_folders_run_from_elsewhere(tmp_path):
    """Same names, sizes and mtimes in two folders, different texts: cd x; cd y."""
    cache = tmp_path / "cache.sqlite"
    x, y = tmp_path / "x", tmp_path / "y"
    other = sorted(SEEDS.glob("003_*.txt"))[0]
    texts = [p.read_bytes() for p in (SEED_000, SEED_001, SEED_002, other)]
    size = max(len(t) for t in texts)
    for folder, pair in ((x, texts[:2]), (y, texts[2:])):
        folder.mkdir()
        for n, text in enumerate(pair):
            (folder / f"{n}.txt").write_bytes(text.ljust(size, b" "))
            os.utime(folder / f"{n}.txt", ns=(10**18, 10**18))
    first = docdiff("dedup", "--format", "json", "-q", "--cache", cache, ".", cwd=x)
    second = docdiff("dedup", "--format", "json", "-q", "--cache", cache, ".", cwd=y)
    no_cache = docdiff("dedup", "--format", "json", "-q", "--no-cache", ".", cwd=y)
    assert json.loads(first.stdout)["clusters"]
    assert json.loads(second.stdout)["clusters"] == json.loads(no_cache.stdout)["clusters"]


def test_same_size_edit_with_mtime_restored_is_seen(tmp_path):
    cache = tmp_path / "cache.sqlite"
    folder = archive_with(tmp_path, "x.txt", lambda p: shutil.copy(SEED_002, p))
    docdiff("dedup", "-q", "--cache", cache, folder)
    target = folder / "x.txt"
    st = target.stat()
    target.write_bytes(SEED_000.read_bytes()[: st.st_size].ljust(st.st_size, b" "))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    run = docdiff("dedup", "--format", "json", "-q", "--cache", cache, folder)
    groups = [
        sorted(Path(m["path"]).name for m in c["members"])
        for c in json.loads(run.stdout)["clusters"]
    ]
    assert any("x.txt" in g for g in groups), groups


def test_corrupt_cache_rows_are_misses(tmp_path):
    cache = tmp_path / "cache.sqlite"
    folder = archive_with(tmp_path, "x.txt", lambda p: Path(p).write_text("x"))
    docdiff("dedup", "-q", "--cache", cache, folder)
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE fingerprints SET signature = x'0102', tokens = 'many'")
        db.execute("UPDATE shingles SET data = x'01' WHERE rowid % 2 = 0")
    run = docdiff("dedup", "--format", "json", "-q", "--cache", cache, folder)
    assert run.code == 1
    assert_grouped_and_listed(run, None, None)
    again = docdiff("dedup", "--format", "json", "-q", "--cache", cache, folder)
    assert json.loads(again.stdout)["clusters"] == json.loads(run.stdout)["clusters"]


def test_nonexistent_and_stdin_folders_are_trouble(tmp_path):
    run = docdiff("dedup", "-q", "--no-cache", tmp_path / "nonexistent")
    assert run.code == 2 and run.stdout == "" and "nonexistent" in run.stderr


def test_escape_sequences_in_documents_and_names_reach_no_terminal(tmp_path):
    a = tmp_path / "a\x1b]0;pwned\x07.txt"
    b = tmp_path / "b.txt"
    a.write_text("报告正文第一句。\x1b[2J清屏之后。\n", encoding="utf-8")
    b.write_text(
        "报告正文第一句。\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\之后。\n", encoding="utf-8"
    )
    for fmt in ("terminal", "markdown"):
        run = docdiff("--format", fmt, "--color", "always", a, b)
        assert "\x1b[2J" not in run.stdout and "\x1b]" not in run.stdout
        assert "\\x1b" in run.stdout


def test_k_larger_than_the_documents_groups_nothing_unrelated(tmp_path):
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "a.txt").write_text("甲乙丙。", encoding="utf-8")
    (folder / "b.txt").write_text("丁戊己。", encoding="utf-8")
    (folder / "c.txt").write_text("甲乙丙。", encoding="utf-8")
    run = docdiff("dedup", "--format", "json", "-q", "--no-cache", "-k", "50", folder)
    groups = [
        sorted(Path(m["path"]).name for m in c["members"])
        for c in json.loads(run.stdout)["clusters"]
    ]
    assert groups == [["a.txt", "c.txt"]]


def test_match_leaves_filed_out_when_path_is_a_link_to_its_folder(tmp_path):
    folder = archive_with(tmp_path, "x.txt", lambda p: Path(p).write_text("x"))
    link = tmp_path / "link"
    link.symlink_to(folder)
    run = docdiff("match", "--format", "json", "-q", "--no-cache", folder / "b.txt", link)
    assert run.code == 1, run.stderr
    names = [Path(c["path"]).name for c in json.loads(run.stdout)["candidates"]]
    assert "b.txt" not in names and names[0] == "a.txt"


def test_docx_with_an_external_entity_keeps_its_text_and_resolves_nothing(tmp_path):
    import docx

    plain = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("前文XXE后文")
    document.save(str(plain))
    with zipfile.ZipFile(plain) as z:
        items = {n: z.read(n) for n in z.namelist()}
    xml = items["word/document.xml"].decode()
    head, rest = xml.split("?>", 1)
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    items["word/document.xml"] = (
        head
        + f'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        + rest.replace("XXE", "&xxe;")
    ).encode()
    hostile = tmp_path / "xxe.docx"
    with zipfile.ZipFile(hostile, "w") as out:
        for name, data in items.items():
            out.writestr(name, data)
    run = docdiff("normalise", hostile)
    assert run.code == 0 and "前文" in run.stdout and "后文" in run.stdout
    assert "机密内容" not in run.stdout


def test_a_file_sized_sentence_is_reported_whole_in_bounded_memory(tmp_path):
    """The table dump's one sentence is shown whole, folded at the terminal's width. The
    report took 914 MB for it (per-character lists for the shown text, rich wrapping the
    row whole, the whole report held before printing); about 250 now."""
    target = tmp_path / "table-dump.txt"
    HOSTILE["table-dump.txt"][0](target)
    run = docdiff("--color", "never", SEED_000, target, cwd=tmp_path)
    assert run.code == 1 and run.peak_mb < 450, (run.peak_mb, run.stderr)
    rows = run.stdout.splitlines()
    first = next(i for i, row in enumerate(rows) if row.startswith("+ 增长"))
    rest = takewhile(lambda row: row.startswith("  "), rows[first + 1 :])  # its folds
    body = [rows[first][2:], *(row[2:] for row in rest)]
    # the file's own text, less the layout spaces the key drops
    assert "".join(body) == TABLE_DUMP.replace("1 2", "12").replace("c 增", "c增").rstrip()


def test_a_million_character_line_is_diffed_in_bounded_memory(tmp_path):
    """A report with its marks lost (one line of a million characters) against a copy with
    three characters changed every 2,000: one change, its edits found. Each CJK token was
    a 76-byte string and the pairing of runs held a dozen arrays of the line's length:
    238 MB by this test's measure (311 MB in bench_scaling.py), about 105 now; the 20 MB
    line 2.13 GB, 643 MB now."""
    import re

    from conftest import genre_texts

    text = re.sub(r"[，。；：、！？\s“”《》（）,.;:!?]", "", "".join(genre_texts()[-5:]))
    while len(text) < 1_000_000:
        text += text
    a = text[:1_000_000]
    b = list(a)
    for i in range(0, len(b), 2_000):
        b[i : i + 3] = "甲乙丙"
    (tmp_path / "a.txt").write_text(a, encoding="utf-8")
    (tmp_path / "b.txt").write_text("".join(b), encoding="utf-8")
    run = docdiff("--format", "json", tmp_path / "a.txt", tmp_path / "b.txt")
    assert run.code == 1 and run.peak_mb < 200, (run.peak_mb, run.stderr)
    report = json.loads(run.stdout)
    assert report["summary"]["change"] == 1 and report["similarity"] > 0.99
    inserted = "".join(
        text for op in report["ops"] for tag, text in op.get("inline", []) if tag == "insert"
    )
    assert inserted.count("甲乙丙") >= 400  # 500 edits, some joined with a neighbour
