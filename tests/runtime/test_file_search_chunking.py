"""Token approximation and static chunking: sizes, overlap, coverage and range checks."""

from __future__ import annotations

import pytest

from playground.runtime.file_search import (
    InvalidChunking,
    chunk_text,
    count_tokens,
    validate_chunking,
)
from playground.runtime.file_search.tokens import TOKEN_PATTERN


def letter_name(number: int) -> str:
    """A distinct all-letter word per number (one approximate token each)."""
    name = ""
    while True:
        number, digit = divmod(number, 26)
        name = chr(ord("a") + digit) + name
        if not number:
            return "w" + name


def numbered_words(count: int) -> str:
    return " ".join(letter_name(i) for i in range(count))


def tokens_of(text: str) -> list[str]:
    return [match.group(0) for match in TOKEN_PATTERN.finditer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("hello world.", 3),
        ("12345", 2),  # digits in groups of three
        ("internationalization", 3),  # 20 letters: one token per started 8
        ("a+b=c", 5),
        ("naïve café", 2),
        ("🙂🙂", 2),
    ],
)
def test_count_tokens_follows_the_documented_approximation(text: str, expected: int) -> None:
    assert count_tokens(text) == expected


@pytest.mark.parametrize(
    ("max_tokens", "overlap", "param_end"),
    [
        (99, 0, "max_chunk_size_tokens"),
        (4097, 0, "max_chunk_size_tokens"),
        (800, 401, "chunk_overlap_tokens"),
        (800, -1, "chunk_overlap_tokens"),
        (True, 0, "max_chunk_size_tokens"),
        (800, 1.5, "chunk_overlap_tokens"),
    ],
)
def test_out_of_range_strategies_are_refused_with_the_field_named(
    max_tokens: int, overlap: int, param_end: str
) -> None:
    with pytest.raises(InvalidChunking) as caught:
        validate_chunking(max_tokens, overlap)
    assert caught.value.param.endswith(param_end)
    assert str(caught.value)  # a message a person can read


@pytest.mark.parametrize(("max_tokens", "overlap"), [(100, 0), (100, 50), (4096, 2048), (800, 400)])
def test_boundary_strategies_are_accepted(max_tokens: int, overlap: int) -> None:
    validate_chunking(max_tokens, overlap)
    assert chunk_text("x", max_chunk_tokens=max_tokens, overlap_tokens=overlap)[0].text == "x"


def test_empty_or_blank_text_has_no_chunks() -> None:
    assert chunk_text("") == []
    assert chunk_text("  \n\n  ") == []


def test_short_text_is_one_chunk_without_surrounding_whitespace() -> None:
    chunks = chunk_text("\n  Hello, world!  \n")
    assert [(c.index, c.text, c.token_count) for c in chunks] == [(0, "Hello, world!", 4)]


@pytest.mark.parametrize(("max_tokens", "overlap"), [(100, 50), (100, 0), (250, 100), (800, 400)])
def test_windows_respect_size_and_share_exactly_the_overlap(max_tokens: int, overlap: int) -> None:
    text = numbered_words(1234)  # every word is one token, so positions are checkable
    chunks = chunk_text(text, max_chunk_tokens=max_tokens, overlap_tokens=overlap)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    step = max_tokens - overlap
    all_tokens = tokens_of(text)
    for position, chunk in enumerate(chunks):
        tokens = tokens_of(chunk.text)
        assert len(tokens) == chunk.token_count <= max_tokens
        start = position * step
        assert tokens == all_tokens[start : start + max_tokens]
        if position + 1 < len(chunks):
            following = tokens_of(chunks[position + 1].text)
            assert tokens[len(tokens) - overlap :] == following[:overlap]
    # The last window reaches the end and no window is wasted on a pure tail repeat.
    last_word = letter_name(1233)
    assert tokens_of(chunks[-1].text)[-1] == last_word
    if len(chunks) > 1:
        assert tokens_of(chunks[-2].text)[-1] != last_word


def test_chunk_text_keeps_original_whitespace_and_line_breaks() -> None:
    text = "Line one.\n\nLine  two,\tindented."
    assert chunk_text(text)[0].text == text


def test_chunk_text_validates_its_arguments() -> None:
    with pytest.raises(InvalidChunking):
        chunk_text("words", max_chunk_tokens=50, overlap_tokens=0)
