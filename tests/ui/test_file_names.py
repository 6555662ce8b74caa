"""Cited and attached file names: each id is asked about once per connection, in batches."""

from __future__ import annotations

from playground.ui.viewmodels.chat_items import ChatItem, Footnote
from playground.ui.viewmodels.file_names import MAX_NAME_LOOKUPS, FileNames


def bubble(key: str, cited: list[str], attached: list[str]) -> ChatItem:
    notes = [Footnote(n, "file citation", f) for n, f in enumerate(cited, 1)]
    notes.append(Footnote(len(notes) + 1, "link", "https://example.com"))
    return ChatItem(key, "assistant", "text", notes, attachments=attached, attachment_ids=attached)


def test_each_id_is_asked_once_and_links_are_not_files() -> None:
    names = FileNames()
    items = [bubble("m1", ["file-a", "file-b"], ["file-c"]), bubble("m2", ["file-a"], [])]
    assert names.to_ask(items) == ["file-a", "file-b", "file-c"]
    assert names.to_ask(items) == []
    names.clear()  # another connection: the same ids are other files
    assert names.to_ask(items) == ["file-a", "file-b", "file-c"]


def test_a_long_thread_is_asked_about_a_batch_at_a_time() -> None:
    names = FileNames()
    ids = [f"file-{n}" for n in range(MAX_NAME_LOOKUPS + 5)]
    items = [bubble("m", ids, [])]
    assert names.to_ask(items) == ids[:MAX_NAME_LOOKUPS]
    assert names.to_ask(items) == ids[MAX_NAME_LOOKUPS:]


def test_uploaded_files_are_named_without_asking() -> None:
    names = FileNames()
    names.remember("file-up", "notes.txt")
    names.update({"file-c": "data.csv"})
    item = names.named(bubble("m", [], ["file-up", "file-c", "file-x"]))
    assert item.attachments == ["notes.txt", "data.csv", "file-x"]
    assert item.attachment_ids == ["file-up", "file-c", "file-x"]
    assert "file-up" not in names.to_ask([item])
