"""The SQLite connection: WAL mode, one connection; scans off the event loop.

All objects live in one table (``objects``) as JSON plus the few indexed columns that
lookups and ordering need. ``seq`` (insertion order) is the list order: it sorts like
``created_at`` but never ties, which makes cursors exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .disk_reserve import RESERVE_NAME, SpaceReserve
from .errors import DiskFull, is_disk_full

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
    """One SQLite connection guarded by a lock.

    A single connection with a lock serialises writers (SQLite allows one anyway) and
    keeps transactions simple; WAL lets other processes read meanwhile.

    Point operations (one row by key) finish in tens of microseconds, while handing work
    to a worker thread and back costs about a millisecond of wake-ups and GIL hand-offs;
    so ``call(..., quick=True)`` runs such work on the calling thread when the lock is
    free, and falls back to the worker thread when it is not, so the event loop never
    waits on the lock. Scans of unbounded size always go to the worker thread.
    Automatic WAL checkpoints are off because one would run inside whichever commit
    crossed the threshold (maybe a quick one, on the event loop) and fsync there;
    ``call`` instead schedules a passive checkpoint in the worker thread every
    ``CHECKPOINT_EVERY`` write transactions.

    Reads (``write=False``) skip BEGIN/COMMIT: holding the lock already keeps this
    process's writers out for the whole read, and only this process writes the file.
    """

    CHECKPOINT_EVERY = 500

    def __init__(self, path: Path, *, reserve_bytes: int = 0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._reserve = SpaceReserve(path.parent / RESERVE_NAME, reserve_bytes)
        self._reserve.fill()  # best effort: a disk full already at start has no reserve
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._writes_since_checkpoint = 0
        self._checkpoints: set[asyncio.Task[None]] = set()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.execute("PRAGMA wal_autocheckpoint=0")
            self._conn.executescript(SCHEMA)

    async def call(
        self,
        work: Callable[[sqlite3.Connection], T],
        *,
        quick: bool = False,
        write: bool = True,
        frees_space: bool = False,
    ) -> T:
        """Run ``work(conn)``, inside one transaction when it ``write``s.

        ``quick=True`` promises the work touches a handful of rows by key; it then runs
        right here when the connection is free (see the class docstring).
        A write that fails for lack of disk space raises :class:`DiskFull`; one that
        ``frees_space`` (a delete) first gives up the disk reserve and tries again.
        """
        try:
            result = await self._call(work, quick, write)
        except Exception as exc:
            if not (write and is_disk_full(exc)):
                raise
            if not (frees_space and self._reserve.release()):
                raise DiskFull() from exc
            try:
                result = await asyncio.to_thread(self._run, work, write)
            except Exception as again:
                if is_disk_full(again):
                    raise DiskFull() from again
                raise
        if write:
            self._count_write()
        if frees_space and not self._reserve.held:
            await self.refill_reserve()
        return result

    async def refill_reserve(self) -> None:
        """Take the disk reserve again if deletions have made room for it."""
        if not self._reserve.held:
            await asyncio.to_thread(self._reserve.fill)

    async def _call(self, work: Callable[[sqlite3.Connection], T], quick: bool, write: bool) -> T:
        if quick and self._lock.acquire(blocking=False):
            try:
                return self._transaction(work) if write else work(self._conn)
            finally:
                self._lock.release()
        return await asyncio.to_thread(self._run, work, write)

    def _run(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        with self._lock:
            return self._transaction(work) if write else work(self._conn)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(self._conn)
            self._conn.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (SQLITE_FULL does); a failed COMMIT has not.
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise
        return result

    def _count_write(self) -> None:
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint < self.CHECKPOINT_EVERY:
            return
        self._writes_since_checkpoint = 0
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(self._checkpoint))
        self._checkpoints.add(task)
        task.add_done_callback(self._checkpoints.discard)

    def _checkpoint(self) -> None:
        # ProgrammingError: the store was closed (shutdown) before this checkpoint ran;
        # close() has already folded the WAL in.
        with self._lock, contextlib.suppress(sqlite3.ProgrammingError):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        with self._lock:
            # A last full checkpoint folds the WAL into the database file on shutdown;
            # if another reader blocks it, the WAL simply stays for the next start.
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
