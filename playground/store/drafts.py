"""The unsent chat text per (profile, thread), so a crash or restart loses nothing.

Each save is its own committed transaction in a WAL database, so whatever was saved before a
crash is there after it. Debouncing keystrokes is the UI's job; this module just writes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from pydantic import BaseModel, Field

from playground.store.db import Database

# The composer of a thread that does not exist yet (the first message creates it).
NEW_THREAD_KEY = ""


class Draft(BaseModel):
    """Saved composer state: text and attachment references (local paths or file ids)."""

    text: str
    attachments: list[str] = Field(default_factory=list)
    updated_at: float


class DraftStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(
        self, profile_id: str, thread_id: str | None, text: str, attachments: Sequence[str] = ()
    ) -> None:
        """Save the draft; an empty draft (no text, no attachments) is deleted instead."""
        key = thread_id or NEW_THREAD_KEY
        with self._db.connect() as conn:
            if not text and not attachments:
                conn.execute(
                    "DELETE FROM drafts WHERE profile_id = ? AND thread_key = ?", (profile_id, key)
                )
                return
            conn.execute(
                "INSERT INTO drafts (profile_id, thread_key, text, attachments, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(profile_id, thread_key) DO UPDATE SET "
                "text = excluded.text, attachments = excluded.attachments, "
                "updated_at = excluded.updated_at",
                (profile_id, key, text, json.dumps(list(attachments)), time.time()),
            )

    def load(self, profile_id: str, thread_id: str | None) -> Draft | None:
        key = thread_id or NEW_THREAD_KEY
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT text, attachments, updated_at FROM drafts "
                "WHERE profile_id = ? AND thread_key = ?",
                (profile_id, key),
            ).fetchone()
        if row is None:
            return None
        try:
            attachments = [str(a) for a in json.loads(row["attachments"])]
        except (ValueError, TypeError):
            attachments = []  # a damaged list must not cost the person their text
        return Draft(text=row["text"], attachments=attachments, updated_at=row["updated_at"])

    def clear(self, profile_id: str, thread_id: str | None) -> None:
        self.save(profile_id, thread_id, "", ())

    def move(self, profile_id: str, from_thread: str | None, to_thread: str) -> None:
        """Carry a new-thread draft over once the thread exists (replacing any draft there)."""
        src = from_thread or NEW_THREAD_KEY
        with self._db.connect() as conn:
            conn.execute(
                "DELETE FROM drafts WHERE profile_id = ? AND thread_key = ?",
                (profile_id, to_thread),
            )
            conn.execute(
                "UPDATE drafts SET thread_key = ? WHERE profile_id = ? AND thread_key = ?",
                (to_thread, profile_id, src),
            )
