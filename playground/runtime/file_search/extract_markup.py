"""Text from HTML and XML.

HTML goes through the standard library's tolerant ``html.parser`` (real-world HTML is rarely
well formed), dropping scripts, styles and other non-content elements and putting line breaks
where block elements end, so chunk text reads like the rendered page. XML must be well formed
and is parsed with ElementTree after refusing entity declarations, which is how the
"billion laughs" expansion attack is stopped before it starts.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from .decoding import clean_text, decode_text, detect_bom
from .errors import ExtractionError

_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
        "td", "tfoot", "th", "thead", "title", "tr", "ul",
    }
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BLANK_RUNS = re.compile(r"[ \t\f\v]+")
_EXTRA_NEWLINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


class _TextCollector(HTMLParser):
    """Collects visible text; counts nesting of skipped elements so their bodies stay out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and friends: no body, so never enter a skipped region.
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS and tag not in _VOID:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def _tidy(text: str) -> str:
    """Collapse the whitespace markup leaves behind, keeping paragraph breaks."""
    lines = [_BLANK_RUNS.sub(" ", line).strip() for line in text.split("\n")]
    return _EXTRA_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(data: bytes) -> str:
    """Visible text of an HTML document."""
    declared = None
    if detect_bom(data) is None:
        match = _META_CHARSET.search(data[:4096])
        if match:
            declared = match.group(1).decode("ascii", "replace")
    source = decode_text(data, declared_charset=declared)
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    return _tidy(clean_text("".join(collector.parts)))


def xml_to_text(data: bytes) -> str:
    """Text content of a well-formed XML document, one element's text per line."""
    source = decode_text(data)
    if re.search(r"<!ENTITY", source, re.I):
        raise ExtractionError(
            "XML files that declare entities (<!ENTITY ...>) are not accepted, because entity "
            "expansion can be used to exhaust memory."
        )
    # The declaration may name an encoding we already decoded; ElementTree refuses str input
    # that still carries one, so strip it.
    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", source, count=1)
    try:
        root = ET.fromstring(source)
    except ET.ParseError as exc:
        raise ExtractionError(f"The XML file is not well formed: {exc}.") from exc
    pieces = (piece.strip() for piece in root.itertext())
    return "\n".join(piece for piece in pieces if piece)
