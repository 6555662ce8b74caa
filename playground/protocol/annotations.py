"""Text annotations: citations and file paths inside a message's text part."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Tag

from .base import WireModel
from .unions import UNKNOWN_TAG, type_discriminator


class FileCitation(WireModel):
    """A file_search source; ``quote`` only in v1 and Azure's TypeSpec."""

    file_id: str = ""
    quote: str | None = None


class FilePathRef(WireModel):
    """A file the code interpreter wrote (download via ``/files/{id}/content``)."""

    file_id: str = ""


class UrlCitation(WireModel):
    """A web source (Foundry Bing grounding)."""

    url: str = ""
    title: str | None = None


class _TextSpan(WireModel):
    """``text`` is the literal substring of the value; end index is exclusive."""

    text: str = ""
    start_index: int | None = None
    end_index: int | None = None


class FileCitationAnnotation(_TextSpan):
    type: Literal["file_citation"] = "file_citation"
    file_citation: FileCitation


class FilePathAnnotation(_TextSpan):
    type: Literal["file_path"] = "file_path"
    file_path: FilePathRef


class UrlCitationAnnotation(_TextSpan):
    type: Literal["url_citation"] = "url_citation"
    url_citation: UrlCitation


class UnknownAnnotation(WireModel):
    """An annotation type this version does not know; every field is kept."""

    type: str | None = None


ANNOTATION_TYPES = ("file_citation", "file_path", "url_citation")

Annotation = Annotated[
    Annotated[FileCitationAnnotation, Tag("file_citation")]
    | Annotated[FilePathAnnotation, Tag("file_path")]
    | Annotated[UrlCitationAnnotation, Tag("url_citation")]
    | Annotated[UnknownAnnotation, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(ANNOTATION_TYPES)),
]
