"""Text extraction for every supported type, charsets, damaged files and size guards.

PDF and DOCX fixtures are generated here: DOCX with python-docx, PDF written by hand (a
minimal but valid PDF 1.4 with a Helvetica text stream per page and a correct xref table),
since pypdf cannot lay out text and reportlab is not installed.
"""

from __future__ import annotations

import codecs
import io
import json
import zipfile

import docx
import pypdf
import pytest

from playground.runtime.file_search import (
    ExtractionError,
    ExtractionLimits,
    FileTooLarge,
    UnsupportedFileType,
    extract_text,
)


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page."""
    count = len(pages)
    page_ids = [4 + 2 * i for i in range(count)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: (
            "<< /Type /Pages /Kids ["
            + " ".join(f"{pid} 0 R" for pid in page_ids)
            + f"] /Count {count} >>"
        ).encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for pid, text in zip(page_ids, pages, strict=True):
        stream = f"BT /F1 12 Tf 72 720 Td {_pdf_string(text)} Tj ET".encode("latin-1")
        objects[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>"
        ).encode()
        objects[pid + 1] = (
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("Revenue grew in the northern region.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Region"
    table.cell(0, 1).text = "Growth"
    table.cell(1, 0).text = "North"
    table.cell(1, 1).text = "12%"
    document.add_paragraph("Closing remarks follow the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- plain text and code -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "notes.txt", "README.md", "main.c", "main.cpp", "Main.java", "app.js", "app.ts",
        "script.py", "tool.rb", "index.php", "site.css", "paper.tex", "run.sh", "lib.go",
        "Program.cs", "config.yaml", "Makefile", "LICENSE",
    ],
)  # fmt: skip
def test_text_and_code_files_extract_as_written(name: str) -> None:
    source = "def answer():\n    return 42  # the ultimate answer\n"
    assert extract_text(name, source.encode()) == source


def test_windows_line_endings_are_normalised_and_control_characters_dropped() -> None:
    assert extract_text("a.txt", b"one\r\ntwo\rthree\x07\x1b") == "one\ntwo\nthree"


# -- charsets ------------------------------------------------------------------------------

SAMPLE = "Grüße aus Köln — naïve café ✓"


@pytest.mark.parametrize(
    "encoded",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"),
        SAMPLE.encode("utf-16"),  # Python writes a BOM in native order
    ],
)
def test_unicode_encodings_are_detected(encoded: bytes) -> None:
    assert extract_text("greeting.txt", encoded) == SAMPLE


def test_bomless_utf16_is_recognised() -> None:
    text = "Plain ASCII words stored as UTF-16 without a byte-order mark."
    assert extract_text("legacy.txt", text.encode("utf-16-le")) == text
    assert extract_text("legacy.txt", text.encode("utf-16-be")) == text


def test_invalid_utf8_falls_back_to_latin1() -> None:
    assert extract_text("old.txt", "Café crème".encode("latin-1")) == "Café crème"


def test_broken_bom_encoding_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="byte-order mark"):
        extract_text("bad.txt", codecs.BOM_UTF8 + b"ok \xff\xfe broken")


def test_text_named_file_with_binary_content_is_refused() -> None:
    with pytest.raises(ExtractionError, match="binary"):
        extract_text("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


# -- HTML and XML --------------------------------------------------------------------------


def test_html_keeps_visible_text_and_drops_scripts_styles_and_tags() -> None:
    page = b"""<!doctype html><html><head><title>Fox facts</title>
    <style>body { color: red }</style><script>var secret = "hidden";</script></head>
    <body><h1>Foxes</h1><p>The red fox&nbsp;is <b>clever</b> &amp; quick.</p>
    <noscript>enable js</noscript><ul><li>one</li><li>two</li></ul><br/>end</body></html>"""
    text = extract_text("page.html", page)
    assert "Fox facts" in text
    assert "The red fox\xa0is clever & quick." in text.replace(" \n", "\n")
    assert "one\n" in text and "two" in text and text.endswith("end")
    for hidden in ("color: red", "secret", "enable js", "<b>", "<p>"):
        assert hidden not in text


def test_html_meta_charset_is_honoured_when_utf8_fails() -> None:
    page = '<meta charset="windows-1252"><p>“Smart quotes” €5</p>'.encode("cp1252")
    assert extract_text("old.htm", page) == "“Smart quotes” €5"


def test_xml_text_is_extracted_one_element_per_line() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><catalog><book id="1"><title>Dune</title>'
        b"<author>Herbert</author></book></catalog>"
    )
    assert extract_text("books.xml", data) == "Dune\nHerbert"


def test_xml_entity_declarations_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>"
    )
    with pytest.raises(ExtractionError, match="entities"):
        extract_text("bomb.xml", bomb)


def test_malformed_xml_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="not well formed"):
        extract_text("broken.xml", b"<a><b></a>")


# -- JSON and CSV --------------------------------------------------------------------------


def test_json_is_validated_and_indexed_as_written() -> None:
    source = json.dumps({"product": "Widget", "tags": ["blue", "small"]})
    assert extract_text("data.json", source.encode()) == source


def test_invalid_json_is_an_extraction_error_with_position() -> None:
    with pytest.raises(ExtractionError, match="line 1, column"):
        extract_text("data.json", b'{"a": 1,,}')


def test_jsonl_checks_every_line() -> None:
    assert "beta" in extract_text("rows.jsonl", b'{"a": "alpha"}\n\n{"b": "beta"}\n')
    with pytest.raises(ExtractionError, match="Line 2"):
        extract_text("rows.jsonl", b'{"a": 1}\nnot json\n')


def test_csv_rows_carry_their_column_names() -> None:
    data = b"name,city,age\nAda,London,36\nAlan,,41\n"
    assert extract_text("people.csv", data) == (
        "name; city; age\nname: Ada; city: London; age: 36\nname: Alan; age: 41"
    )


def test_semicolon_csv_and_tsv_are_understood() -> None:
    assert extract_text("eu.csv", b"item;price\napple;1,20\n").endswith("item: apple; price: 1,20")
    assert extract_text("t.tsv", b"k\tv\nx\ty z\n").endswith("k: x; v: y z")


# -- PDF -----------------------------------------------------------------------------------


def test_pdf_text_is_extracted_page_by_page() -> None:
    text = extract_text("report.pdf", make_pdf(["Alpha page about foxes", "Beta page (two)"]))
    assert "Alpha page about foxes" in text
    assert "Beta page (two)" in text
    assert text.index("Alpha") < text.index("Beta")


def test_pdf_without_extension_is_sniffed() -> None:
    assert "Sniffed content" in extract_text("upload", make_pdf(["Sniffed content"]))


def test_damaged_pdf_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text("renamed.pdf", b"this is not a pdf at all")


def test_pdf_without_text_says_so() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionError, match="no extractable text"):
        extract_text("scan.pdf", buffer.getvalue())


def test_password_protected_pdf_is_refused() -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(["secret"]))))
    writer.encrypt(user_password="pw", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionError, match="password"):
        extract_text("locked.pdf", buffer.getvalue())


def test_pdf_page_limit_is_enforced() -> None:
    with pytest.raises(FileTooLarge, match="pages"):
        extract_text("long.pdf", make_pdf(["a", "b", "c"]), ExtractionLimits(max_pdf_pages=2))


# -- DOCX ----------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_reading_order() -> None:
    text = extract_text("report.docx", make_docx())
    lines = text.split("\n")
    assert lines == [
        "Quarterly report",
        "Revenue grew in the northern region.",
        "Region | Growth",
        "North | 12%",
        "Closing remarks follow the table.",
    ]


def test_docx_without_extension_is_sniffed() -> None:
    assert "Quarterly report" in extract_text("download", make_docx())


def test_damaged_docx_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="DOCX"):
        extract_text("broken.docx", b"PK\x03\x04 not really a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "no document inside")
    with pytest.raises(ExtractionError, match="DOCX"):
        extract_text("empty.docx", buffer.getvalue())


def test_docx_that_would_unpack_too_large_is_refused() -> None:
    with pytest.raises(FileTooLarge, match="unpack"):
        extract_text("big.docx", make_docx(), ExtractionLimits(max_unzipped_bytes=1000))


# -- unsupported types and size guards -----------------------------------------------------


@pytest.mark.parametrize("name", ["photo.png", "slides.pptx", "sheet.xlsx", "old.doc", "a.zip"])
def test_unsupported_types_are_refused_with_a_list_of_supported_ones(name: str) -> None:
    with pytest.raises(UnsupportedFileType, match="Supported types") as caught:
        extract_text(name, b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert name in str(caught.value)


def test_binary_content_under_an_unknown_name_is_unsupported() -> None:
    with pytest.raises(UnsupportedFileType, match="binary"):
        extract_text("blob.dat", bytes(range(256)))


def test_unknown_extension_with_text_content_is_read_as_text() -> None:
    assert extract_text("notes.rest", b"plain words") == "plain words"


def test_file_size_limit_is_enforced_before_reading() -> None:
    with pytest.raises(FileTooLarge, match="bytes"):
        extract_text("big.txt", b"x" * 101, ExtractionLimits(max_file_bytes=100))


def test_text_length_limit_is_enforced() -> None:
    with pytest.raises(FileTooLarge, match="characters"):
        extract_text("big.txt", b"word " * 100, ExtractionLimits(max_text_chars=50))


# -- isolated extraction (a limited child process) --------------------------------------------


def test_isolated_extraction_matches_in_process() -> None:
    from playground.runtime.file_search.isolated import extract_text_isolated
    from tests.helpers import bombs

    data = bombs.docx(3, text=b"caf\xc3\xa9 ol\xc3\xa9")
    limits = ExtractionLimits()
    assert extract_text_isolated("a.docx", data, limits) == extract_text("a.docx", data)
    with pytest.raises(UnsupportedFileType, match="not supported"):
        extract_text_isolated("photo.png", b"\x89PNG....", limits)
    with pytest.raises(ExtractionError, match="not well formed"):
        extract_text_isolated("broken.xml", b"<a><b></a>", limits)


def test_a_malformed_file_from_a_big_parent_is_not_called_a_memory_bomb() -> None:
    """The child's peak must be its own: Linux carries ``ru_maxrss`` across ``execve``, so a
    server (or test process) holding more than half the allowance made every parse error
    read as "needed more than N MB of memory"."""
    from playground.runtime.file_search.isolated import extract_text_isolated

    limits = ExtractionLimits(worker_memory_bytes=300 * 1024 * 1024)
    ballast = b"x" * (200 * 1024 * 1024)  # resident in this parent, over half the allowance
    try:
        with pytest.raises(ExtractionError, match="not well formed"):
            extract_text_isolated("broken.xml", b"<a><b></a>", limits)
    finally:
        del ballast


async def test_isolated_docx_bomb_hits_the_memory_limit() -> None:
    from playground.runtime.file_search.isolated import aextract_text_isolated
    from tests.helpers import bombs

    limits = ExtractionLimits(worker_memory_bytes=300 * 1024 * 1024)
    with pytest.raises(FileTooLarge, match="more than 300 MB of memory"):
        await aextract_text_isolated("bomb.docx", bombs.docx_bomb(100), limits)


def test_isolated_slow_document_is_stopped_at_the_time_limit() -> None:
    from playground.runtime.file_search.isolated import extract_text_isolated
    from tests.helpers import bombs

    limits = ExtractionLimits(worker_memory_bytes=4 * 1024**3, worker_seconds=1)
    with pytest.raises(FileTooLarge, match="seconds"):
        extract_text_isolated("bomb.docx", bombs.docx_bomb(100), limits)
