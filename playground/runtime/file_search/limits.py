"""Size guards for extraction and indexing.

They follow the hosted service's published limits where one exists (512 MB per file,
5 million tokens per file) and otherwise bound the work a hostile file can cause: a
zip bomb disguised as DOCX, a PDF with a million empty pages. The worker limits bound what
the parsers themselves may use (see :mod:`.isolated`): a document whose text fits the other
limits can still explode inside a parser.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExtractionLimits:
    """Ceilings checked before and during extraction; exceeding one raises ``FileTooLarge``."""

    max_file_bytes: int = 512 * 1024 * 1024
    max_text_chars: int = 50_000_000
    max_file_tokens: int = 5_000_000
    max_unzipped_bytes: int = 256 * 1024 * 1024
    max_pdf_pages: int = 5_000
    #: Address-space limit of the extraction child (RLIMIT_AS).
    worker_memory_bytes: int = 1024 * 1024 * 1024
    #: CPU-time limit of the extraction child, and its wall-clock limit as well.
    worker_seconds: float = 120.0


DEFAULT_LIMITS = ExtractionLimits()
