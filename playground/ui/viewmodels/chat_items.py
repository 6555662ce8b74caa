"""The chat's bubbles: a protocol ``Message`` turned into what the message view shows.

Text parts are joined; annotations become numbered footnotes (``[n]`` links to ``#fn-n``);
a ``file_path`` span becomes an in-app link the chat handles (download, then Save As);
images are listed for thumbnails; every server string that ends up in Markdown is escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import assert_never
from urllib.parse import quote

from playground.protocol import (
    Annotation,
    FileCitationAnnotation,
    FilePathAnnotation,
    ImageFileContent,
    ImageUrlContent,
    Message,
    RefusalContent,
    TextContent,
    UnknownAnnotation,
    UnknownContent,
    UrlCitationAnnotation,
)
from playground.ui.markdown import escape_markdown
from playground.ui.viewmodels.output_refs import sandbox_name


@dataclass
class Footnote:
    """One annotation shown under a message: ``[n] kind: file / quote / url``."""

    number: int
    kind: str
    target: str
    quote: str = ""
    #: A file's name as the message gives it (``sandbox:/mnt/data/<name>``), for file links.
    name: str = ""


@dataclass
class ChatItem:
    """One bubble: a message, or a line about a run's outcome (``role="notice"``)."""

    key: str
    role: str
    text: str
    footnotes: list[Footnote] = field(default_factory=list)
    status: str = ""
    run_id: str | None = None
    images: list[str] = field(default_factory=list)
    #: Attached files as the chat shows them: names once known, ids until then.
    attachments: list[str] = field(default_factory=list)
    #: The attached files' ids, in the same order as ``attachments``.
    attachment_ids: list[str] = field(default_factory=list)
    #: Notices: "error" (failed/expired/incomplete) or "info" (cancelled).
    tone: str = ""


#: In-app link targets the message view handles (``playground:file/<id>`` and friends).
FILE_LINK = "playground:file/"
IMAGE_LINK = "playground:image/"
FOLDER_LINK = "playground:folder/"


def _annotate(text: str, annotations: list[Annotation], offset: int) -> tuple[str, list[Footnote]]:
    """Replace each annotated span by a footnote marker ``[n]`` (a link to ``#fn-n``).

    A ``file_path`` span (``sandbox:/mnt/data/x.csv``) becomes a link the chat handles
    (download, then Save As): inside a Markdown link only the target is swapped, so the
    model's link text stays; a bare path becomes a link named after the file.
    """
    notes: list[Footnote] = []
    spans: list[tuple[int, int, int, str]] = []  # start, end, number, file id for file_path
    for ann in annotations or []:
        number = offset + len(notes) + 1
        file_id = ""
        match ann:
            case FileCitationAnnotation():
                citation = ann.file_citation
                notes.append(
                    Footnote(number, "file citation", citation.file_id, citation.quote or "")
                )
            case FilePathAnnotation():
                file_id = ann.file_path.file_id
                name = sandbox_name(ann.text, file_id)
                notes.append(Footnote(number, "file", file_id, name=name))
            case UrlCitationAnnotation():
                link = ann.url_citation
                notes.append(Footnote(number, "link", link.url, link.title or ""))
            case UnknownAnnotation():
                notes.append(Footnote(number, str(ann.type or "annotation"), ""))
            case _:
                assert_never(ann)
        # Unknown annotations may still carry a span (extra fields are kept).
        span_text = str(getattr(ann, "text", "") or "")
        start, end = getattr(ann, "start_index", None), getattr(ann, "end_index", None)
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
            spans.append((start, end, number, file_id))
        elif span_text and span_text in text:
            at = text.index(span_text)
            spans.append((at, at + len(span_text), number, file_id))
        else:
            spans.append((len(text), len(text), number, ""))
    by_number = {note.number: note for note in notes}
    # Replace from the end so earlier indices stay valid.
    for start, end, number, file_id in sorted(spans, reverse=True):
        marker = f" [[{number}]](#fn-{number})"
        if not file_id:
            text = f"{text[:start]}{marker}{text[end:]}"
            continue
        target = FILE_LINK + quote(file_id, safe="")
        if text[max(0, start - 2) : start] == "](" and text[end : end + 1] == ")":
            text = f"{text[:start]}{target}){marker}{text[end + 1 :]}"
        else:
            label = _escape_link_text(by_number[number].name)
            text = f"{text[:start]}[{label}]({target}){marker}{text[end:]}"
    return text, notes


def _escape_link_text(name: str) -> str:
    """A file name as Markdown link text (brackets and emphasis characters escaped)."""
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", name)


def item_from_message(message: Message) -> ChatItem:
    """A protocol ``Message`` as a bubble: text parts joined, annotations → footnote links."""
    parts: list[str] = []
    footnotes: list[Footnote] = []
    images: list[str] = []
    for part in message.content or []:
        match part:
            case TextContent():
                value, notes = _annotate(part.text.value, part.text.annotations, len(footnotes))
                parts.append(value)
                footnotes.extend(notes)
            case ImageFileContent():
                # Shown as a thumbnail under the text (the view renders ``images``).
                images.append(part.image_file.file_id)
            case ImageUrlContent():
                # The address is server text: escaped, so it can never become a link or markup.
                url = escape_markdown(str(part.image_url.url))
                parts.append(f"*\\[image at {url}, not loaded\\]*")
            case RefusalContent():
                parts.append(f"*The model refused:* {part.refusal}")
            case UnknownContent():
                kind = escape_markdown(str(part.type or "unknown"))
                parts.append(f"*\\[{kind} content not shown\\]*")
            case _:
                assert_never(part)
    attachments = [a.file_id for a in (message.attachments or [])]
    return ChatItem(
        key=message.id,
        role=str(message.role),
        text="\n\n".join(parts),
        footnotes=footnotes,
        status=str(message.status or ""),
        run_id=message.run_id,
        images=images,
        attachments=list(attachments),
        attachment_ids=attachments,
    )
