"""Safe Markdown → HTML for assistant messages, and the text view that shows it.

Message text comes from a model, which may echo anything a user or a web page put in front of
it, so it is treated as hostile: raw HTML is escaped (markdown-it ``html=False``), links are
kept only for http(s), mailto and in-page anchors, images are never turned into ``<img>`` (a
remote image is a tracking beacon; it becomes a plain link instead), and the view that shows
the result refuses to load any resource that is not already in memory.
Code blocks are highlighted by pygments with inline styles, because QTextBrowser understands
only a subset of CSS and no stylesheets classes from ``<style>`` blocks reliably.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTextBrowser, QWidget

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: Our own scheme for in-app links (footnote markers, file links the chat resolves).
APP_SCHEME = "playground"
#: Private scheme of images the app itself hands to a view (thumbnails already decoded).
LOCAL_IMAGE_SCHEME = "chat-thumb"
_CODE_STYLE = "default"


def is_safe_link(url: str) -> bool:
    """Whether a link target may appear in rendered text."""
    url = url.strip()
    if not url:
        return False
    if url.startswith("#"):
        return True
    scheme = urlsplit(url).scheme.lower()
    return scheme in SAFE_LINK_SCHEMES or scheme == APP_SCHEME


def _highlight(code: str, lang: str, _attrs: str) -> str:
    # Imported lazily: pygments' lexer registry costs start-up time we do not need until a
    # code block appears.
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(lang.strip()) if lang.strip() else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style=_CODE_STYLE)
    body = highlight(code, lexer, formatter)
    return (
        f'<pre style="background-color:#f6f8fa; padding:6px; font-family:monospace;">{body}</pre>\n'
    )


def _render_image(
    renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Never an <img>: show the alt text, and the address as a link when it is a safe one.
    token = tokens[idx]
    alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
    src = str(token.attrGet("src") or "")
    label = f"[image: {alt}]" if alt else "[image]"
    if is_safe_link(src):
        return f'<a href="{html.escape(src, quote=True)}">{label}</a>'
    return label


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.options["highlight"] = _highlight
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    md.add_render_rule("image", _render_image)
    return md


def render_markdown(text: str) -> str:
    """Markdown text → an HTML fragment safe to show in :class:`SafeTextBrowser`."""
    try:
        return _parser().render(text)
    except Exception:  # a parser bug must not lose the message: show it as plain text
        return f"<pre>{html.escape(text)}</pre>"


def render_plain(text: str) -> str:
    """Text shown verbatim (user messages keep their exact characters)."""
    escaped = html.escape(text).replace("\n", "<br>")
    return f"<p>{escaped}</p>"


class SafeTextBrowser(QTextBrowser):
    """A QTextBrowser that never fetches anything and never follows links by itself.

    Clicks are reported through ``link_activated(QUrl)``; whoever listens decides (open http(s)
    in the system browser, handle ``playground:`` links in the app).
    """

    link_activated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        #: Resource URLs the view was asked for and refused (tests check nothing leaks).
        self.refused_resources: list[str] = []
        self._local_images: dict[str, QImage] = {}

    def set_local_images(self, images: dict[str, QImage]) -> None:
        """The in-memory images ``<img src="chat-thumb:…">`` may show (all others refused).

        Keys are the part after the scheme. Set before ``setHtml`` so the layout finds them.
        """
        self._local_images = dict(images)

    def loadResource(self, type_: int, name: QUrl | str) -> Any:
        # Only images the app handed over (already decoded, in memory) are served; anything
        # else — http, file, relative paths — is refused, so nothing is fetched or read.
        url = name if isinstance(name, QUrl) else QUrl(name)
        if url.scheme() == LOCAL_IMAGE_SCHEME:
            image = self._local_images.get(url.path())
            if image is not None:
                return image
        self.refused_resources.append(url.toString())
        return None

    def set_markdown(self, text: str) -> None:
        self.setHtml(render_markdown(text))

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if is_safe_link(url.toString()):
            self.link_activated.emit(url)
