"""HTML mail bodies as plain text, with the line structure a reader sees.

Block elements and ``<br>`` end lines, table cells are separated by a tab, ``<script>`` and
``<style>`` are dropped, entities are unescaped, and a link's address follows its text in angle
brackets (portal mails often carry the property URL only in ``href``).

A small forward-only tokenizer instead of ``html.parser``: on this Python the standard parser is
quadratic on unclosed ``<a`` or ``<!--`` runs, which a hostile mail can use to stall ingestion.
Each character is scanned a bounded number of times here.
"""

from __future__ import annotations

import html
import re

MAX_HTML_CHARS = 5_000_000

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_HIDDEN = frozenset({"script", "style", "template", "title", "noscript"})
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9:-]*)")
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_TRAILING = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")
_HIDDEN_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _HIDDEN}


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pre = 0
        self.links: list[tuple[str | None, int]] = []
        self.cell_open = False

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def data(self, raw: str) -> None:
        text = html.unescape(raw)
        if not self.pre:
            text = _SPACES.sub(" ", text)
            if not self.parts or self.parts[-1].endswith(("\n", "\t", " ")):
                text = text.lstrip(" ")
        if text:
            self.parts.append(text)

    def start(self, tag: str, source: str) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            if self.cell_open and self.parts and not self.parts[-1].endswith("\n"):
                self.parts.append("\t")
            self.cell_open = True
        elif tag == "a" and not source.endswith("/>"):
            match = _HREF.search(source)
            href = html.unescape(next(g for g in match.groups() if g is not None)) if match else None
            self.links.append((href, len(self.parts)))
        elif tag in _BLOCKS:
            self.newline()
            self.pre += tag == "pre"
            self.cell_open = self.cell_open and tag != "tr"

    def end(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href and href.startswith(("http://", "https://")) and href not in label:
                self.parts.append(f" <{href}>" if label else href)
        elif tag in _BLOCKS:
            self.newline()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)


def html_to_text(source: str) -> tuple[str, str | None]:
    """Plain text for an HTML body: (text, warning or None)."""
    warning = None
    if len(source) > MAX_HTML_CHARS:
        source = source[:MAX_HTML_CHARS]
        warning = f"HTML body longer than {MAX_HTML_CHARS} characters; only the start converted to text"
    out = _Text()
    pos, size = 0, len(source)
    while pos < size:
        lt = source.find("<", pos)
        if lt < 0:
            out.data(source[pos:])
            break
        if lt > pos:
            out.data(source[pos:lt])
        if source.startswith("<!--", lt):
            close = source.find("-->", lt + 4)
            pos = size if close < 0 else close + 3
            continue
        gt = source.find(">", lt + 1)
        if gt < 0:
            out.data(source[lt:])
            break
        match = _TAG_NAME.match(source, lt, gt)
        if match is None:  # "<!DOCTYPE", "<?xml", or a lone "<" in text
            if source[lt + 1 : lt + 2] not in ("!", "?"):
                out.data(source[lt : lt + 1])
                pos = lt + 1
                continue
            pos = gt + 1
            continue
        tag = match.group(1).lower()
        closing = source[lt + 1] == "/"
        pos = gt + 1
        if closing:
            out.end(tag)
        elif tag in _HIDDEN:
            end = _HIDDEN_END[tag].search(source, pos)
            pos = size if end is None else end.end()
        else:
            out.start(tag, source[lt : gt + 1])
    text = _TRAILING.sub("\n", "".join(out.parts).replace("\xa0", " "))
    text = _BLANK_LINES.sub("\n\n", text).strip("\n").rstrip()
    return (text + "\n" if text else ""), warning
