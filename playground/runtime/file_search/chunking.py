"""Split extracted text into overlapping chunks measured in approximate tokens.

This is the API's ``static`` chunking strategy: fixed windows of ``max_chunk_tokens`` that
advance by ``max_chunk_tokens - overlap_tokens``, so neighbouring chunks share
``overlap_tokens`` tokens and a passage cut by one boundary is whole in the next chunk.
Chunk text is sliced from the original string, keeping its whitespace and line breaks.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidChunking
from .tokens import token_spans

DEFAULT_MAX_CHUNK_TOKENS = 800
DEFAULT_OVERLAP_TOKENS = 400
MIN_CHUNK_TOKENS = 100
MAX_CHUNK_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class Chunk:
    """One window of a document: its position, its text and its approximate token count."""

    index: int
    text: str
    token_count: int


def validate_chunking(max_chunk_tokens: int, overlap_tokens: int) -> None:
    """Raise :class:`InvalidChunking` unless the values satisfy the spec's static strategy.

    The spec: ``max_chunk_size_tokens`` in 100..4096, ``chunk_overlap_tokens`` not above half
    of it (and, implicitly, not negative).
    """
    if isinstance(max_chunk_tokens, bool) or not isinstance(max_chunk_tokens, int):
        raise InvalidChunking(
            "max_chunk_size_tokens must be an integer.",
            "chunking_strategy.static.max_chunk_size_tokens",
        )
    if isinstance(overlap_tokens, bool) or not isinstance(overlap_tokens, int):
        raise InvalidChunking(
            "chunk_overlap_tokens must be an integer.",
            "chunking_strategy.static.chunk_overlap_tokens",
        )
    if not MIN_CHUNK_TOKENS <= max_chunk_tokens <= MAX_CHUNK_TOKENS:
        raise InvalidChunking(
            f"max_chunk_size_tokens must be between {MIN_CHUNK_TOKENS} and {MAX_CHUNK_TOKENS}; "
            f"got {max_chunk_tokens}.",
            "chunking_strategy.static.max_chunk_size_tokens",
        )
    if overlap_tokens < 0:
        raise InvalidChunking(
            f"chunk_overlap_tokens must not be negative; got {overlap_tokens}.",
            "chunking_strategy.static.chunk_overlap_tokens",
        )
    if overlap_tokens * 2 > max_chunk_tokens:
        raise InvalidChunking(
            "chunk_overlap_tokens must not exceed half of max_chunk_size_tokens; "
            f"got {overlap_tokens} with max_chunk_size_tokens {max_chunk_tokens}.",
            "chunking_strategy.static.chunk_overlap_tokens",
        )


def chunk_text(
    text: str,
    *,
    max_chunk_tokens: int = DEFAULT_MAX_CHUNK_TOKENS,
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
) -> list[Chunk]:
    """Cut ``text`` into windows of at most ``max_chunk_tokens`` approximate tokens.

    Text with no tokens (empty or only whitespace) yields no chunks. The last window is the
    one that reaches the final token, so no window is a pure subset of the one before it.
    """
    validate_chunking(max_chunk_tokens, overlap_tokens)
    starts, ends = token_spans(text)
    total = len(starts)
    chunks: list[Chunk] = []
    step = max_chunk_tokens - overlap_tokens
    first = 0
    while first < total:
        last = min(first + max_chunk_tokens, total)
        chunks.append(
            Chunk(
                index=len(chunks),
                text=text[starts[first] : ends[last - 1]],
                token_count=last - first,
            )
        )
        if last == total:
            break
        first += step
    return chunks
