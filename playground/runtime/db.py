"""The SQLite connection: WAL mode, one connection, every call off the event loop.

All objects live in one table (``objects``) as JSON plus the few indexed columns that
lookups and ordering need. ``seq`` (insertion order) is the list order: it sorts like
``created_at`` but never ties, which makes cursors exact.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    parent     TEXT    NOT NULL DEFAULT '',
    id         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    status     TEXT,
    data       TEXT    NOT NULL,
    UNIQUE (kind, parent, id)
);
CREATE INDEX IF NOT EXISTS objects_by_id ON objects (kind, id);
CREATE INDEX IF NOT EXISTS objects_by_parent ON objects (kind, parent, seq);
CREATE INDEX IF NOT EXISTS objects_by_status ON objects (kind, status);
"""


class Database:
    """One SQLite connection guarded by a lock; ``call`` runs work in a worker thread.

    A single connection with a lock serialises writers (SQLite allows one anyway) and
    keeps transactions simple; WAL lets other processes read meanwhile.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(SCHEMA)

    async def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(conn)`` in a worker thread inside one transaction."""
        return await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    def close(self) -> None:
        with self._lock:
            self._conn.close()
