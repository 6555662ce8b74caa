"""Safe Markdown → HTML for assistant messages, and the text view that shows it.

Message text comes from a model, which may echo anything a user or a web page put in front of
it, so it is treated as hostile: raw HTML is escaped (markdown-it ``html=False``), links are
kept only for http(s), mailto and in-page anchors, images are never turned into ``<img>`` (a
remote image is a tracking beacon; it becomes a plain link instead), and the view that shows
the result refuses to load any resource that is not already in memory.
Code blocks are highlighted by pygments with inline styles, because QTextBrowser understands
only a subset of CSS and no stylesheets classes from ``<style>`` blocks reliably.

Long code lines: one QTextDocument cannot scroll a single block sideways (a ``<pre>`` wider
than the view widens the whole document, so the entire conversation scrolled), and wrapping
a 2,000-character line turns it into a wall of twenty. So where the caller can open a block
on its own (``code_link``), a code line longer than ``CODE_LINE_CHARS`` is cut with "…" and
the block gets a "Show the whole block…" link; the chat opens the exact code in a plain
viewer that scrolls sideways, selects and copies. Shorter lines still wrap inside their block
(``white-space: pre-wrap``) in a window too narrow for them, never widening the chat.

The app's own link scheme (``playground:``) triggers downloads and other actions, so model
text may not use it: a ``playground:`` link survives only when the caller lists it in
``app_links`` (the links the app itself wrote into the text, e.g. for ``file_path``
annotations). The pygments formatter and lexers are built once and reused.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QImage, QTextDocument
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
#: Code blocks longer than this are shown escaped but not highlighted (pygments is linear but
#: slow, ~1 s per 100 KB on the Qt thread).
MAX_HIGHLIGHT_CHARS = 20_000
#: Runs of non-space characters longer than this get invisible break opportunities: Qt's
#: line breaker is quadratic in the length of an unbreakable word (400,000 characters took
#: 17.7 s). High enough that ordinary long URLs in links stay intact (the view breaks long
#: words anywhere when it wraps, so this is about speed, not looks).
LONG_RUN_CHARS = 1000
_LONG_RUN = re.compile(r"\S{" + str(LONG_RUN_CHARS + 1) + ",}")
_ZERO_WIDTH_SPACE = "\u200b"
#: Code lines longer than this are cut in the chat (the whole block opens in a viewer).
CODE_LINE_CHARS = 100
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def is_safe_link(url: str) -> bool:
    """Whether a link target may appear in rendered text."""
    url = url.strip()
    if not url:
        return False
    if url.startswith("#"):
        return True
    scheme = urlsplit(url).scheme.lower()
    return scheme in SAFE_LINK_SCHEMES or scheme == APP_SCHEME


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=True, style=_CODE_STYLE)


@lru_cache(maxsize=64)
def _lexer(lang: str) -> Any:
    # Imported lazily: pygments' lexer registry costs start-up time we do not need until a
    # code block appears (``warm_up`` loads it while the window is idle).
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        return TextLexer()


def _plain_code(code: str, _lang: str, _attrs: str) -> str:
    return _code_block(html.escape(code))


@lru_cache(maxsize=512)
def _highlight(code: str, lang: str, _attrs: str) -> str:
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return _plain_code(code, lang, _attrs)
    from pygments import highlight

    return _code_block(highlight(code, _lexer(lang.strip().lower()), _formatter()))


def _code_block(body: str) -> str:
    return (
        '<pre style="background-color:#f6f8fa; padding:6px; font-family:monospace;'
        f' white-space:pre-wrap;">{body}</pre>\n'
    )


def elide_code_lines(code: str, columns: int = CODE_LINE_CHARS) -> tuple[str, bool]:
    """``code`` with each line longer than ``columns`` cut with "…"; whether any was."""
    columns = max(2, columns)
    lines = code.split("\n")
    if all(len(line) <= columns for line in lines):
        return code, False
    code = code.replace(_ZERO_WIDTH_SPACE, "")  # only ever there to speed up wrapping
    shown = [
        line if len(line) <= columns else line[: columns - 1] + "…" for line in code.split("\n")
    ]
    return "\n".join(shown), True


@lru_cache(maxsize=1024)
def longest_code_line(text: str) -> int:
    """The length of the longest line in any code block of Markdown ``text`` (0: no code)."""
    if "```" not in text and "~~~" not in text and "    " not in text and "\t" not in text:
        return 0
    return max((len(line) for block in code_blocks(text) for line in block.split("\n")), default=0)


def _render_code(
    renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Fences and indented blocks, numbered in document order (as ``code_blocks`` counts).
    from markdown_it.renderer import RendererHTML

    token = tokens[idx]
    number = env.get("code_block_count", 0)
    env["code_block_count"] = number + 1
    link = env.get("code_link")
    cut = False
    if link:
        columns = int(env.get("code_columns") or CODE_LINE_CHARS)
        token.content, cut = elide_code_lines(token.content, columns)
    if token.type == "fence":  # highlighted (or plain) by the ``highlight`` option
        out = str(RendererHTML.fence(renderer, tokens, idx, options, env))
    else:  # an indented block: the same wrapping box, never wider than the view
        out = _code_block(html.escape(token.content))
    if cut:
        href = html.escape(f"{link}{number}", quote=True)
        out += (
            '<p style="margin:0 0 6px 0; color:#555555;"><i>Long lines are cut here.</i> '
            f'<a href="{href}">Show the whole block…</a></p>\n'
        )
    return out


def code_blocks(text: str) -> list[str]:
    """The code blocks of Markdown ``text``, exactly as written, in document order."""
    tokens = _parser(False).parse(text, {})
    return [t.content for t in tokens if t.type in ("fence", "code_block")]


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


@lru_cache(maxsize=2)
def _parser(highlight: bool = True) -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # While a message streams in, its code is shown plain: highlighting a growing block on
    # every delta was most of the cost of a stream; the finished message is highlighted once.
    md.options["highlight"] = _highlight if highlight else _plain_code
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    md.add_render_rule("image", _render_image)
    md.add_render_rule("fence", _render_code)
    md.add_render_rule("code_block", _render_code)
    return md


def _drop_foreign_app_links(tokens: list[Token], app_links: frozenset[str]) -> None:
    """Turn ``playground:`` links the app did not write into plain text (their label stays)."""
    for token in tokens:
        children = token.children
        if not children:
            continue
        keep: list[Token] = []
        dropping = 0
        for child in children:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if dropping or (_is_app_link(href) and href not in app_links):
                    dropping += 1
                    continue
            elif child.type == "link_close" and dropping:
                dropping -= 1
                continue
            keep.append(child)
        token.children = keep


def _is_app_link(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() == APP_SCHEME


def render_markdown(
    text: str,
    app_links: frozenset[str] = frozenset(),
    *,
    highlight: bool = True,
    code_link: str = "",
    code_columns: int = CODE_LINE_CHARS,
) -> str:
    """Markdown text → an HTML fragment safe to show in :class:`SafeTextBrowser`.

    ``app_links``: the ``playground:`` targets the app itself put into ``text``; any other
    link of that scheme is shown as its label only. ``highlight=False``: code stays plain
    (a message still streaming). ``code_link``: a block with over-long lines shows them cut
    and links to ``code_link`` + its number in :func:`code_blocks` (the caller opens it);
    ``code_columns``: how many characters of a code line fit (the view's width).
    """
    try:
        md = _parser(highlight)
        env: dict[str, Any] = {"code_link": code_link, "code_columns": code_columns}
        tokens = md.parse(text, env)
        _drop_foreign_app_links(tokens, app_links)
        return str(md.renderer.render(tokens, md.options, env))
    except Exception:  # a parser bug must not lose the message: show it as plain text
        return f'<pre style="white-space:pre-wrap;">{html.escape(text)}</pre>'


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally (every ASCII punctuation escaped, one line)."""
    flat = " ".join(text.split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)


def break_long_runs(text: str) -> str:
    """Give very long words break opportunities (zero-width spaces) so wrapping stays linear."""

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        step = LONG_RUN_CHARS // 2
        return _ZERO_WIDTH_SPACE.join(run[i : i + step] for i in range(0, len(run), step))

    return _LONG_RUN.sub(split, text)


def warm_up() -> None:
    """Import and build the parser, formatter and a common lexer (call while idle)."""
    _parser(True)
    _parser(False)
    _formatter()
    _lexer("python")
    render_markdown("*warm* `up`\n\n```python\nx = 1\n```")


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

    def set_local_image(self, key: str, image: QImage) -> None:
        """Add or replace one in-memory image (a thumbnail that just arrived)."""
        self._local_images[key] = image
        url = QUrl(f"{LOCAL_IMAGE_SCHEME}:{key}")
        self.document().addResource(QTextDocument.ResourceType.ImageResource.value, url, image)

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
