"""The main text of a web page: navigation, scripts and page chrome left out.

With selectolax (``pip install 'docdiff[web]'``) the page is parsed, the elements that
are never content (scripts, styles, navigation, headers, footers, forms, and elements
whose id or class says menu, share, breadcrumb...) are dropped, and the element holding
most of the text (``<article>``, ``<main>``, or a ``content``/``article``/``zoom`` block,
as government sites name it) is read block by block. Without selectolax the tags are
stripped by the normaliser instead and the chrome stays: the document's notes say so.
"""

from __future__ import annotations

import re
from typing import Any

_HTML_START = re.compile(
    r"\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s)", re.IGNORECASE
)
_NEVER_CONTENT = "script, style, noscript, nav, header, footer, aside, form, iframe, svg, button, select, template"
_CHROME_NAME = re.compile(
    r"nav|menu|header|footer|sidebar|breadcrumb|crumb|share|qrcode|toolbar|copyright|related|print|banner|search|login",
    re.IGNORECASE,
)
_CONTENT_NAME = re.compile(r"content|article|main|zoom|text|detail|body|zw|wzy", re.IGNORECASE)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "tr",
        "td",
        "th",
        "br",
        "section",
        "article",
        "main",
        "table",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "dd",
        "dt",
    ]
)


def looks_like_html(text: str) -> bool:
    """A document that starts like a web page (not prose that mentions a tag)."""
    return bool(_HTML_START.match(text[:1000]))


def _drop_chrome(tree: Any) -> None:
    for node in tree.css(_NEVER_CONTENT):
        node.decompose()
    for node in tree.css("[id], [class]"):
        name = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if _CHROME_NAME.search(name) and not _CONTENT_NAME.search(name):
            node.decompose()


def _main_node(tree: Any) -> Any:
    """The element that holds the page's text: the named content block with most text."""
    best = None
    best_len = 0
    for node in tree.css("article, main, [id], [class]"):
        name = f"{node.tag} {node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if node.tag not in ("article", "main") and not _CONTENT_NAME.search(name):
            continue
        size = len(node.text(strip=True))
        if size > best_len:
            best, best_len = node, size
    body = tree.body or tree.root
    # a named block is the content only if it holds most of the page's text
    if best is not None and body is not None and best_len >= 0.5 * len(body.text(strip=True)):
        return best
    return body


def _blocks(node: Any, out: list[str]) -> None:
    """The text under ``node``, a line break around each block element; iterative, so a
    page nested 100,000 levels deep is read like any other."""
    stack: list[Any] = [node.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, str):  # the marker closing a block
            out.append(child)
        elif child.tag == "-text":
            out.append(child.text_content or "")
        elif child.tag in _BLOCKS:
            out.append("\n")
            stack.append(_then(child.iter(include_text=True), "\n"))
        else:
            stack.append(child.iter(include_text=True))


def _then(children: Any, marker: str) -> Any:
    yield from children
    yield marker


def read_html(html: str) -> str | None:
    """The main text of a page, one block per line; None when selectolax is missing."""
    try:
        from selectolax.lexbor import LexborHTMLParser as HTMLParser
    except ImportError:
        return None
    tree = HTMLParser(html)
    title_node = tree.css_first("title")
    _drop_chrome(tree)
    main = _main_node(tree)
    if main is None:
        return ""
    out: list[str] = []
    _blocks(main, out)
    lines = [line.strip() for line in "".join(out).split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text and title_node is not None:
        return title_node.text(strip=True)
    return text
