"""Rendering hostile or huge message content, without a server (issue 14's renderer items)."""

from __future__ import annotations

from playground.protocol import Message
from playground.ui.markdown import (
    LONG_RUN_CHARS,
    break_long_runs,
    escape_markdown,
    render_markdown,
)
from playground.ui.viewmodels.chat_items import ChatItem, Footnote, item_from_message
from playground.ui.widgets.message_view import (
    MAX_SHOWN_LINES,
    SHOW_ALL_LINK,
    render_body,
    render_item,
    shown_text,
)


def test_model_text_cannot_use_the_apps_own_link_scheme() -> None:
    out = render_markdown(
        "[get it](playground:file/file-big) <playground:image/x> [ok](https://a.example/)"
    )
    assert 'href="playground:' not in out
    assert "get it" in out  # the label stays, as plain text
    assert 'href="https://a.example/"' in out


def test_a_link_the_app_wrote_survives_but_not_a_copy_to_another_file() -> None:
    item = ChatItem(
        key="m",
        role="assistant",
        text="[r.csv](playground:file/file-r) and [sneaky](playground:file/file-other)",
        footnotes=[Footnote(1, "file", "file-r", name="r.csv")],
    )
    body = render_body(item)
    assert 'href="playground:file/file-r"' in body
    assert "playground:file/file-other" not in body


def test_image_url_content_is_escaped_not_pasted_as_markdown() -> None:
    url = "https://x.example/a.png) [click](playground:file/file-big) ![t](https://evil/p.png"
    message = Message.model_validate(
        {
            "id": "msg_u",
            "role": "assistant",
            "content": [{"type": "image_url", "image_url": {"url": url}}],
        }
    )
    item = item_from_message(message)
    html = render_body(item)
    assert "href=" not in html and "<img" not in html
    assert "not loaded" in html and "x.example/a.png) [click](playground:file" in html


def test_escape_markdown_keeps_the_characters() -> None:
    assert render_markdown(escape_markdown("*a* [b](c) `d`")) == "<p>*a* [b](c) `d`</p>\n"


def test_writing_is_shown_only_while_the_view_says_so() -> None:
    item = ChatItem(key="m", role="assistant", text="partial", status="in_progress")
    assert "(writing…)" in render_item(item)
    assert "(writing…)" not in render_item(item, writing=False)


def test_huge_content_is_cut_with_show_all() -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(200_000)) + "\n```"
    cut, was_cut = shown_text(code)
    assert was_cut and cut.count("\n") <= MAX_SHOWN_LINES + 1
    assert cut.endswith("```")  # the open fence is closed
    body = render_body(ChatItem(key="big", role="assistant", text=code))
    assert f'href="{SHOW_ALL_LINK}big"' in body
    assert "x10" in body
    assert "x199999" not in body
    short, was_cut = shown_text("just a line")
    assert short == "just a line" and not was_cut


def test_a_giant_word_gets_break_opportunities() -> None:
    word = "a" * 400_000
    broken = break_long_runs(f"start {word} end")
    assert broken.replace("\u200b", "") == f"start {word} end"
    assert max(len(run) for run in broken.split("\u200b")) <= LONG_RUN_CHARS
    cut, was_cut = shown_text(word)
    assert was_cut and len(cut) <= 20_000
