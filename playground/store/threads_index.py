"""The local list of threads, per profile.

The Assistants API cannot list threads, so the playground remembers the ones it created or
opened by id. Deleting marks the entry (``deleted``) so a thread deleted on the server is not
silently resurrected, while ``remove`` forgets it entirely.

It also remembers which message each run of a thread answers (``anchor_run``): the chat puts
a run's "cancelled/failed/expired" line after that message when the thread is reloaded, and
the run's own metadata stays the user's.
"""

from __future__ import annotations

import sqlite3
import time

from pydantic import BaseModel

from playground.store.db import Database
from playground.store.errors import MissingRecordError
from playground.store.ids import check_id


class ThreadEntry(BaseModel):
    """One remembered thread."""

    profile_id: str
    thread_id: str
    title: str = ""
    assistant_id: str | None = None
    created_at: float
    last_used_at: float
    deleted: bool = False

    @property
    def display_title(self) -> str:
        """What a list shows: the title, or the id when the thread has none yet."""
        return self.title or self.thread_id


def _entry(row: sqlite3.Row) -> ThreadEntry:
    return ThreadEntry(
        profile_id=row["profile_id"],
        thread_id=row["thread_id"],
        title=row["title"],
        assistant_id=row["assistant_id"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        deleted=bool(row["deleted"]),
    )


class ThreadIndex:
    """Add, list, rename, touch and delete remembered threads."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        profile_id: str,
        thread_id: str,
        *,
        title: str = "",
        assistant_id: str | None = None,
        created_at: float | None = None,
    ) -> ThreadEntry:
        """Remember a thread (created here or opened by id). Adding a known one revives and
        touches it, keeping its title unless a new one is given."""
        thread_id = check_id(thread_id, "thread id")
        now = time.time()
        with self._db.connect() as conn:
            conn.execute(
                "INSERT INTO threads (profile_id, thread_id, title, assistant_id, created_at,"
                " last_used_at, deleted) VALUES (?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT(profile_id, thread_id) DO UPDATE SET"
                " title = CASE WHEN excluded.title != '' THEN excluded.title ELSE title END,"
                " assistant_id = COALESCE(excluded.assistant_id, assistant_id),"
                " last_used_at = excluded.last_used_at, deleted = 0",
                (profile_id, thread_id, title.strip(), assistant_id, created_at or now, now),
            )
            row = conn.execute(
                "SELECT * FROM threads WHERE profile_id = ? AND thread_id = ?",
                (profile_id, thread_id),
            ).fetchone()
        return _entry(row)

    def get(self, profile_id: str, thread_id: str) -> ThreadEntry | None:
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT * FROM threads WHERE profile_id = ? AND thread_id = ?",
                (profile_id, thread_id),
            ).fetchone()
        return _entry(row) if row else None

    def list_threads(self, profile_id: str, *, include_deleted: bool = False) -> list[ThreadEntry]:
        """Most recently used first."""
        sql = "SELECT * FROM threads WHERE profile_id = ?"
        if not include_deleted:
            sql += " AND deleted = 0"
        sql += " ORDER BY last_used_at DESC, rowid DESC"
        with self._db.connect() as conn:
            rows = conn.execute(sql, (profile_id,)).fetchall()
        return [_entry(r) for r in rows]

    def rename(self, profile_id: str, thread_id: str, title: str) -> ThreadEntry:
        self._update(profile_id, thread_id, "title = ?", (title.strip(),))
        return self._require(profile_id, thread_id)

    def set_assistant(self, profile_id: str, thread_id: str, assistant_id: str | None) -> None:
        self._update(profile_id, thread_id, "assistant_id = ?", (assistant_id,))

    def touch(self, profile_id: str, thread_id: str) -> None:
        """Mark the thread as just used, so it sorts first."""
        self._update(profile_id, thread_id, "last_used_at = ?", (time.time(),))

    def mark_deleted(self, profile_id: str, thread_id: str) -> None:
        self._update(profile_id, thread_id, "deleted = 1", ())

    def anchor_run(self, profile_id: str, thread_id: str, run_id: str, message_id: str) -> None:
        """Remember that ``run_id`` answers ``message_id`` (the thread need not be listed)."""
        with self._db.connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO run_anchors (profile_id, thread_id, run_id, message_id)"
                " VALUES (?, ?, ?, ?)",
                (profile_id, thread_id, run_id, message_id),
            )

    def run_anchors(self, profile_id: str, thread_id: str) -> dict[str, str]:
        """Run id → the message it answers, for the runs of ``thread_id`` started here."""
        with self._db.connect() as conn:
            rows = conn.execute(
                "SELECT run_id, message_id FROM run_anchors WHERE profile_id = ? AND thread_id = ?",
                (profile_id, thread_id),
            ).fetchall()
        return {row["run_id"]: row["message_id"] for row in rows}

    def remove(self, profile_id: str, thread_id: str) -> None:
        """Forget the thread, its draft and its runs' anchors."""
        with self._db.connect() as conn:
            conn.execute(
                "DELETE FROM run_anchors WHERE profile_id = ? AND thread_id = ?",
                (profile_id, thread_id),
            )
            conn.execute(
                "DELETE FROM threads WHERE profile_id = ? AND thread_id = ?",
                (profile_id, thread_id),
            )
            conn.execute(
                "DELETE FROM drafts WHERE profile_id = ? AND thread_key = ?",
                (profile_id, thread_id),
            )

    def _update(
        self, profile_id: str, thread_id: str, assignment: str, params: tuple[object, ...]
    ) -> None:
        with self._db.connect() as conn:
            cur = conn.execute(
                f"UPDATE threads SET {assignment} WHERE profile_id = ? AND thread_id = ?",
                (*params, profile_id, thread_id),
            )
            if cur.rowcount == 0:
                raise MissingRecordError(f"The thread {thread_id} is not in the local list.")

    def _require(self, profile_id: str, thread_id: str) -> ThreadEntry:
        entry = self.get(profile_id, thread_id)
        if entry is None:
            raise MissingRecordError(f"The thread {thread_id} is not in the local list.")
        return entry
