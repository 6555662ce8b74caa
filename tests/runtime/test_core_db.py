"""The SQLite layer's performance rules: quick work inline, never blocking the event loop
on a busy connection, and WAL checkpoints done in the worker thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from playground.runtime.db import Database


def _where(conn: sqlite3.Connection) -> int:
    """Writes a row (so the work is real) and reports which thread ran it."""
    conn.execute(
        "INSERT INTO objects (kind, parent, id, created_at, status, data) "
        "VALUES ('probe', '', hex(randomblob(8)), 0, NULL, '{}')"
    )
    return threading.get_ident()


async def test_quick_work_runs_on_the_calling_thread(tmp_path: Path) -> None:
    db = Database(tmp_path / "rt.sqlite3")
    try:
        loop_thread = threading.get_ident()
        assert await db.call(_where, quick=True) == loop_thread
        # Unbounded work always goes to a worker thread.
        assert await db.call(_where) != loop_thread
    finally:
        db.close()


async def test_quick_work_hops_to_a_thread_while_the_connection_is_busy(tmp_path: Path) -> None:
    db = Database(tmp_path / "rt.sqlite3")
    holding = threading.Event()
    release = threading.Event()

    def slow(conn: sqlite3.Connection) -> None:
        holding.set()
        release.wait(5)

    try:
        blocker = asyncio.create_task(db.call(slow))
        await asyncio.to_thread(holding.wait, 5)
        quick = asyncio.create_task(db.call(_where, quick=True))
        # The loop stays free while the connection is busy: this timer fires on time.
        ticked = asyncio.Event()
        asyncio.get_running_loop().call_later(0.05, ticked.set)
        await asyncio.wait_for(ticked.wait(), timeout=2)
        assert not quick.done()
        release.set()
        ran_on = await asyncio.wait_for(quick, timeout=5)
        await blocker
        assert ran_on != threading.get_ident()
    finally:
        release.set()
        db.close()


async def test_checkpoints_move_the_wal_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "rt.sqlite3"
    db = Database(path)
    db.CHECKPOINT_EVERY = 50
    try:
        size_before = path.stat().st_size
        payload = "x" * 2000

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO objects (kind, parent, id, created_at, status, data) "
                "VALUES ('blob', '', hex(randomblob(8)), 0, NULL, ?)",
                (payload,),
            )

        for _ in range(49):
            await db.call(write, quick=True)
        # No automatic checkpoint ran inside those commits: the rows live in the WAL only.
        assert path.stat().st_size == size_before
        await db.call(write, quick=True)  # the 50th write schedules a checkpoint

        async def grown() -> None:
            while True:
                if path.stat().st_size > size_before + 49 * 2000:
                    return
                await asyncio.sleep(0.01)

        await asyncio.wait_for(grown(), timeout=10)
    finally:
        db.close()
    # Closing folds the rest of the WAL in and leaves it empty.
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
