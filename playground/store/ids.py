"""Checks for ids typed or pasted by a person (thread ids, assistant ids, file ids)."""

from __future__ import annotations

import re

from playground.store.errors import InvalidInputError

# Server ids are short ASCII tokens (``thread_abc123``, ``asst-...``); anything else is a typo.
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,199}$")


def check_id(value: str, what: str = "id") -> str:
    """Return the trimmed id, or raise ``InvalidInputError`` saying what is wrong with it."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInputError(f"The {what} is empty.")
    if not _ID_RE.match(text):
        raise InvalidInputError(
            f"“{text[:60]}” does not look like a {what}: use only letters, digits, '_', '-' or '.'."
        )
    return text
