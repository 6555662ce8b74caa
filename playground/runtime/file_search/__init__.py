"""File search for the embedded runtime: text extraction, chunking and an FTS5/bm25 index.

The routes extract and index uploaded files into vector stores; the run engine calls
:meth:`SearchIndex.search` when the model uses the ``file_search`` tool.
"""

from __future__ import annotations

from .chunking import (
    DEFAULT_MAX_CHUNK_TOKENS,
    DEFAULT_OVERLAP_TOKENS,
    MAX_CHUNK_TOKENS,
    MIN_CHUNK_TOKENS,
    Chunk,
    chunk_text,
    validate_chunking,
)
from .errors import (
    ExtractionError,
    FileSearchError,
    FileTooLarge,
    InvalidChunking,
    InvalidSearch,
    UnsupportedFileType,
)
from .extract import extract_text, supported_extensions
from .index import IndexedFile, SearchHit, SearchIndex
from .limits import DEFAULT_LIMITS, ExtractionLimits
from .tokens import count_tokens

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_CHUNK_TOKENS",
    "DEFAULT_OVERLAP_TOKENS",
    "MAX_CHUNK_TOKENS",
    "MIN_CHUNK_TOKENS",
    "Chunk",
    "ExtractionError",
    "ExtractionLimits",
    "FileSearchError",
    "FileTooLarge",
    "IndexedFile",
    "InvalidChunking",
    "InvalidSearch",
    "SearchHit",
    "SearchIndex",
    "UnsupportedFileType",
    "chunk_text",
    "count_tokens",
    "extract_text",
    "supported_extensions",
    "validate_chunking",
]
