"""Pick an extractor for an uploaded file and return its text.

The file name's extension decides, as it does on the hosted service. A name with no
extension or an unfamiliar one is sniffed instead: PDF and DOCX by their signatures, and
anything else that decodes as text with no binary bytes is read as plain text, so
``Makefile``, ``LICENSE`` or ``notes.rest`` still work. Known binary formats that no
installed library reads (images, legacy Office, PPTX/XLSX) are refused with the list of
types that are supported.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import PurePath

from .decoding import decode_text, detect_bom, looks_binary
from .errors import ExtractionError, FileTooLarge, UnsupportedFileType
from .extract_documents import docx_to_text, pdf_to_text
from .extract_markup import html_to_text, xml_to_text
from .extract_structured import delimited_to_text, json_to_text, jsonl_to_text
from .limits import DEFAULT_LIMITS, ExtractionLimits

Extractor = Callable[[bytes, ExtractionLimits], str]

_PLAIN_TEXT = frozenset(
    """
    txt text md markdown mdx rst adoc asciidoc org log srt vtt diff patch
    c h cc cpp cxx c++ hpp hh hxx cs java kt kts scala groovy gradle go rs swift m mm
    js mjs cjs jsx ts tsx vue svelte py pyi pyw ipynb rb php pl pm lua r jl dart ex exs erl hs
    ml fs clj sql css scss sass less tex bib sty cls sh bash zsh fish ps1 psm1 bat cmd
    yaml yml toml ini cfg conf properties env dockerfile makefile mk cmake proto graphql
    """.split()
)
_HTML = frozenset({"html", "htm", "xhtml", "shtml"})
_XML = frozenset({"xml", "xsd", "xsl", "xslt", "rss", "atom", "plist", "opml"})

_NOT_READABLE = frozenset(
    """
    doc dot xls xlsx xlsm ppt pptx odt ods odp rtf epub pages key numbers
    png jpg jpeg gif bmp tif tiff webp heic ico svg psd
    mp3 wav flac ogg m4a mp4 mov avi mkv webm
    zip gz tgz bz2 xz 7z rar tar exe dll so dylib bin class jar o a pyc wasm sqlite db
    """.split()
)


def _plain(data: bytes, limits: ExtractionLimits) -> str:
    if looks_binary(data):
        raise ExtractionError(
            "The file's name says text, but its content is binary (it contains NUL bytes)."
        )
    return decode_text(data)


def _extractors() -> dict[str, Extractor]:
    table: dict[str, Extractor] = dict.fromkeys(_PLAIN_TEXT, _plain)
    table.update(dict.fromkeys(_HTML, lambda data, _limits: html_to_text(data)))
    table.update(dict.fromkeys(_XML, lambda data, _limits: xml_to_text(data)))
    table["json"] = table["geojson"] = lambda data, _limits: json_to_text(data)
    table["jsonl"] = table["ndjson"] = lambda data, _limits: jsonl_to_text(data)
    table["csv"] = lambda data, _limits: delimited_to_text(data, default_delimiter=",")
    table["tsv"] = lambda data, _limits: delimited_to_text(data, default_delimiter="\t")
    table["pdf"] = pdf_to_text
    table["docx"] = docx_to_text
    return table


EXTRACTORS: dict[str, Extractor] = _extractors()


def supported_extensions() -> list[str]:
    """Every extension that has an extractor, sorted (for messages and documentation)."""
    return sorted(EXTRACTORS)


def _extension(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.lower()
    if "." not in name.strip("."):
        return ""
    return name.rsplit(".", 1)[1]


def _unsupported(filename: str, reason: str) -> UnsupportedFileType:
    common = (
        "pdf, docx, txt, md, html, json, csv, xml and source code (py, js, ts, java, c, cpp, …)"
    )
    return UnsupportedFileType(
        f"File search cannot read {filename!r}: {reason}. Supported types: {common}."
    )


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _sniff(filename: str, data: bytes) -> Extractor:
    """Choose an extractor from the content when the name does not say."""
    if data.lstrip()[:5].startswith(b"%PDF"):
        return EXTRACTORS["pdf"]
    if _is_docx(data):
        return EXTRACTORS["docx"]
    if looks_binary(data):
        raise _unsupported(filename, "its content is binary and of no type file search reads")
    if detect_bom(data) is None:
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the sample boundary is still text.
            if exc.start < 65536 - 4:
                raise _unsupported(
                    filename, "its content is neither UTF-8 text nor a known format"
                ) from exc
    return _plain


def extract_text(filename: str, data: bytes, limits: ExtractionLimits = DEFAULT_LIMITS) -> str:
    """Return the searchable text of the file called ``filename`` with contents ``data``.

    Raises :class:`UnsupportedFileType` for types file search does not read,
    :class:`ExtractionError` for damaged files and :class:`FileTooLarge` beyond the limits.
    """
    if len(data) > limits.max_file_bytes:
        raise FileTooLarge(
            f"{filename!r} is {len(data)} bytes; file search reads files up to "
            f"{limits.max_file_bytes} bytes."
        )
    extension = _extension(filename)
    if extension in _NOT_READABLE:
        raise _unsupported(filename, f"the .{extension} format is not supported")
    extractor = EXTRACTORS.get(extension) or _sniff(filename, data)
    text = extractor(data, limits)
    if len(text) > limits.max_text_chars:
        raise FileTooLarge(
            f"{filename!r} holds {len(text)} characters of text; the limit is {limits.max_text_chars}."
        )
    return text


__all__ = ["ExtractionError", "Extractor", "extract_text", "supported_extensions"]
