"""Approximate token counting without a model-specific tokenizer.

The API speaks of chunk sizes in model tokens, but the runtime must work with any model, so
it cannot depend on one vocabulary. We approximate with a regular-expression split that
tracks the shape of BPE tokenizers such as cl100k:

* a run of letters counts as one token per started 8 characters (most English words are one
  token, long words several),
* digits count in groups of up to 3 (BPE vocabularies split numbers that way),
* every other non-space character (punctuation, symbols, emoji) is a token on its own,
* whitespace is free (BPE folds it into the following token).

For English prose this lands within roughly 0.75x-1.1x of cl100k counts, which is close
enough for chunk sizing; nothing else depends on exact counts.
"""

from __future__ import annotations

import re
from array import array

TOKEN_PATTERN = re.compile(r"[^\W\d]{1,8}|\d{1,3}|[^\w\s]")


def count_tokens(text: str) -> int:
    """Return the approximate number of model tokens in ``text``."""
    return sum(1 for _ in TOKEN_PATTERN.finditer(text))


def token_spans(text: str) -> tuple[array[int], array[int]]:
    """Return the start and end character offsets of every approximate token.

    Two compact integer arrays rather than a list of tuples: a 5 MB document has about a
    million tokens, and tuples would cost an order of magnitude more memory.
    """
    starts: array[int] = array("q")
    ends: array[int] = array("q")
    for match in TOKEN_PATTERN.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends
