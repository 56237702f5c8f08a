"""The redline report: one self-contained HTML file for a diff, a dedup run or a match.

Pure functions of the comparison objects (the same ones the terminal view draws): no
template engine, no network request of any kind, inline CSS and a little plain
JavaScript allowed by a Content-Security-Policy hash. Every text from a document or a
file name goes through :func:`html.escape`, so a hostile document shows as text.

Readable with JavaScript off: the inline view is the default, unchanged runs are
``<details>`` that open in place. JavaScript adds the side-by-side switch and keyboard
navigation (``n``/``j`` next change, ``p``/``k`` previous; the URL shows ``#c12``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from difftool import __version__, inline, redline
from difftool.align import Op
from difftool.comparison import Comparison
from difftool.pipeline import Prepared
from difftool.render import LABELS, counted, percent, summary_counts, valid_text

if TYPE_CHECKING:
    from difftool.family import Family
    from difftool.index import DedupResult
    from difftool.matching import MatchResult

_CSS = """
:root{--ins:#0a5d1e;--ins-bg:#dcf5e1;--del:#9b1c1c;--del-bg:#fde2e2;--fig:#7a4b00;--fig-bg:#ffe9b3;
--ink:#1b1b1b;--mute:#555;--line:#d0d0d0}
*{box-sizing:border-box}
body{font:15px/1.6 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:var(--ink);
margin:0;display:grid;grid-template-columns:19rem 1fr;min-height:100vh}
body.nonav{display:block}
nav{border-right:1px solid var(--line);padding:.5rem;position:sticky;top:0;height:100vh;overflow-y:auto;overflow-x:hidden;overflow-wrap:anywhere;font-size:13px}
nav ol{padding-left:1.6rem;margin:.3rem 0}
nav a{color:var(--ink);text-decoration:none;display:block}
nav a:focus,nav a:hover{text-decoration:underline}
nav li.current{background:#e8eefc}
main{padding:1rem 2rem;max-width:80rem;min-width:0}
h1{font-size:1.3rem;margin:.2rem 0 .6rem;overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:1.2rem 0 .3rem;overflow-wrap:anywhere}
table.meta,table.figures,table.list{border-collapse:collapse;font-size:13px;margin:.4rem 0}
table.meta td,table.meta th,table.figures td,table.figures th,table.list td,table.list th{border:1px solid var(--line);padding:.15rem .45rem;text-align:left;vertical-align:top}
table.meta td,table.list td.path{overflow-wrap:anywhere}
table.list td{white-space:nowrap}
table.list td.path{white-space:normal;min-width:14ch}
.summary{font-weight:600}
.change{border-left:4px solid #3b5bdb;padding:.2rem .8rem;margin:.6rem 0;scroll-margin-top:1rem}
.change:target,.change.current{background:#f3f6ff}
.change h3{font-size:.9rem;margin:0;color:var(--mute);font-weight:600}
.minor{border-left-color:#999}
.row{margin:.15rem 0;white-space:pre-wrap;word-break:break-all}
.row .sign{display:inline-block;width:1.2rem;font-weight:700;color:var(--mute)}
del{color:var(--del);background:var(--del-bg);text-decoration:line-through}
ins{color:var(--ins);background:var(--ins-bg);text-decoration:underline}
del.fig,ins.fig{background:var(--fig-bg);color:var(--fig);font-weight:700;outline:1px solid var(--fig)}
.old-row del.whole,.new-row ins.whole{background:none}
.ctx{color:var(--mute)}
details.equal{margin:.3rem 0;color:var(--mute)}
details.equal summary{cursor:pointer}
.sbs{display:none}
body.side .inline{display:none}
body.side .sbs{display:grid;grid-template-columns:1fr 1fr;gap:.2rem 1rem}
.sbs>div{white-space:pre-wrap;word-break:break-all;border-top:1px solid var(--line);padding:.15rem 0}
.controls button{font:inherit;margin-right:.4rem}
.heading{font-weight:700;margin:.8rem 0 .2rem}
.moved{color:var(--fig)}
@media (max-width:50rem){
 body{display:block}
 nav{position:static;height:auto;max-height:45vh;border-right:0;border-bottom:1px solid var(--line)}
 main{padding:.6rem}
 table.list{display:block;overflow-x:auto;max-width:100%}
}
@media print{
 body{display:block;font-size:11pt}
 nav,.controls{display:none}
 main{max-width:none;padding:0}
 details.equal>*:not(summary){display:none}
 .change{break-inside:avoid}
 del{text-decoration:line-through}
 ins{text-decoration:underline}
 @page{margin:18mm 15mm;@bottom-center{content:"page " counter(page) " of " counter(pages)}}
}
"""

_JS = """
(function(){
var changes=Array.prototype.slice.call(document.querySelectorAll('.change'));
var links=document.querySelectorAll('nav li');
var current=-1;
function go(i,push){if(!changes.length)return;i=Math.max(0,Math.min(changes.length-1,i));
if(current>=0){changes[current].classList.remove('current');if(links[current])links[current].classList.remove('current');}
current=i;var c=changes[i];c.classList.add('current');if(links[i])links[i].classList.add('current');
c.scrollIntoView({block:'start',inline:'nearest'});if(links[i])links[i].scrollIntoView({block:'nearest',inline:'nearest'});if(push!==false)history.replaceState(null,'','#'+c.id);}
function fromHash(){var id=location.hash.slice(1);for(var i=0;i<changes.length;i++){if(changes[i].id===id){go(i,false);return;}}}
document.addEventListener('keydown',function(e){if(e.ctrlKey||e.metaKey||e.altKey)return;
var t=e.target&&e.target.tagName;if(t==='INPUT'||t==='TEXTAREA')return;
if(e.key==='n'||e.key==='j'){go(current+1);e.preventDefault();}
else if(e.key==='p'||e.key==='k'){go(current-1);e.preventDefault();}});
window.addEventListener('hashchange',fromHash);
var sw=document.getElementById('view-switch');
if(sw){sw.hidden=false;sw.addEventListener('click',function(){var side=document.body.classList.toggle('side');
sw.textContent=side?'Inline view':'Side-by-side view';sw.setAttribute('aria-pressed',side?'true':'false');});}
fromHash();
})();
"""


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _e(text: object) -> str:
    return html.escape(valid_text(str(text)), quote=True)


def page(title: str, lang: str, body: str, nav: str = "", *, script: bool = True) -> str:
    """A whole self-contained page, with a CSP that allows only its own style and script."""
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src '{_hash(_CSS)}'; script-src '{_hash(_JS)}'; "
        "base-uri 'none'; form-action 'none'"
    )
    js = f"<script>{_JS}</script>" if script else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body{'' if nav else ' class=nonav'}>{nav}<main>{body}</main>{js}</body></html>\n"
    )


def _lang(*texts: str) -> str:
    sample = "".join(t[:4000] for t in texts)
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    return "zh" if cjk * 10 > len(sample) or cjk > 200 else "en"


# --- one comparison -------------------------------------------------------------------


def _pieces(pieces: Iterable[redline.Piece], whole: bool = False) -> str:
    out = []
    for p in pieces:
        text = _e(p.text)
        if p.tag == "equal":
            out.append(text)
            continue
        tag = "del" if p.tag == "delete" else "ins"
        classes = " ".join(c for c in ("fig" if p.figure else "", "whole" if whole else "") if c)
        out.append(
            f'<{tag} class="{classes}">{text}</{tag}>' if classes else f"<{tag}>{text}</{tag}>"
        )
    return "".join(out)


def _file_meta(side: Prepared) -> dict[str, str]:
    doc = side.document
    meta = {
        "file": doc.path,
        "format": doc.format,
        "encoding": doc.encoding,
        "size": f"{doc.size:,} bytes",
        "sentences": str(len(side.sentences)),
    }
    try:  # the SHA-256 a reviewer can check against the file; stdin has none
        if doc.path != "-" and os.path.isfile(doc.path):
            digest = hashlib.sha256()
            with open(doc.path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            meta["sha256"] = digest.hexdigest()
            stat = os.stat(doc.path)
            meta["modified"] = time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(stat.st_mtime))
    except OSError:
        pass
    return meta


def _meta_table(comparison: Comparison, settings: dict[str, Any]) -> str:
    a, b = _file_meta(comparison.a), _file_meta(comparison.b)
    keys = ["file", "format", "encoding", "size", "sentences", "sha256", "modified"]
    rows = "".join(
        f"<tr><th scope=row>{k}</th><td>{_e(a.get(k, '–'))}</td><td>{_e(b.get(k, '–'))}</td></tr>"
        for k in keys
    )
    used = ", ".join(f"{k}={v}" for k, v in settings.items()) or "defaults"
    made = time.strftime("%Y-%m-%d %H:%M:%S %z")
    return (
        f'<table class="meta"><tr><th></th><th scope=col>A (old)</th><th scope=col>B (new)</th></tr>{rows}</table>'
        f"<p>docdiff {__version__} · settings: {_e(used)} · made {_e(made)}</p>"
    )


def _location(comparison: Comparison, op: Op) -> str:
    la = redline.location(comparison.a, op.a_range)
    lb = redline.location(comparison.b, op.b_range)
    return " · ".join(x for x in (f"a {la}" if la else "", f"b {lb}" if lb else "") if x)


def _split_lines(pieces: list[redline.Piece]) -> list[list[redline.Piece]]:
    return [[redline.Piece(t, p.tag, p.figure)] for p in pieces for t in p.text.split("\n")]


def _change_block(comparison: Comparison, op: Op, n: int) -> str:
    old, new = redline.sides(comparison.a, comparison.b, op)
    label = LABELS[op.op] + (" (edited)" if op.edited else "")
    if op.op == "punctuation":
        label += " (minor)"
    if op.layout_only:
        label += " (layout only, minor)"
    minor = op.op == "punctuation" or op.layout_only
    heading = comparison.heading_before(op)
    head = (
        f"{n}. {label}"
        + (f" · {_e(heading)}" if heading else "")
        + f" · {_e(_location(comparison, op))}"
    )
    whole = op.op in ("delete", "insert")
    rows = []
    if op.op == "move":
        where = _e(redline.location(comparison.a, op.a_range))
        rows.append(f'<div class="row moved"><a href="#m{n}">moved from a {where}</a></div>')
    for side, sign, label, css in ((old, "−", "old", "old-row"), (new, "+", "new", "new-row")):
        # removed and inserted runs: one row a sentence
        for line in _split_lines(side) if whole else [side]:
            if line:
                rows.append(
                    f'<div class="row {css}"><span class="sign" aria-label="{label}">{sign}</span>'
                    f"{_pieces(line, whole)}</div>"
                )
    if op.numbers_a or op.numbers_b:
        rows.append(
            f'<div class="row">figures: <del class="fig">{_e(", ".join(op.numbers_a) or "–")}</del>'
            f' → <ins class="fig">{_e(", ".join(op.numbers_b) or "–")}</ins></div>'
        )
    sbs = f'<div class="sbs"><div>{_pieces(old, whole)}</div><div>{_pieces(new, whole)}</div></div>'
    return (
        f'<section class="change{" minor" if minor else ""}" id="c{n}" data-kind="{op.op}" tabindex="-1">'
        f'<h3>{head}</h3><div class="inline">{"".join(rows)}</div>{sbs}</section>'
    )


def _equal_run(comparison: Comparison, op: Op) -> str:
    a0, a1 = op.a_range
    b0, b1 = op.b_range
    count = b1 - b0
    inline_rows = []
    sbs_rows = []
    for k in range(count):
        sb = comparison.b.sentences[b0 + k]
        text_b = _e(redline.sentence_text(comparison.b, b0 + k))
        text_a = _e(redline.sentence_text(comparison.a, a0 + k)) if a0 + k < a1 else ""
        css = "heading" if sb.heading else "row ctx"
        inline_rows.append(f'<div class="{css}">{text_b}</div>')
        sbs_rows.append(f"<div>{text_a}</div><div>{text_b}</div>")
    noun = "sentence" if count == 1 else "sentences"
    return (
        f'<details class="equal"><summary>… {count} unchanged {noun} …</summary>'
        f'<div class="inline">{"".join(inline_rows)}</div><div class="sbs">{"".join(sbs_rows)}</div></details>'
    )


def _figures_table(comparison: Comparison) -> str:
    rows = []
    for n, op in enumerate(comparison.changes, 1):
        if op.numbers_a or op.numbers_b:
            rows.append(
                f'<tr><td><a href="#c{n}">{n}</a></td><td><del class="fig">{_e(", ".join(op.numbers_a) or "–")}</del></td>'
                f'<td><ins class="fig">{_e(", ".join(op.numbers_b) or "–")}</ins></td>'
                f"<td>{_e(comparison.heading_before(op) or '')}</td><td>{_e(_location(comparison, op))}</td></tr>"
            )
    if not rows:
        return "<p>No figure changed.</p>"
    return (
        '<table class="figures"><tr><th>#</th><th>old</th><th>new</th><th>heading</th><th>where</th></tr>'
        + "".join(rows)
        + "</table>"
    )


def _preview(text: str, limit: int = 60) -> str:
    """The start of a sentence for the list of changes, cut between tokens and marked so:
    a figure is shown whole or not at all (``3,106``, never ``3,10``)."""
    if len(text) <= limit:
        return text
    cut = 0
    for token in inline.tokens(text[: limit + 1]):
        if cut + len(token) > limit:
            break
        cut += len(token)
    return text[: cut or limit].rstrip() + "…"


def _change_list(comparison: Comparison) -> str:
    items = []
    for n, op in enumerate(comparison.changes, 1):
        old, new = redline.sides(comparison.a, comparison.b, op)
        preview = _preview(redline.plain(new or old))
        items.append(
            f'<li><a href="#c{n}">{_e(LABELS[op.op])} · {_e(_location(comparison, op))}<br>{_e(preview)}</a></li>'
        )
    return (
        f'<nav aria-label="changes"><h2>Changes ({len(items)})</h2><ol>{"".join(items)}</ol></nav>'
    )


def comparison_body(
    comparison: Comparison, *, level: int = 1, settings: dict[str, Any] | None = None
) -> str:
    """The redline of one comparison, without the page around it."""
    exit_words = (
        "the versions differ (exit status 1)"
        if comparison.differs
        else "no differences (exit status 0)"
    )
    parts = [
        f"<h{level}>{_e(comparison.a.document.path)} → {_e(comparison.b.document.path)}</h{level}>",
        _meta_table(comparison, settings or {}),
        f'<p class="summary">similarity {percent(comparison.similarity, comparison.differs)} · '
        f"{_e(summary_counts(comparison))} · {exit_words}</p>",
        '<p class="controls"><button type="button" id="view-switch" aria-pressed="false" hidden>Side-by-side view</button></p>',
        f"<h{level + 1}>Changed figures</h{level + 1}>",
        _figures_table(comparison),
        f"<h{level + 1}>Redline</h{level + 1}>",
    ]
    sources = _move_sources(comparison)
    n = 0
    for k, op in enumerate(comparison.ops):
        parts.extend(sources.get(k, []))
        if op.op == "equal":
            parts.append(_equal_run(comparison, op))
        else:
            n += 1
            parts.append(_change_block(comparison, op, n))
    parts.extend(sources.get(len(comparison.ops), []))
    return "".join(parts)


def _move_sources(comparison: Comparison) -> dict[int, list[str]]:
    """Where each moved sentence was: a marker to put before op ``k`` (the first op whose
    old text comes after it), linked to the move and back."""
    out: dict[int, list[str]] = {}
    n = 0
    for op in comparison.ops:
        if op.op == "equal":
            continue
        n += 1
        if op.op != "move":
            continue
        at = next(
            (
                k
                for k, other in enumerate(comparison.ops)
                if other is not op and other.op != "move" and other.a_range[0] >= op.a_range[1]
            ),
            len(comparison.ops),
        )
        text = _e(" ".join(redline.sentence_text(comparison.a, i) for i in range(*op.a_range)))
        out.setdefault(at, []).append(
            f'<div class="row moved" id="m{n}">moved away (<a href="#c{n}">to change {n}</a>): '
            f"<del>{text}</del></div>"
        )
    return out


def render(comparison: Comparison, *, settings: dict[str, Any] | None = None) -> str:
    """The report of one comparison as a whole HTML page."""
    title = f"docdiff: {comparison.a.document.path} → {comparison.b.document.path}"
    lang = _lang(comparison.a.document.text, comparison.b.document.text)
    return page(
        title, lang, comparison_body(comparison, settings=settings), _change_list(comparison)
    )


# --- dedup and match ---------------------------------------------------------------------


def render_groups(
    result: DedupResult,
    diffs: dict[str, Comparison] | None = None,
    trees: dict[int, Family] | None = None,
    *,
    list_all: bool = False,
) -> str:
    """The groups of a dedup run: representative and members, family trees, singletons,
    errors; each member's redline against its representative, collapsed, when ``diffs``
    has it."""
    diffs = diffs or {}
    trees = trees or {}
    parts = [
        "<h1>docdiff dedup</h1>",
        f"<p>docdiff {__version__} · {counted(result.documents, 'document')} · "
        f"{counted(len(result.clusters), 'group')} · {counted(len(result.errors), 'error')} · "
        f"made {_e(time.strftime('%Y-%m-%d %H:%M:%S %z'))}</p>",
    ]
    grouped = set()
    for cluster in result.clusters:
        parts.append(
            f'<h2 id="g{cluster.id}">Group {cluster.id}: {_e(cluster.representative)}</h2>'
        )
        rows = []
        for k, m in enumerate(cluster.members):
            grouped.add(m.path)
            role = "representative" if k == 0 else ("partial copy" if m.partial else "version")
            rows.append(
                f"<tr><td class=path>{_e(m.path)}</td><td>{role}</td><td>{m.similarity:.1%}</td>"
                f"<td>{m.containment:.1%}</td><td>{'yes' if m.partial else ''}</td><td>{m.size:,}</td></tr>"
            )
        parts.append(
            '<table class="list"><tr><th>path</th><th>role</th><th>similarity</th><th>containment</th>'
            f"<th>partial</th><th>bytes</th></tr>{''.join(rows)}</table>"
        )
        if cluster.id in trees:
            parts.append(_tree_html(trees[cluster.id]))
        for m in cluster.members[1:]:
            if m.path in diffs:
                parts.append(
                    f"<details><summary>diff of {_e(m.path)} against the representative</summary>"
                    f"{_plain_redline(diffs[m.path])}</details>"
                )
    if list_all and result.singletons:
        parts.append(
            f"<h2>In no group ({len(result.singletons)})</h2><ul>"
            + "".join(f"<li>{_e(p)}</li>" for p in result.singletons)
            + "</ul>"
        )
    parts.append(_errors(result.errors))
    return page("docdiff dedup", "zh", "".join(parts), script=False)


def _errors(errors: Sequence[tuple[str, str]]) -> str:
    """The files that could not be read, each with why; nothing when there are none."""
    if not errors:
        return ""
    return (
        "<h2>Errors</h2><ul>" + "".join(f"<li>{_e(p)}: {_e(e)}</li>" for p, e in errors) + "</ul>"
    )


def _tree_html(family: Family) -> str:
    """A family tree as nested lists, each version under the one it was made from."""
    from difftool.render.groups import edge_label

    def node(path: str) -> str:
        children = sorted(family.children_of(path), key=lambda e: e.child)
        items = "".join(
            f"<li>{_e(e.child)} <span class=ctx>({_e(edge_label(e))})</span>{node(e.child)}</li>"
            for e in children
        )
        return f"<ul>{items}</ul>" if items else ""

    return f'<div class="tree"><p>Family tree: {_e(family.root)}</p>{node(family.root)}</div>'


def _plain_redline(comparison: Comparison) -> str:
    """A compact redline (changes only) for embedding in a list."""
    blocks = [_change_block(comparison, op, n) for n, op in enumerate(comparison.changes, 1)]
    summary = f"<p>{_e(summary_counts(comparison))}</p>"
    return summary + "".join(blocks).replace(' id="c', ' data-id="c')


def render_match(result: MatchResult) -> str:
    """The ranking of a match run (ties marked), then the redline against the best."""
    best = result.candidates[0]
    rows = []
    for n, c in enumerate(result.candidates, 1):
        tie = " (tie)" if result.tied(c) else ""
        s = c.summary
        rows.append(
            f"<tr><td>{n}{tie}</td><td class=path>{_e(c.path)}</td><td>{percent(c.similarity, c.comparison.differs)}</td><td>{c.containment:.1%}</td>"
            f"<td>{s['change']}</td><td>{s['insert']}</td><td>{s['delete']}</td><td>{s['move']}</td></tr>"
        )
    body = (
        f"<h1>docdiff match: {_e(result.query)}</h1>"
        '<table class="list"><tr><th>#</th><th>archived version</th><th>similar</th><th>contains</th>'
        f"<th>changed</th><th>added</th><th>removed</th><th>moved</th></tr>{''.join(rows)}</table>"
        + (f"<p class=ctx>{_e(result.TRUSTED_NOTE)}</p>" if result.trusted else "")
        + comparison_body(best.comparison, level=2)
        + _errors(result.errors)
    )
    lang = _lang(best.comparison.a.document.text)
    return page(f"docdiff match: {result.query}", lang, body, _change_list(best.comparison))


__all__: Sequence[str] = ("page", "render", "render_groups", "render_match")
