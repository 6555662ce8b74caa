"""Text from PDF (pypdf) and DOCX (python-docx).

Both libraries raise a zoo of exception types on damaged input (their own, plus ``KeyError``,
``ValueError``, ``zlib.error`` and friends from deep inside), so each entry point catches
broadly and re-raises one :class:`ExtractionError` with a plain message: a damaged upload
must fail its vector-store file, never the server.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from typing import Any

from .decoding import clean_text
from .errors import ExtractionError, FileTooLarge
from .limits import ExtractionLimits

# pypdf logs every recoverable oddity of real-world PDFs as a warning; that is noise here.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_to_text(data: bytes, limits: ExtractionLimits) -> str:
    """Text of every page, pages separated by a blank line."""
    import pypdf  # imported lazily: the server starts faster without it

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ExtractionError("The file does not look like a PDF (it lacks the %PDF header).")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("The PDF is password-protected; file search cannot read it.")
        page_count = len(reader.pages)
        if page_count > limits.max_pdf_pages:
            raise FileTooLarge(
                f"The PDF has {page_count} pages; file search reads at most {limits.max_pdf_pages}."
            )
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > limits.max_text_chars:
                raise FileTooLarge(
                    f"The PDF holds more than {limits.max_text_chars} characters of text."
                )
            pages.append(clean_text(text).strip())
    except (ExtractionError, MemoryError):
        raise
    except Exception as exc:  # damaged PDFs surface as many different exception types
        raise ExtractionError(f"The PDF could not be read; it may be damaged ({exc}).") from exc
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise ExtractionError(
            "The PDF contains no extractable text (it may consist of scanned images)."
        )
    return text


def _check_zip(data: bytes, limits: ExtractionLimits, kind: str) -> None:
    """Refuse archives that are not zips or would inflate beyond the limit (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"The {kind} file is damaged or not a {kind} file ({exc}).") from exc
    if inflated > limits.max_unzipped_bytes:
        raise FileTooLarge(
            f"The {kind} file would unpack to {inflated} bytes; the limit is "
            f"{limits.max_unzipped_bytes}."
        )


def _table_rows(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # Merged cells repeat the same object across the span; keep one copy.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            yield " | ".join(cells)


def docx_to_text(data: bytes, limits: ExtractionLimits) -> str:
    """Paragraphs and table rows of the document body, in reading order."""
    _check_zip(data, limits, "DOCX")
    import docx  # imported lazily: the server starts faster without it
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
            else:
                lines.append(block.text)
    except MemoryError:
        raise  # the isolated worker reports it as the memory limit, not as damage
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors, …
        raise ExtractionError(
            f"The DOCX file could not be read; it may be damaged ({exc})."
        ) from exc
    return clean_text("\n".join(lines)).strip()
