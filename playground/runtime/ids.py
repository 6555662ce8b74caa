"""Object identifiers: a type prefix plus random characters, like OpenAI's."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

PREFIXES = {
    "assistant": "asst_",
    "thread": "thread_",
    "message": "msg_",
    "run": "run_",
    "step": "step_",
    "call": "call_",
    "file": "file-",
    "vector_store": "vs_",
    "file_batch": "vsfb_",
}


def new_id(kind: str) -> str:
    """A fresh id for ``kind`` (a key of PREFIXES); 24 random characters keep collisions moot."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(24))
    return PREFIXES[kind] + suffix
