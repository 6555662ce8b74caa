"""The SQLite database behind the store.

One file, opened with a fresh connection per operation: the UI calls the store from worker
threads, and a connection per call is the simplest way to be thread-safe with SQLite (each
connection is used by one thread only; SQLite's own locking serialises writers). WAL with
``synchronous=NORMAL`` makes each committed write durable against an application crash, which
is what drafts need.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playground.store.errors import StoreError

# Bump and append a step when the schema changes; steps run in order inside one transaction.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE threads (
        profile_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        assistant_id TEXT,
        created_at REAL NOT NULL,
        last_used_at REAL NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (profile_id, thread_id)
    );
    CREATE INDEX threads_by_use ON threads (profile_id, last_used_at DESC);
    CREATE TABLE drafts (
        profile_id TEXT NOT NULL,
        thread_key TEXT NOT NULL,
        text TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]',
        updated_at REAL NOT NULL,
        PRIMARY KEY (profile_id, thread_key)
    );
    CREATE TABLE outputs (
        profile_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        filename TEXT NOT NULL,
        relpath TEXT NOT NULL,
        mime_type TEXT,
        size INTEGER NOT NULL,
        fetched_at REAL NOT NULL,
        PRIMARY KEY (profile_id, file_id)
    );
    CREATE TABLE function_modes (
        profile_id TEXT NOT NULL,
        assistant_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (profile_id, assistant_id, function_name)
    );
    """,
    # Which message each run answers, so its "cancelled/failed" line goes back after it on
    # reload. Kept here, not in the run's metadata, which belongs to the user (16 pairs).
    """
    CREATE TABLE run_anchors (
        profile_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (profile_id, thread_id, run_id)
    );
    """,
)


class Database:
    """A handle on the store's SQLite file. Cheap to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._migrate_lock = threading.Lock()
        self._migrated = False

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one transaction: committed on success, rolled back on error."""
        self._ensure_schema()
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"The local database {self.path} could not be used: {exc}") from exc
        finally:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is implicit.
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"The local database {self.path} could not be opened: {exc}") from exc
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _ensure_schema(self) -> None:
        if self._migrated:
            return
        with self._migrate_lock:
            if self._migrated:
                return
            conn = self._open()
            try:
                conn.execute("BEGIN IMMEDIATE")
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version > len(_MIGRATIONS):
                    conn.execute("ROLLBACK")
                    raise StoreError(
                        f"The local database {self.path} was written by a newer version of the "
                        "playground; update the app or move that file away."
                    )
                for step in _MIGRATIONS[version:]:
                    for statement in step.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                conn.execute(f"PRAGMA user_version={len(_MIGRATIONS)}")
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    f"The local database {self.path} is damaged or not a database: {exc}"
                ) from exc
            finally:
                conn.close()
            self._migrated = True
