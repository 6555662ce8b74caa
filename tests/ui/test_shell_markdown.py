"""The safe Markdown renderer and the text view that never fetches anything."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from playground.ui.markdown import SafeTextBrowser, is_safe_link, render_markdown


def test_raw_html_and_script_are_escaped() -> None:
    out = render_markdown("hello <script>alert(1)</script> <b onclick='x()'>b</b>")
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "<b onclick" not in out


def test_only_safe_links_survive() -> None:
    out = render_markdown(
        "[bad](javascript:alert(1)) [file](file:///etc/passwd) [ok](https://example.com/a)"
    )
    assert 'href="https://example.com/a"' in out
    assert "javascript:" not in out.split("[bad]")[0]  # not turned into an anchor
    assert 'href="javascript' not in out
    assert 'href="file:' not in out


def test_images_never_become_img_tags() -> None:
    out = render_markdown(
        "![tracker](https://evil.example/pixel.png) ![local](data:image/png;base64,AAAA)"
    )
    assert "<img" not in out
    assert "[image: tracker]" in out
    assert 'href="https://evil.example/pixel.png"' in out
    assert 'href="data:' not in out  # an unsafe source stays literal text


def test_code_blocks_are_highlighted_with_inline_styles() -> None:
    out = render_markdown("```python\ndef f():\n    return 1\n```")
    assert "<pre" in out
    assert "style=" in out and "<span" in out
    assert "def" in out


def test_unknown_language_still_renders_code() -> None:
    out = render_markdown("```no-such-language\n<tag> & stuff\n```")
    assert "&lt;tag&gt; &amp; stuff" in out


def test_is_safe_link() -> None:
    assert is_safe_link("#fn-1")
    assert is_safe_link("https://a.b/c")
    assert is_safe_link("mailto:x@y.z")
    assert not is_safe_link("javascript:alert(1)")
    assert not is_safe_link("file:///etc/passwd")
    assert not is_safe_link("")


def test_browser_refuses_every_resource(qtbot: QtBot) -> None:
    view = SafeTextBrowser()
    qtbot.addWidget(view)
    # Even if HTML with an <img> reached the view, it fetches nothing.
    view.setHtml('<p>x</p><img src="http://127.0.0.1:9/beacon.png"><img src="secret.png">')
    view.resize(300, 200)
    view.grab()  # layout and paint, which is when images are requested
    assert any("beacon.png" in r for r in view.refused_resources)
    assert view.loadResource(2, QUrl("https://example.com/x.png")) is None


def test_browser_reports_only_safe_link_clicks(qtbot: QtBot) -> None:
    view = SafeTextBrowser()
    qtbot.addWidget(view)
    seen: list[str] = []
    view.link_activated.connect(lambda url: seen.append(url.toString()))
    view.anchorClicked.emit(QUrl("javascript:alert(1)"))
    view.anchorClicked.emit(QUrl("https://example.com"))
    assert seen == ["https://example.com"]
