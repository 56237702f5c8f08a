"""Comparing whole documents: the seed pair pinned by a golden file, scripts, strict mode."""

from __future__ import annotations

import json
import os
from pathlib import Path

import opencc
import pytest
from conftest import SEED_000, SEED_001, SEED_002, read

from difftool import normalise, redline
from difftool.comparison import compare_files
from difftool.normalise import STEPS
from difftool.render.json import to_dict

GOLDEN = Path(__file__).parent / "golden"


def changes_of(comparison) -> list[dict]:
    return [op for op in to_dict(comparison)["ops"] if op["op"] != "equal"]


def test_seed_pair_reports_every_real_change_and_nothing_else():
    comparison = compare_files(SEED_000, SEED_001)
    changes = changes_of(comparison)
    by_text = {
        (op["op"], op["a_text"].replace("\n", "").replace(" ", "")[:12]): op for op in changes
    }
    # letterhead and title (four lines of the print), removed as one run
    assert ("delete", "江门市市场监督管理局文件") in by_text
    letterhead = by_text[("delete", "江门市市场监督管理局文件")]
    assert (
        "江市监〔2023〕149号" in letterhead["a_text"]
        and "法治政府建设情况的报告" in letterhead["a_text"]
    )
    # the addressee
    addressee = by_text[("change", "广东省药品监督管理局：")]
    assert ["delete", "药品"] in addressee["inline"] and ["insert", "市场"] in addressee["inline"]
    # the changed requirement wording
    wording = next(op for op in changes if op["op"] == "change" and "法治工作要求" in op["b_text"])
    assert ["delete", "药品监管"] in wording["inline"] and ["insert", "工作"] in wording["inline"]
    # the removed clause on drug-supervision pilots and the Hong Kong/Macao medicine
    clause = next(op for op in changes if op["op"] == "change" and "试点工作" in op["a_text"])
    removed = [text for tag, text in clause["inline"] if tag == "delete"]
    assert [t.strip(",") for t in removed] == ["积极实施药品生产环节监管规范化试点工作"]
    # shown in the print's own text: full-width commas, no wrap
    shown = [text for tag, text in clause["a_shown"] if tag == "delete"]
    assert [t.strip("，") for t in shown] == ["积极实施药品生产环节监管规范化试点工作"]
    assert any(op["op"] == "delete" and "港澳外用中成药" in op["a_text"] for op in changes)
    # the video award
    assert any(op["op"] == "delete" and "优秀影片奖" in op["a_text"] for op in changes)
    # the footer
    footer = next(op for op in changes if op["op"] == "delete" and "公开方式" in op["a_text"])
    assert "校对：甄春丽" in footer["a_text"]
    # and nothing else: no op from wraps, spaces, punctuation width or a ；/。 at an edge
    assert len(changes) == 7
    assert comparison.summary == {
        "equal": 84,
        "change": 3,
        "insert": 0,
        "delete": 9,
        "move": 0,
        "punctuation": 0,
        "move_edited": 0,
    }


def test_seed_pair_matches_the_golden_file():
    """The reviewed output for seeds 000 vs 001; DOCDIFF_REGEN_GOLDEN=1 rewrites it."""
    comparison = compare_files(SEED_000, SEED_001)
    got = {
        "similarity": to_dict(comparison)["similarity"],
        "summary": comparison.summary,
        "changes": changes_of(comparison),
    }
    path = GOLDEN / "000_vs_001.json"
    if os.environ.get("DOCDIFF_REGEN_GOLDEN"):
        path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_identical_files_have_no_differences(tmp_path: Path):
    comparison = compare_files(SEED_001, SEED_001)
    assert not comparison.changes
    assert not comparison.differs
    assert comparison.similarity == 1.0


def simplified_copy_of_002(tmp_path: Path) -> Path:
    from difftool import load

    text = load(SEED_002).text
    pinyin_only = tuple(step for step in STEPS if step.name == "pinyin")
    stripped = normalise(text, steps=pinyin_only).text
    path = tmp_path / "002_simplified.txt"
    path.write_text(opencc.OpenCC("t2s").convert(stripped), encoding="utf-8")
    return path


def test_traditional_seed_and_its_simplified_conversion_do_not_differ(tmp_path: Path):
    copy = simplified_copy_of_002(tmp_path)
    assert "開" not in read(copy) and "(kāi)" not in read(copy)
    comparison = compare_files(SEED_002, copy)
    assert comparison.changes == ()
    assert not comparison.differs


def test_strict_mode_reports_what_normalisation_hides(tmp_path: Path):
    copy = simplified_copy_of_002(tmp_path)
    comparison = compare_files(SEED_002, copy, strict=True)
    assert comparison.differs
    assert comparison.changes
    assert all(op.layout_only for op in comparison.changes)
    first = comparison.changes[0]
    assert ("delete", "(kāi)") in first.inline or any(
        "開" in t for tag, t in first.inline if tag == "delete"
    )


def test_strict_mode_on_width_only_difference(tmp_path: Path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("我局坚持依法行政，推动高质量发展。\n", encoding="utf-8")
    b.write_text("我局坚持依法行政,推动高质量发展。\n", encoding="utf-8")
    assert not compare_files(a, b).differs
    strict = compare_files(a, b, strict=True)
    assert strict.differs
    assert [op.op for op in strict.changes] == ["change"]


def test_threshold_is_passed_through():
    with pytest.raises(ValueError):
        compare_files(SEED_000, SEED_001, threshold=2.0)


def test_english_versions_with_hard_wraps(tmp_path: Path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(
        "Report on the Work of the Government\n\nIn 2023 the economy grew by 5.2 percent, and 12.44 million\n"
        "urban jobs were added. Mr. Li said the targets were met. We will keep prices stable.\n\n"
        "1. Review of our work\nConsumer prices rose by 0.2 percent. The surveyed urban unemployment\n"
        "rate averaged 5.2 percent.\n",
        encoding="utf-8",
    )
    b.write_text(
        "Report on the Work of the Government\n\nIn 2023 the economy grew by 5.3 percent, and 12.44 million "
        "urban jobs were added. Mr. Li said the targets were met.\n\n1. Review of our work\n"
        "Consumer prices rose by 0.2 percent. The surveyed urban unemployment rate averaged 5.2 percent. "
        "We will keep prices stable.\n",
        encoding="utf-8",
    )
    comparison = compare_files(a, b)
    assert [op.op for op in comparison.changes] == ["change", "move"]
    change, move = comparison.changes
    assert (change.numbers_a, change.numbers_b) == (("5.2",), ("5.3",))
    assert comparison.heading_before(move) == "1. Review of our work"


def spaced_out(text: str) -> str:
    """Text as some PDF extractors give it: a space after every character of each line."""
    return "\n".join(" ".join(line) for line in text.split("\n"))


def test_a_spaced_out_copy_differs_only_where_its_content_does(tmp_path: Path):
    """Figures and Latin in a spaced-out copy (``2 7 9 1 . 1 9``, ``( O D R )``) were
    changed figures and split sentences (``99 .`` / ``9 9 %``): they are the same text."""
    text = SEED_001.read_text(encoding="utf-8")
    assert "2791.19" in text
    copy = tmp_path / "spaced.txt"
    copy.write_text(spaced_out(text), encoding="utf-8")
    same = compare_files(SEED_001, copy)
    assert not same.differs and len(same.a.sentences) == len(same.b.sentences)
    copy.write_text(spaced_out(text.replace("2791.19", "2791.20")), encoding="utf-8")
    changed = compare_files(SEED_001, copy)
    assert [(op.numbers_a, op.numbers_b) for op in changed.changes] == [
        (("2791.19",), ("2791.20",))
    ]
    old, new = redline.sides(changed.a, changed.b, changed.changes[0])
    # the file's own characters, the layout spaces hidden, the figure highlighted: what
    # the same edit shows without the spacing
    assert "罚没2791.20万元" in redline.plain(new)
    assert [p.text for p in new if p.tag == "insert"] == ["2791.20"]
    plain = tmp_path / "plain.txt"
    plain.write_text(text.replace("2791.19", "2791.20"), encoding="utf-8")
    unspaced = compare_files(SEED_001, plain)
    assert redline.sides(unspaced.a, unspaced.b, unspaced.changes[0]) == (old, new)
