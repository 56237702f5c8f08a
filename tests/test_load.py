"""Loading: encodings, mojibake repair, and clear errors for bad input."""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import pytest
from conftest import ALL_SEEDS, SEED_000, SEED_002, read

from difftool.errors import LoadError, UnsupportedFormat
from difftool.load import decode, load, mojibake


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("gb18030", "gb18030"), ("utf-16", "utf-16-le (BOM)"), ("utf-16-le", "utf-16-le")],
)
def test_legacy_encodings_of_a_simplified_seed_decode_to_the_same_text(encoding, expected):
    text = read(SEED_000)
    decoded, found = decode(text.encode(encoding))
    assert decoded == text
    assert found == expected


def test_big5_copy_of_the_traditional_seed_decodes_to_the_same_text():
    # Big5 has no pinyin tone letters: keep what it can hold
    text = read(SEED_002).encode("big5", errors="ignore").decode("big5")
    decoded, found = decode(text.encode("big5"))
    assert found == "big5"
    assert decoded == text


def test_utf8_bom_is_dropped_and_named():
    decoded, found = decode(codecs.BOM_UTF8 + "报告".encode())
    assert (decoded, found) == ("报告", "utf-8 (BOM)")


def test_load_records_encoding_and_size(tmp_path: Path):
    path = tmp_path / "gb.txt"
    data = read(SEED_000).encode("gb18030")
    path.write_bytes(data)
    doc = load(path)
    assert doc.encoding == "gb18030"
    assert doc.size == len(data)
    assert "decoded as gb18030" in doc.notes
    assert doc.text == read(SEED_000)


@pytest.mark.parametrize("seed", [s for s in ALL_SEEDS if s != SEED_002])
def test_clean_seeds_are_not_touched_by_mojibake_repair(seed):
    text = read(seed)
    result = mojibake.repair(text)
    assert result.text == text
    assert result.chars_unrepaired == 0


def test_seed_002_mojibake_is_repaired_where_the_bytes_allow_and_the_rest_counted():
    doc = load(SEED_002)
    original = read(SEED_002)
    assert "狻⒅卮笫鹿孰" in original
    assert "狻⒅卮笫鹿孰" not in doc.text
    assert "重大事故" in doc.text  # "、重大事故隱患" recovered from GBK read out of step
    assert "不斷" in doc.text  # "不斷...“四大安...”底線" from "┎粩嘀巍八拇蟀踩钡拙€"
    assert doc.mojibake_repaired > 0
    assert doc.mojibake_unrepaired > 0  # lost bytes stay lost, and are counted
    assert any("mojibake" in note for note in doc.notes)


def test_utf8_read_as_gbk_is_repaired():
    garbled = "（六）全国人民代表大会".encode().decode("gb18030", errors="replace")
    assert garbled.startswith("锛堝叚锛")
    fixed = mojibake.repair("报告指出：" + garbled + "。").text
    # the odd last byte was lost when it was decoded: it cannot come back
    assert fixed.startswith("报告指出：（六）全国人民代表大")


@pytest.mark.parametrize("reported", [0, 10, None])
def test_a_file_is_read_whole_whatever_size_it_reports(tmp_path, monkeypatch, reported):
    """A file is read to its end whatever size ``fstat`` reports (``/proc`` files say 0;
    one may grow after it was checked), and the limit holds for what is read."""
    module = sys.modules["difftool.load"]

    data = "报告全文。".encode() * 200_000 + b"end"  # 3 MB
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    real = os.fstat

    def fstat(fd):
        info = real(fd)
        if reported is None:
            return info
        return os.stat_result((*info[:6], reported, *info[7:10]))

    monkeypatch.setattr(module.os, "fstat", fstat)
    assert module._read_bytes(str(path), max_size=len(data)) == data
    with pytest.raises(module.LoadError, match="limit"):
        module._read_bytes(str(path), max_size=len(data) - 1)


@pytest.mark.parametrize("shift", [-12, -5, 0, 3, 9])
def test_a_garbled_run_across_the_end_of_the_probe_is_repaired_as_one(shift):
    """The first characters are scanned for whole-text mojibake and the rest after them:
    a run that straddles the seam is still one cluster, repaired as anywhere else."""
    garbled = "（六）全国人民代表大会".encode().decode("gb18030", errors="replace")
    lead = "报告指出，" * ((mojibake.PROBE + shift) // 5)
    lead = lead[: mojibake.PROBE + shift - len(garbled) // 2]
    fixed = mojibake.repair(lead + garbled + "。各项工作").text
    assert fixed.startswith(lead + "（六）全国人民代表大")
    assert fixed.endswith("。各项工作")


def test_utf8_read_as_cp1252_is_repaired():
    garbled = "Report on the work of the government: 政府工作报告".encode().decode(
        "cp1252", "replace"
    )
    fixed = mojibake.repair(garbled).text
    assert "工作报告" in fixed


def test_whole_file_mojibake_is_repaired_and_lost_bytes_counted():
    from rapidfuzz.fuzz import ratio

    text = read(SEED_000)[:2000]
    garbled = text.encode().decode("gb18030", errors="replace")
    assert ratio(garbled, text) < 30
    result = mojibake.repair(garbled)
    assert ratio(result.text, text) > 85  # about one character in ten was lost in decoding
    assert result.chars_unrepaired == result.text.count("\ufffd") > 0


def test_a_repair_that_loses_most_of_a_text_is_no_repair(tmp_path: Path):
    """A one-byte file (0xFF, read as cp1006: ``ﹽ``) was "repaired" into ``�1�3``:
    GB18030 writes such a character in four bytes, two of them ASCII digits, and the
    UTF-8 reading of those bytes scored higher than the rare character. Text the file
    does not hold is never shown for it."""
    path = tmp_path / "ff.txt"
    path.write_bytes(b"\xff")
    doc = load(path)
    assert "\ufffd" not in doc.text and not any(ch.isdigit() for ch in doc.text)
    for text in ("ﹽ", "ﺍﻟﻌﺮﺑﻴﺔ ﹽﹽ"):  # Arabic presentation forms: four bytes in GB18030
        assert mojibake.repair(text).text == text


def test_a_table_drawn_in_box_characters_is_not_counted_as_garbled():
    """Box drawing is what some mojibake leaves, but a drawn table is text: it was
    neither repaired nor to be noted as 74 garbled characters."""
    table = (
        "二〇二三年主要指标完成情况如下表：\n┌──────┬──────┐\n│ 指标 │ 完成 │\n"
        "├──────┼──────┤\n│ 案件 │ 4377 │\n└──────┴──────┘\n以上数据截至十二月底。"
    )
    assert mojibake.repair(table) == mojibake.Repair(table)
    garbled = "我们的工作报告。┬└╘╂继续推进。"  # no rule drawn: still a sign of mojibake
    assert mojibake.repair(garbled) != mojibake.Repair(garbled)


def test_missing_file(tmp_path: Path):
    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "nope.txt")


def test_directory(tmp_path: Path):
    with pytest.raises(LoadError, match="is a directory"):
        load(tmp_path)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "secret.txt"
    path.write_text("报告", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    import os

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(LoadError, match="permission denied"):
        load(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"%PDF-1.7\n" + bytes(50), "broken PDF"),
        (b"\x00\x01\x02\x03binary\x00\xff\xfe\xfd" * 10, "binary file"),
    ],
)
def test_binary_files_are_refused(tmp_path: Path, data: bytes, message: str):
    path = tmp_path / "file.txt"
    path.write_bytes(data)
    with pytest.raises(LoadError, match=message):
        load(path)


def test_a_zip_that_is_neither_docx_nor_ofd_is_unsupported(tmp_path: Path):
    import zipfile

    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a Word document")
    with pytest.raises(UnsupportedFormat, match=r"neither a Word \.docx nor an OFD"):
        load(path)


def test_undecodable_bytes_are_refused():
    with pytest.raises(LoadError, match=r"undecodable|binary"):
        decode(b"\x81\x20\x80\x7f\xff\x20" * 20)


@pytest.mark.parametrize("where", ["middle", "start", "end", "every other line"])
def test_a_utf8_file_with_gb18030_passages_reads_as_its_text(tmp_path: Path, where: str):
    """A paragraph pasted from a legacy file: its lines in GB18030, the rest in UTF-8.
    Each decodes in its own encoding (the whole file in neither), and it is said."""
    lines = read(SEED_000).split("\n")
    n = len(lines)
    legacy = {
        "middle": set(range(n // 3, n // 2)),
        "start": set(range(n // 4)),
        "end": set(range(3 * n // 4, n)),
        "every other line": set(range(0, n, 2)),
    }[where]
    data = b"\n".join(
        line.encode("gb18030" if k in legacy else "utf-8") for k, line in enumerate(lines)
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    doc = load(path)
    assert doc.text == load(SEED_000).text
    assert "decoded as mixed: utf-8 with gb18030 passages" in doc.notes


def test_a_gb18030_passage_may_start_and_end_mid_line(tmp_path: Path):
    text = load(SEED_000).text
    start = text.index("行政执法")
    end = text.index("二是", start + 500)  # both inside lines
    assert "\n" not in text[start - 1 : start + 1] + text[end - 1 : end + 1]
    data = text[:start].encode() + text[start:end].encode("gb18030") + text[end:].encode()
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    assert load(path).text == text


def test_a_line_neither_utf8_nor_gb18030_is_still_undecodable():
    text = "江门市市场监督管理局\n".encode() + b"\x81\x20\x80\x7f\xff\x20" * 20
    with pytest.raises(LoadError, match=r"undecodable"):
        decode(text)


def test_empty_file_is_allowed_and_said(tmp_path: Path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    doc = load(path)
    assert doc.text == ""
    assert doc.notes == ("empty file",)


def test_load_never_modifies_the_file(tmp_path: Path):
    path = tmp_path / "a.txt"
    data = read(SEED_002).encode("utf-8")
    path.write_bytes(data)
    before = path.stat().st_mtime_ns
    load(path)
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize("outside", [True, False])
def test_a_large_class_looked_up_one_by_one_finds_what_it_finds_compiled(outside):
    """A short text is searched for rare (or Traditional) characters with a set until
    the class has looked through enough text to pay for compiling; before and after, the
    answers are the compiled class's: whitespace of every kind, pinyin letters, controls
    and mojibake included."""
    import random

    from difftool.charclass import BUDGET, CharClass
    from difftool.load import plausibility

    rng = random.Random(3)
    pool = sorted(plausibility._known())[:400] + list(
        "ab \t\n\u3000\xa0\u2028\u2029\x85\x1c\x7f\x80\u200b锛堝叚æ–‡ä»¶€─┐ㄅ?\ufffdāü國業"
    )
    pool += [chr(rng.randrange(0x80, 0x30000)) for _ in range(300)]
    if outside:
        pattern = plausibility.rare_pattern()
        chars = CharClass(plausibility._known, plausibility.rare_pattern, outside=True)
    else:
        module = sys.modules["difftool.normalise"]
        pattern = module._traditional_chars()
        chars = CharClass(module._traditional_set, module._traditional_chars)
    looked = 0
    for size in [0, 1, 50, 400] * 40 + [BUDGET + 1, 10]:
        text = "".join(rng.choice(pool) for _ in range(size))
        expected = [m.start() for m in pattern.finditer(text)]
        assert chars.positions(text) == expected
        assert chars.found_in(text) is bool(expected)
        assert [i for i, ch in enumerate(text) if ch in chars] == expected
        start = rng.randrange(size + 1)  # the rest of a text whose start was scanned
        assert chars.positions(text, start) == [at for at in expected if at >= start]
        looked += 2 * size + size - start
        assert (chars._compiled is not None) is (looked > BUDGET)
