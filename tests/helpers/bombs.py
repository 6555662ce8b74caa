"""Hostile files built on the fly (never stored in the repo): documents that explode when parsed."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
)
_TAIL = b"</w:body></w:document>"
_PARAGRAPH = b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p>"


def docx(paragraphs: int, text: bytes = b"bomb") -> bytes:
    """A valid DOCX whose body holds ``paragraphs`` short paragraphs of ``text``.

    Millions of tiny elements compress about 1000:1 but cost a DOM parser hundreds of bytes
    each, which is what makes a few hundred kilobytes of DOCX a memory bomb.
    """
    paragraph = _PARAGRAPH.replace(b"bomb", text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w") as document:
            document.write(_HEAD)
            block = paragraph * 10_000
            for _ in range(paragraphs // 10_000):
                document.write(block)
            document.write(paragraph * (paragraphs % 10_000))
            document.write(_TAIL)
    return buffer.getvalue()


def docx_bomb(xml_megabytes: int = 240) -> bytes:
    """About 730 KB of DOCX holding ``xml_megabytes`` MB of XML (the issue's example)."""
    return docx(xml_megabytes * 1024 * 1024 // len(_PARAGRAPH))
