"""The chat's file links and inline images, without a server: parsing and the safe view."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from pytestqt.qtbot import QtBot

from playground.protocol import Message
from playground.ui.markdown import SafeTextBrowser, render_markdown
from playground.ui.viewmodels.chat_items import Footnote, item_from_message
from playground.ui.widgets.message_view import app_links_of, render_item


def _message(value: str, annotations: list[dict[str, object]], extra: list[dict]) -> Message:  # type: ignore[type-arg]
    return Message.model_validate(
        {
            "id": "msg_1",
            "role": "assistant",
            "content": [
                {"type": "text", "text": {"value": value, "annotations": annotations}},
                *extra,
            ],
        }
    )


def _file_path(text: str, value: str, file_id: str) -> dict[str, object]:
    start = value.index(text)
    return {
        "type": "file_path",
        "text": text,
        "start_index": start,
        "end_index": start + len(text),
        "file_path": {"file_id": file_id},
    }


def test_a_markdown_link_to_a_sandbox_file_keeps_its_text_and_gets_our_target() -> None:
    value = "Get it: [the CSV](sandbox:/mnt/data/out.csv) now."
    message = _message(value, [_file_path("sandbox:/mnt/data/out.csv", value, "file-c")], [])
    item = item_from_message(message)
    assert "[the CSV](playground:file/file-c) [[1]](#fn-1) now." in item.text
    assert item.footnotes == [Footnote(1, "file", "file-c", name="out.csv")]
    # The app wrote these links itself, so they are allowed (model text may not use them).
    html = render_markdown(item.text, app_links_of(item))
    assert 'href="playground:file/file-c"' in html and "the CSV" in html


def test_a_bare_sandbox_path_becomes_a_link_named_after_the_file() -> None:
    value = "Saved to sandbox:/mnt/data/a_[b]*.txt."
    message = _message(value, [_file_path("sandbox:/mnt/data/a_[b]*.txt", value, "file-t")], [])
    item = item_from_message(message)
    # The name's Markdown characters are escaped, so the link text is the name as it is.
    # The app wrote these links itself, so they are allowed (model text may not use them).
    html = render_markdown(item.text, app_links_of(item))
    assert 'href="playground:file/file-t"' in html
    assert ">a_[b]*.txt</a>" in html


def test_image_parts_become_thumbnail_slots_not_text() -> None:
    message = _message("A plot:", [], [{"type": "image_file", "image_file": {"file_id": "file-i"}}])
    item = item_from_message(message)
    assert item.images == ["file-i"] and "file-i" not in item.text
    # With nothing known about outputs yet, the image is named, never fetched by the view.
    html = render_item(item)
    assert "[image file-i]" in html and "<img" not in html


def test_file_footnotes_link_to_the_file() -> None:
    value = "x sandbox:/mnt/data/r.csv"
    item = item_from_message(
        _message(value, [_file_path("sandbox:/mnt/data/r.csv", value, "f")], [])
    )
    html = render_item(item)
    assert 'href="playground:file/f"' in html and ">r.csv</a>" in html


def test_the_view_shows_only_images_handed_to_it(qtbot: QtBot) -> None:
    view = SafeTextBrowser()
    qtbot.addWidget(view)
    thumb = QImage(20, 10, QImage.Format.Format_RGB32)
    thumb.fill(QColor("red"))
    view.set_local_images({"file-1": thumb})
    view.setHtml(
        '<img src="chat-thumb:file-1"> <img src="chat-thumb:file-unknown">'
        ' <img src="https://evil.example/p.png"> <img src="file:///etc/passwd">'
    )
    view.resize(300, 200)
    view.grab()  # lay out: images are asked for now
    served = view.document().resource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("chat-thumb:file-1")
    )
    assert isinstance(served, QImage) and served.width() == 20
    refused = set(view.refused_resources)
    assert "https://evil.example/p.png" in refused and "file:///etc/passwd" in refused
    assert "chat-thumb:file-unknown" in refused
    assert "chat-thumb:file-1" not in refused
