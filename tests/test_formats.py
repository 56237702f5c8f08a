"""PDF, Word, OFD and HTML files made from the seeds read like the seeds themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001, SEED_003, SEED_004, read
from fixtures import make_docx, make_html, make_ofd, make_pdf, make_scanned_pdf

from difftool import load, normalise, sentences
from difftool.cli import cli
from difftool.comparison import compare_files
from difftool.errors import LoadError, UnsupportedFormat
from difftool.index import dedup


def keys(path: Path) -> list[str]:
    return [s.key for s in sentences(normalise(load(path).text))]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("formats")
    return {
        "001.pdf": make_pdf(root / "001.pdf", read(SEED_001)),
        "001.docx": make_docx(root / "001.docx", read(SEED_001)),
        "001.ofd": make_ofd(root / "001.ofd", read(SEED_001)),
        "000.pdf": make_pdf(root / "000.pdf", read(SEED_000), wrap=False),  # the print's own lines
        "004.html": make_html(root / "004.html", read(SEED_004)),
        # spaced-out print: its text layer has a space after every character
        "001-spaced.pdf": make_pdf(root / "001-spaced.pdf", read(SEED_001), width=20, char_space=6),
    }


@pytest.mark.parametrize("name", ["001.pdf", "001.docx", "001.ofd"])
def test_each_format_gives_the_seeds_sentences(made, name):
    assert keys(made[name]) == keys(SEED_001)


def test_formats_are_chosen_by_content_not_name(made, tmp_path: Path):
    disguised = tmp_path / "report.txt"
    disguised.write_bytes(made["001.pdf"].read_bytes())
    doc = load(disguised)
    assert doc.format == "pdf"
    assert load(made["001.docx"]).format == "docx"
    assert load(made["001.ofd"]).format == "ofd"
    assert load(made["004.html"]).format == "html"


def test_a_spaced_out_pdf_does_not_differ_from_its_text(made):
    """PDFium gives a spaced-out print as ``2 0 2 3 年 ， 罚 没 2 7 9 1 . 1 9``; its
    figures were changed figures and ``99.99%`` two sentences (7 changes, 2 inserted)."""
    extracted = load(made["001-spaced.pdf"]).text
    assert "2 7 9 1 . 1 9" in extracted and "( O D R )" in extracted
    comparison = compare_files(SEED_001, made["001-spaced.pdf"])
    assert not comparison.differs, [op.op for op in comparison.changes]


def test_pdf_page_furniture_is_dropped(made):
    text = normalise(load(made["001.pdf"]).text).text
    assert "工作文件" not in text  # the running header
    assert "— 1 —" not in text and "— 2 —" not in text


def test_docx_headers_and_footers_are_apart_and_tables_read_in_order(tmp_path: Path):
    path = make_docx(
        tmp_path / "t.docx",
        "第一段正文。\n第二段正文。",
        table=[["项目", "数量"], ["案件", "4377宗"]],
    )
    text = load(path).text
    assert text.splitlines() == ["第一段正文。", "第二段正文。", "项目\t数量", "案件\t4377宗"]
    assert "页眉" not in text


def test_html_main_content_without_navigation_and_chrome(made):
    doc = load(made["004.html"])
    for chrome in ("政务公开", "机构概况", "分享到", "备案号", "统计代码", "当前位置"):
        assert chrome not in doc.text
    assert keys(made["004.html"]) == keys(SEED_004)


def test_pdf_and_docx_of_one_seed_do_not_differ(made):
    comparison = compare_files(made["001.pdf"], made["001.docx"])
    assert not comparison.differs


def test_pdf_of_000_against_docx_of_001_reports_the_text_files_changes(made):
    from_formats = compare_files(made["000.pdf"], made["001.docx"])
    from_text = compare_files(SEED_000, SEED_001)
    assert from_formats.summary == from_text.summary
    assert [(op.op, op.a_range, op.b_range, op.inline) for op in from_formats.changes] == [
        (op.op, op.a_range, op.b_range, op.inline) for op in from_text.changes
    ]


def test_a_folder_mixing_all_formats_dedups_into_the_expected_groups(made, tmp_path: Path):
    for name, path in made.items():
        (tmp_path / name).write_bytes(path.read_bytes())
    for seed in (SEED_000, SEED_001, SEED_003, SEED_004):
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    result = dedup([tmp_path], cache=False, jobs=1)
    groups = {frozenset(Path(m.path).name for m in c.members) for c in result.clusters}
    assert groups == {
        frozenset(
            {"000.pdf", "001.pdf", "001-spaced.pdf", "001.docx", "001.ofd"}
            | {SEED_000.name, SEED_001.name}
        ),
        frozenset({"004.html", SEED_004.name}),
    }


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d, m: _write(d / "cut.pdf", m["001.pdf"].read_bytes()[:400]), "broken PDF"),
        (lambda d, m: make_scanned_pdf(d / "scan.pdf"), "scanned PDF"),
        (lambda d, m: _write(d / "bad.docx", b"PK\x03\x04" + b"\x00" * 100), "broken zip"),
        (
            lambda d, m: _write(
                d / "bad.ofd",
                _zip_with(
                    {
                        "OFD.xml": "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>"
                    }
                ),
            ),
            "broken OFD",
        ),
    ],
)
def test_broken_files_get_one_line_and_exit_2(runner, made, tmp_path: Path, make, message):
    path = make(tmp_path, made)
    with pytest.raises(LoadError, match=message):
        load(path)
    result = runner.invoke(cli, ["normalise", str(path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output


def test_dedup_lists_a_broken_file_and_goes_on(made, tmp_path: Path):
    (tmp_path / "a.pdf").write_bytes(made["001.pdf"].read_bytes())
    (tmp_path / "b.docx").write_bytes(made["001.docx"].read_bytes())
    (tmp_path / "cut.pdf").write_bytes(made["001.pdf"].read_bytes()[:300])
    result = dedup([tmp_path], cache=False, jobs=1)
    assert [Path(p).name for p, _ in result.errors] == ["cut.pdf"]
    assert len(result.clusters) == 1


def test_a_missing_extra_names_the_install_command(made, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pdfium(name, *args, **kwargs):
        if name == "pypdfium2":
            raise ImportError("not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pdfium)
    with pytest.raises(UnsupportedFormat, match=r"pip install 'docdiff\[pdf\]'"):
        load(made["001.pdf"])


def test_json_names_the_format(runner, made):
    result = runner.invoke(cli, ["--format", "json", str(made["001.pdf"]), str(made["001.docx"])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["a"]["format"], data["b"]["format"]) == ("pdf", "docx")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip_with(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()
