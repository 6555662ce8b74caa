"""The file-search exception tree.

Callers (the vector-store routes and the run engine) turn these into a vector store file's
``last_error`` or an HTTP 400, so every message is written for a person to read.
"""

from __future__ import annotations


class FileSearchError(Exception):
    """Base of every error raised by the file-search package."""


class UnsupportedFileType(FileSearchError):
    """The file's type is not one file search can read (maps to ``unsupported_file``)."""


class ExtractionError(FileSearchError):
    """The file claims a supported type but its content could not be read (``invalid_file``)."""


class FileTooLarge(ExtractionError):
    """The file or its text exceeds a size guard; reading it would cost too much memory or time."""


class InvalidChunking(FileSearchError, ValueError):
    """A chunking strategy outside the ranges the API allows.

    ``param`` names the offending request field so a route can fill the error body's ``param``.
    """

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


class InvalidSearch(FileSearchError, ValueError):
    """Search arguments outside their allowed ranges (e.g. ``max_results`` below 1)."""
