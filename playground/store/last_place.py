"""Where the person was, per connection profile: the thread and the assistant.

The window reopens there at start and after a reconnect, so a restart never lands on an
empty "New thread" with no assistant. Kept in the ``settings`` table (one JSON row per
profile); no thread content is stored here.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ValidationError

from playground.store.db import Database

_KEY_PREFIX = "last_place:"


class Place(BaseModel):
    """A thread id (None: a new, not yet created thread) and the assistant chosen there."""

    thread_id: str | None = None
    assistant_id: str | None = None


class LastPlaceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def remember(self, profile_id: str, place: Place) -> None:
        with self._db.connect() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (_KEY_PREFIX + profile_id, place.model_dump_json()),
            )

    def recall(self, profile_id: str) -> Place | None:
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = ?", (_KEY_PREFIX + profile_id,)
            ).fetchone()
        if row is None:
            return None
        try:
            return Place.model_validate(json.loads(row["value"]))
        except (ValueError, ValidationError):
            return None  # an unreadable row: start fresh rather than fail

    def forget(self, profile_id: str) -> None:
        with self._db.connect() as conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (_KEY_PREFIX + profile_id,))
