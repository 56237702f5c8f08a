"""The HTML redline report: structure and escaping, then in a real headless Chromium.

The browser tests need Debian's ``chromium`` and Playwright's Python package (the
``test`` extra); no browser is downloaded. Where either is missing they are skipped,
unless ``DOCDIFF_REQUIRE_BROWSER=1`` (set by CI), where a missing browser fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001, missing, read

from difftool.cli import cli
from difftool.comparison import compare_files
from difftool.render import html
from difftool.render import json as render_json

HOSTILE = """关于<script>window.pwned = 1</script>的报告。
第二段<img src=x onerror="window.pwned=2">含有图片。
第三段</style><style>body{display:none}</style>结束。
点击<a href="javascript:window.pwned=3">这里</a>查看。
注释<!-- 开始 与 &lt;!-- 实体。
"""


def report(tmp_path: Path, a: str, b: str, name: str = "r") -> Path:
    pa, pb = tmp_path / f"{name}_a.txt", tmp_path / f"{name}_b.txt"
    pa.write_text(a, encoding="utf-8")
    pb.write_text(b, encoding="utf-8")
    out = tmp_path / f"{name}.html"
    out.write_text(html.render(compare_files(pa, pb)), encoding="utf-8")
    return out


def test_report_is_self_contained_with_a_strict_csp():
    page = html.render(compare_files(SEED_000, SEED_001))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh">' in page
    assert not re.search(r"(?:src|href)=\"?(?:https?:)?//", page)  # no external load
    import html as stdlib_html

    csp = stdlib_html.unescape(
        re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    )
    assert "default-src 'none'" in csp
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_hostile_text_and_paths_are_escaped(tmp_path):
    out = report(tmp_path, HOSTILE, HOSTILE.replace("报告", "通报"), name="<b>x")
    page = out.read_text(encoding="utf-8")
    assert page.count("<script>") == 1  # ours only
    assert "window.pwned = 1</script>" not in page
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page
    assert "<img" not in page and 'href="javascript:' not in page
    assert "</style><style>body" not in page
    assert "&lt;b&gt;x" in page and "<b>x" not in page


def test_english_report_says_lang_en(tmp_path):
    out = report(
        tmp_path, "The drug is safe.\nIt was tested.\n", "The drug is safe?\nIt was tested.\n"
    )
    assert '<html lang="en">' in out.read_text(encoding="utf-8")


def test_cli_writes_html_to_a_file_and_to_stdout(runner, tmp_path):
    target = tmp_path / "report.html"
    result = runner.invoke(
        cli, ["--format", "html", "-o", str(target), str(SEED_000), str(SEED_001)]
    )
    assert result.exit_code == 1 and result.output == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    stdout = runner.invoke(cli, ["--format", "html", str(SEED_000), str(SEED_001)])
    assert stdout.output.startswith("<!DOCTYPE html>")


def test_dedup_and_match_reports(runner, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in (SEED_000, SEED_001):
        shutil.copy(seed, archive / seed.name)
    (archive / "alone.txt").write_text("一份与其他文件无关的通知。" * 5, encoding="utf-8")
    (archive / "broken.txt").write_bytes(b"\x00\xff" * 500)
    groups = tmp_path / "groups.html"
    result = runner.invoke(
        cli,
        [
            "dedup",
            "--no-cache",
            "-q",
            "--tree",
            "--list-all",
            "--format",
            "html",
            "-o",
            str(groups),
            str(archive),
        ],
    )
    assert result.exit_code == 1, result.output
    page = groups.read_text(encoding="utf-8")
    assert "representative" in page and "diff of " in page and SEED_001.name in page
    assert "In no group (1)" in page and "alone.txt" in page and "Family tree:" in page
    assert "class=nonav" in page  # no change list: the groups take the page's width
    assert "4 documents · 1 group · 1 error · made" in page
    (archive / "broken.txt").unlink()
    filed = tmp_path / "filed.txt"
    filed.write_text(read(SEED_001).replace("2791.19", "2791.20"), encoding="utf-8")
    found = tmp_path / "match.html"
    result = runner.invoke(
        cli,
        [
            "match",
            "--no-cache",
            "-q",
            "--format",
            "html",
            "-o",
            str(found),
            str(filed),
            str(archive),
        ],
    )
    assert result.exit_code == 1, result.output
    page = found.read_text(encoding="utf-8")
    assert SEED_001.name in page and "2791.20" in page
    assert "--trust-cache" not in page and "<h2>Errors</h2>" not in page
    # an unreadable archived file is listed; an answer from the recorded walk says so
    (archive / "broken.bin").write_bytes(b"\x00\xff" * 100)
    past = time.time() - 60  # settled: a folder changed just now is never trusted
    os.utime(archive, (past, past))
    cache = tmp_path / "cache.sqlite"
    args = ["match", "--trust-cache", "--cache", str(cache), "-q", "--format", "html"]
    for _ in range(2):  # the first records the walk
        result = runner.invoke(cli, [*args, "-o", str(found), str(filed), str(archive)])
        assert result.exit_code == 1, result.output
    page = found.read_text(encoding="utf-8")
    assert "--trust-cache: folders and candidates checked" in page
    assert "<h2>Errors</h2>" in page and "broken.bin: binary file" in page


# --- in a real browser ------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright", "pip install '.[test]'", "DOCDIFF_REQUIRE_BROWSER")
    if CHROMIUM is None:
        missing("chromium", "apt-get install chromium", "DOCDIFF_REQUIRE_BROWSER")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def open_page(browser, path: Path):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.requests = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.goto(path.as_uri())
    return page


def test_seed_report_opens_clean_and_lists_exactly_the_changes(browser, tmp_path):
    out = tmp_path / "seed.html"
    comparison = compare_files(SEED_000, SEED_001)
    out.write_text(html.render(comparison), encoding="utf-8")
    page = open_page(browser, out)
    assert page.errors == []
    assert page.requests == [out.as_uri()]  # nothing but the file itself
    listed = page.locator("nav li").count()
    changes = [
        op for op in json.loads(render_json.render(comparison))["ops"] if op["op"] != "equal"
    ]
    assert listed == len(changes) == page.locator("section.change").count() == 7


def test_keyboard_navigation_and_view_switch(browser, tmp_path):
    out = tmp_path / "seed.html"
    out.write_text(html.render(compare_files(SEED_000, SEED_001)), encoding="utf-8")
    page = open_page(browser, out)
    page.keyboard.press("n")
    assert page.evaluate("location.hash") == "#c1"
    page.keyboard.press("j")
    page.keyboard.press("n")
    assert page.evaluate("location.hash") == "#c3"
    page.keyboard.press("p")
    assert page.evaluate("location.hash") == "#c2"
    sbs = page.locator("section#c2 .sbs")
    assert sbs.evaluate("e => getComputedStyle(e).display") == "none"
    page.click("#view-switch")
    assert sbs.evaluate("e => getComputedStyle(e).display") == "grid"
    assert page.locator("section#c2 .inline").evaluate("e => getComputedStyle(e).display") == "none"
    # a link to a change opens at that change
    page.goto(out.as_uri() + "#c5")
    assert page.locator("section#c5").evaluate("e => e.classList.contains('current')")


def test_changed_figure_has_the_insertion_style(browser, tmp_path):
    text = read(SEED_001)
    out = report(tmp_path, text, text.replace("4377", "4378"))
    page = open_page(browser, out)
    figure = page.locator("section.change .inline ins.fig", has_text="4378").first
    style = figure.evaluate(
        "e => { const s = getComputedStyle(e); return [s.textDecorationLine, s.fontWeight] }"
    )
    assert "underline" in style[0] and int(style[1]) >= 600
    deleted = page.locator("section.change .inline del.fig", has_text="4377").first
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")


def test_hostile_document_executes_nothing(browser, tmp_path):
    out = report(tmp_path, HOSTILE, HOSTILE.replace("报告", "通报"), name="hostile")
    page = open_page(browser, out)
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("body").evaluate("e => getComputedStyle(e).display") != "none"
    assert "<script>window.pwned = 1</script>" in page.inner_text("main")
    assert page.errors == [] and len(page.requests) == 1


def test_print_to_pdf_contains_the_changes(browser, tmp_path):
    import pypdfium2

    out = tmp_path / "seed.html"
    out.write_text(html.render(compare_files(SEED_000, SEED_001)), encoding="utf-8")
    page = open_page(browser, out)
    pdf = tmp_path / "seed.pdf"
    page.pdf(path=str(pdf), display_header_footer=False)
    document = pypdfium2.PdfDocument(str(pdf))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    flat = re.sub(r"\s+", "", text)
    assert "广东省市场监督管理局" in flat and "省局法治工作要求" in flat
    assert "page1of" in flat  # page numbers from the print stylesheet
    assert "Changes (7)" not in text  # the navigation is not printed


def test_moves_are_shown_at_both_places_and_linked(tmp_path):
    filler = "各地区各部门要认真贯彻落实党中央国务院决策部署，扎实推进各项工作落地见效，"
    paras = [filler + f"第{n}项工作取得显著成效，完成投资{n}00万元。" for n in range(1, 9)]
    moved = [*paras[1:5], paras[0].replace("100万元", "101万元"), *paras[5:]]
    page = report(tmp_path, "\n".join(paras), "\n".join(moved)).read_text(encoding="utf-8")
    change = re.search(r'<section class="change" id="c(\d+)" data-kind="move"', page).group(1)
    assert f'id="m{change}">moved away (<a href="#c{change}">' in page
    assert f'<a href="#m{change}">moved from a line 1</a>' in page
    # the old place comes before the sentences that followed it in A
    assert page.index(f'id="m{change}"') < page.index("第2项工作")


def test_the_list_of_changes_cuts_a_sentence_between_tokens_never_inside_a_figure(tmp_path):
    sentence = "The archive received 12,440 files in the year, of which 3,106 were duplicates."
    page = report(tmp_path, sentence, sentence.replace("3,106", "3,107")).read_text()
    nav = page[page.index('<nav aria-label="changes">') : page.index("</nav>")]
    assert "of which…" in nav and "3,10<" not in nav and "3,10…" not in nav, nav
