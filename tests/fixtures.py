"""Build documents in other formats from the seeds, at test time."""

from __future__ import annotations

import zipfile
from pathlib import Path

from difftool.variants import _wrap_cells


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def make_pdf(
    path: Path,
    text: str,
    *,
    wrap: bool = True,
    per_page: int = 38,
    width: int = 28,
    char_space: float = 0,
) -> Path:
    """A PDF with the text in STSong-Light (a CID font every PDF reader has), wrapped at
    ``width`` CJK characters (wherever that falls: inside figures too), with a running
    header and a page number on every page; ``char_space`` points between characters
    (spaced-out print, which text extraction gives with a space after every character)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines: list[str] = []
    for para in lines_of(text):
        lines += _wrap_cells(para, 2 * width) if wrap else [para]
    c = canvas.Canvas(str(path))
    for page, start in enumerate(range(0, len(lines), per_page), 1):
        c.setFont("STSong-Light", 9)
        c.drawString(72, 800, "江门市市场监督管理局工作文件")
        c.drawCentredString(300, 40, f"— {page} —")
        c.setFont("STSong-Light", 12)
        for k, line in enumerate(lines[start : start + per_page]):
            if not char_space:
                c.drawString(60, 770 - 19 * k, line)
                continue
            x = 60.0  # each character placed on its own, as a typesetter spacing it does
            for ch in line:
                c.drawString(x, 770 - 19 * k, ch)
                x += pdfmetrics.stringWidth(ch, "STSong-Light", 12) + char_space
        c.showPage()
    c.save()
    return path


def make_scanned_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(100, 100, 300, 500, fill=1)  # an image of a page: no text layer
    c.showPage()
    c.save()
    return path


def make_docx(
    path: Path, text: str, *, table: list[list[str]] | None = None, width: int | None = None
) -> Path:
    """A Word document: one paragraph per line, a header and a footer that are not body text."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "江门市市场监督管理局（页眉）"
    section.footer.paragraphs[0].text = "第 1 页"
    for para in lines_of(text):
        # a draft typed with hard line breaks: one Word paragraph per line
        for line in _wrap_cells(para, 2 * width) if width else [para]:
            document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for k, value in enumerate(row):
                grid.cell(r, k).text = value
    document.save(str(path))
    return path


def make_ofd(path: Path, text: str, *, per_page: int = 30) -> Path:
    """A minimal OFD package (GB/T 33190): OFD.xml, a document, pages of text objects."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    lines: list[str] = []
    for para in lines_of(text):
        lines += _wrap_cells(para, 56)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "OFD.xml",
            f'<ofd:OFD {ns} Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
        )
        page_list = "".join(
            f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
            for i in range(len(pages))
        )
        z.writestr(
            "Doc_0/Document.xml",
            f"<ofd:Document {ns}><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
        )
        for i, page in enumerate(pages):
            objects = "".join(
                f'<ofd:TextObject ID="{100 + k}" Boundary="20 {30 + 7 * k} 170 6" Font="1" Size="5">'
                f'<ofd:TextCode X="0" Y="5">{_xml(line)}</ofd:TextCode></ofd:TextObject>'
                for k, line in enumerate(page)
            )
            z.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="1">{objects}</ofd:Layer></ofd:Content></ofd:Page>',
            )
    return path


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_html(path: Path, text: str) -> Path:
    """A government web page: navigation, header, share bar, footer and scripts around the text."""
    body = "".join(f"<p>{_xml(line)}</p>\n" for line in lines_of(text))
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>法治政府建设情况报告</title>
<script>var tracker = "统计代码，不是正文";</script><style>p {{ margin: 0 }}</style></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a></div>
<div id="nav"><ul><li>机构概况</li><li>政策文件</li><li>互动交流</li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>
<div class="article-content">
{body}</div>
<div class="share">分享到：微信 微博</div>
<div class="footer">主办单位：某某市场监督管理局 版权所有 备案号：沪ICP备00000000号</div>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def make_drafts(folder: Path, text: str, count: int, *, seed: int, edits: int = 12) -> Path:
    """``count`` drafts of ``text`` in ``folder`` (``0000.txt``…), each with ``edits``
    characters replaced at random places: versions alike enough to share every LSH
    bucket, as hundreds of drafts of one report do."""
    import random

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        chars = list(text)
        for _ in range(edits):
            chars[rng.randrange(len(chars))] = rng.choice("的一是在不了有和人这中大为上个国")
        (folder / f"{k:04d}.txt").write_text("".join(chars), encoding="utf-8")
    return folder
