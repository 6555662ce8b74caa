"""Storage of every runtime object (SQLite rows + file bytes under data-dir/files).

Objects are stored in their canonical v2 JSON shape; keys starting with ``_`` are
internal (never sent to clients; ``public()`` strips them). Routes and the run engine
both use this class; all methods are async. Work on one object by key is ``quick``
(see ``Database``: it runs inline when the connection is free); scans of unbounded size
run in the worker thread, so the event loop never waits on a long query.

Kinds and their parents (the ``parent`` column scopes ids that are not global):
``assistant``, ``thread``, ``file``, ``vector_store`` (no parent); ``message`` and ``run``
(parent = thread id); ``step`` (parent = run id); ``vector_store_file`` and
``file_batch`` (parent = vector store id).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..protocol import limits
from .db import Database
from .errors import bad_request
from .ids import new_id
from .pagination import PageQuery

# From the one limits module; tuples because they become SQL parameters.
ACTIVE_RUN_STATUSES = tuple(sorted(limits.ACTIVE_RUN_STATUSES))
TERMINAL_RUN_STATUSES = tuple(sorted(limits.TERMINAL_RUN_STATUSES))

Obj = dict[str, Any]


def public(obj: Obj) -> Obj:
    """The client-visible copy of a stored object: internal ``_`` keys removed."""
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def now() -> int:
    return int(time.time())


def _load(row: sqlite3.Row | None) -> Obj | None:
    return None if row is None else json.loads(row["data"])


def _dump(obj: Obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Store:
    """Async facade over the objects table and the files folder."""

    def __init__(self, db: Database, files_dir: Path) -> None:
        self._db = db
        self._files_dir = files_dir
        files_dir.mkdir(parents=True, exist_ok=True)

    @classmethod
    def open(cls, db_path: Path, files_dir: Path, *, disk_reserve_bytes: int = 0) -> Store:
        return cls(Database(db_path, reserve_bytes=disk_reserve_bytes), files_dir)

    def close(self) -> None:
        self._db.close()

    # ---------------------------------------------------------------- generic rows

    async def insert(self, kind: str, obj: Obj, *, parent: str = "") -> Obj:
        """Store a new object (must carry ``id`` and ``created_at``); returns it."""

        def work(conn: sqlite3.Connection) -> None:
            _insert(conn, kind, parent, obj)

        await self._db.call(work, quick=True)
        return obj

    async def get(self, kind: str, object_id: str, *, parent: str | None = None) -> Obj | None:
        """The stored object, or None. ``parent=None`` matches any parent."""

        def work(conn: sqlite3.Connection) -> Obj | None:
            return _get(conn, kind, object_id, parent)

        return await self._db.call(work, quick=True, write=False)

    async def update(
        self, kind: str, object_id: str, changes: Obj, *, parent: str | None = None
    ) -> Obj | None:
        """Shallow-merge ``changes`` into the object; returns the new object (None if absent)."""

        def apply(obj: Obj) -> Obj:
            obj.update(changes)
            return obj

        return await self.mutate(kind, object_id, apply, parent=parent)

    async def mutate(
        self,
        kind: str,
        object_id: str,
        change: Callable[[Obj], Obj],
        *,
        parent: str | None = None,
    ) -> Obj | None:
        """Read-modify-write in one transaction: ``change`` gets the object, returns the new one."""

        def work(conn: sqlite3.Connection) -> Obj | None:
            obj = _get(conn, kind, object_id, parent)
            if obj is None:
                return None
            new = change(obj)
            _write(conn, kind, object_id, parent, new)
            return new

        return await self._db.call(work, quick=True)

    async def delete(self, kind: str, object_id: str, *, parent: str | None = None) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            sql = "DELETE FROM objects WHERE kind=? AND id=?"
            args: list[Any] = [kind, object_id]
            if parent is not None:
                sql += " AND parent=?"
                args.append(parent)
            return conn.execute(sql, args).rowcount > 0

        return await self._db.call(work, quick=True, frees_space=True)

    async def list_page(
        self,
        kind: str,
        query: PageQuery,
        *,
        parent: str = "",
        status: str | None = None,
        where: str = "",
        where_args: tuple[Any, ...] = (),
    ) -> tuple[list[Obj], bool]:
        """One page of ``kind`` under ``parent`` in creation order; returns (items, has_more).

        A cursor id that is not in the list is a 400 naming the param, so a client with a
        stale cursor learns why instead of silently getting an empty page.
        """

        def work(conn: sqlite3.Connection) -> tuple[list[Obj], bool]:
            conds = ["kind=?", "parent=?"]
            args: list[Any] = [kind, parent]
            if status is not None:
                conds.append("status=?")
                args.append(status)
            if where:
                conds.append(f"({where})")
                args.extend(where_args)
            ascending = query.order == "asc"
            for name, cursor, forward in (
                ("after", query.after, True),
                ("before", query.before, False),
            ):
                if cursor is None:
                    continue
                row = conn.execute(
                    "SELECT seq FROM objects WHERE kind=? AND parent=? AND id=?",
                    (kind, parent, cursor),
                ).fetchone()
                if row is None:
                    raise bad_request(
                        f"Invalid '{name}': no object with id '{cursor}' in this list.",
                        param=name,
                    )
                conds.append("seq > ?" if ascending == forward else "seq < ?")
                args.append(row["seq"])
            reverse_scan = query.before is not None and query.after is None
            scan_asc = ascending != reverse_scan
            sql = (
                f"SELECT data FROM objects WHERE {' AND '.join(conds)} "
                f"ORDER BY seq {'ASC' if scan_asc else 'DESC'} LIMIT ?"
            )
            rows = conn.execute(sql, [*args, query.limit + 1]).fetchall()
            has_more = len(rows) > query.limit
            items = [json.loads(r["data"]) for r in rows[: query.limit]]
            if reverse_scan:
                items.reverse()
            return items, has_more

        return await self._db.call(work, write=False)

    async def list_all(
        self, kind: str, *, parent: str | None = "", statuses: tuple[str, ...] = ()
    ) -> list[Obj]:
        """Every object of ``kind`` (under ``parent``; None = any) in ascending creation order."""

        def work(conn: sqlite3.Connection) -> list[Obj]:
            sql = "SELECT data FROM objects WHERE kind=?"
            args: list[Any] = [kind]
            if parent is not None:
                sql += " AND parent=?"
                args.append(parent)
            if statuses:
                sql += f" AND status IN ({','.join('?' * len(statuses))})"
                args.extend(statuses)
            rows = conn.execute(sql + " ORDER BY seq ASC", args).fetchall()
            return [json.loads(r["data"]) for r in rows]

        return await self._db.call(work, write=False)

    # ---------------------------------------------------------------- assistants, threads

    async def get_assistant(self, assistant_id: str) -> Obj | None:
        return await self.get("assistant", assistant_id)

    async def get_thread(self, thread_id: str) -> Obj | None:
        return await self.get("thread", thread_id)

    async def delete_thread(self, thread_id: str) -> bool:
        """Delete a thread with its messages, runs and their steps."""

        def work(conn: sqlite3.Connection) -> bool:
            runs = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM objects WHERE kind='run' AND parent=?", (thread_id,)
                )
            ]
            for run_id in runs:
                conn.execute("DELETE FROM objects WHERE kind='step' AND parent=?", (run_id,))
            conn.execute(
                "DELETE FROM objects WHERE kind IN ('run','message') AND parent=?", (thread_id,)
            )
            return (
                conn.execute(
                    "DELETE FROM objects WHERE kind='thread' AND id=?", (thread_id,)
                ).rowcount
                > 0
            )

        return await self._db.call(work, frees_space=True)

    # ---------------------------------------------------------------- messages

    async def create_message(self, message: Obj) -> Obj:
        """Store a message (full object incl. ``thread_id``); used by routes and the engine."""
        return await self.insert("message", message, parent=message["thread_id"])

    async def get_message(self, thread_id: str, message_id: str) -> Obj | None:
        return await self.get("message", message_id, parent=thread_id)

    async def update_message(self, thread_id: str, message_id: str, changes: Obj) -> Obj | None:
        """Merge ``changes`` (e.g. status, content parts, completed_at) into a message."""
        return await self.update("message", message_id, changes, parent=thread_id)

    async def list_thread_messages(self, thread_id: str) -> list[Obj]:
        """All messages of a thread, oldest first (the model's conversation order)."""
        return await self.list_all("message", parent=thread_id)

    # ---------------------------------------------------------------- runs and steps

    async def get_run(self, run_id: str, *, thread_id: str | None = None) -> Obj | None:
        return await self.get("run", run_id, parent=thread_id)

    async def update_run(self, run_id: str, changes: Obj) -> Obj | None:
        """Merge ``changes`` into a run (status, timestamps, required_action, usage...)."""
        return await self.update("run", run_id, changes)

    async def active_run(self, thread_id: str) -> Obj | None:
        """The thread's run that is not yet terminal, if any (the thread lock)."""

        def work(conn: sqlite3.Connection) -> Obj | None:
            return _active_run(conn, thread_id)

        return await self._db.call(work, quick=True, write=False)

    async def insert_run_if_idle(self, run: Obj) -> Obj | None:
        """Store ``run`` unless its thread has an active run; returns that blocking run.

        Check and insert share one transaction, so two concurrent creates cannot both win.
        """

        def work(conn: sqlite3.Connection) -> Obj | None:
            blocking = _active_run(conn, run["thread_id"])
            if blocking is not None:
                return blocking
            _insert(conn, "run", run["thread_id"], run)
            return None

        return await self._db.call(work, quick=True)

    async def unfinished_runs(self) -> list[Obj]:
        """Runs in a non-terminal state, across all threads (for recovery at start)."""
        return await self.list_all("run", parent=None, statuses=ACTIVE_RUN_STATUSES)

    async def create_step(self, step: Obj) -> Obj:
        """Store a run step (full object incl. ``run_id``)."""
        return await self.insert("step", step, parent=step["run_id"])

    async def get_step(self, run_id: str, step_id: str) -> Obj | None:
        return await self.get("step", step_id, parent=run_id)

    async def update_step(self, run_id: str, step_id: str, changes: Obj) -> Obj | None:
        return await self.update("step", step_id, changes, parent=run_id)

    async def list_run_steps(self, run_id: str) -> list[Obj]:
        """All steps of a run, oldest first."""
        return await self.list_all("step", parent=run_id)

    # ---------------------------------------------------------------- files

    def file_path(self, file_id: str) -> Path:
        """Where the bytes of ``file_id`` live (ids are generated, never user paths)."""
        return self._files_dir / file_id

    async def get_file(self, file_id: str) -> Obj | None:
        return await self.get("file", file_id)

    async def read_file_bytes(self, file_id: str) -> bytes:
        return await asyncio.to_thread(self.file_path(file_id).read_bytes)

    async def create_file(self, data: bytes, filename: str, purpose: str) -> Obj:
        """Store bytes as a new File object (the engine uses purpose ``assistants_output``)."""
        file_id = new_id("file")
        await asyncio.to_thread(self._write_bytes, file_id, data)
        return await self.insert("file", _file_object(file_id, filename, purpose, len(data)))

    async def adopt_file(self, temp_path: Path, filename: str, purpose: str, size: int) -> Obj:
        """Move an already-written upload into the files folder as a new File object."""
        file_id = new_id("file")
        await asyncio.to_thread(os.replace, temp_path, self.file_path(file_id))
        return await self.insert("file", _file_object(file_id, filename, purpose, size))

    async def delete_file(self, file_id: str) -> bool:
        deleted = await self.delete("file", file_id)
        if deleted:
            await asyncio.to_thread(self.file_path(file_id).unlink, True)
            await self._db.refill_reserve()
        return deleted

    def new_upload_path(self) -> Path:
        """A temporary path inside the files folder (same filesystem, so adopt is a rename)."""
        return self._files_dir / f".upload-{new_id('file')}"

    def _write_bytes(self, file_id: str, data: bytes) -> None:
        temp = self._files_dir / f".tmp-{file_id}"
        temp.write_bytes(data)
        os.replace(temp, self.file_path(file_id))

    # ---------------------------------------------------------------- vector stores

    async def get_vector_store(self, vector_store_id: str) -> Obj | None:
        return await self.get("vector_store", vector_store_id)

    async def vector_store_ids_for(
        self, thread_id: str | None, assistant_id: str | None
    ) -> list[str]:
        """Vector stores a run may search: the thread's, then the assistant's (no duplicates)."""
        ids: list[str] = []
        for kind, object_id in (("thread", thread_id), ("assistant", assistant_id)):
            if object_id is None:
                continue
            obj = await self.get(kind, object_id)
            resources = (obj or {}).get("tool_resources") or {}
            for vs_id in (resources.get("file_search") or {}).get("vector_store_ids") or []:
                if vs_id not in ids:
                    ids.append(vs_id)
        return ids

    async def code_interpreter_file_ids_for(
        self, thread_id: str | None, assistant_id: str | None
    ) -> list[str]:
        """Files to copy into the code-interpreter folder: assistant's, thread's, attachments'."""
        ids: list[str] = []
        for kind, object_id in (("assistant", assistant_id), ("thread", thread_id)):
            if object_id is None:
                continue
            obj = await self.get(kind, object_id)
            resources = (obj or {}).get("tool_resources") or {}
            ids.extend((resources.get("code_interpreter") or {}).get("file_ids") or [])
        if thread_id is not None:
            for message in await self.list_thread_messages(thread_id):
                for attachment in message.get("attachments") or []:
                    tools = {t.get("type") for t in attachment.get("tools") or []}
                    if "code_interpreter" in tools:
                        ids.append(attachment["file_id"])
        return list(dict.fromkeys(ids))

    async def vector_stores_in_progress(self, vector_store_ids: list[str]) -> list[str]:
        """The ids among these whose files are still being ingested."""

        def work(conn: sqlite3.Connection) -> list[str]:
            busy = []
            for store_id in vector_store_ids:
                store = _get(conn, "vector_store", store_id, "")
                if store is not None and store.get("status") == "in_progress":
                    busy.append(store_id)
            return busy

        return await self._db.call(work, quick=True)

    async def touch_vector_stores(self, vector_store_ids: list[str], at: int) -> list[str]:
        """Record a search of these stores at ``at``; returns the ids that had expired.

        Live stores get ``last_active_at = at`` and, with an ``expires_after`` policy
        (anchored on last activity), a pushed-back ``expires_at``. Expired stores are left
        as they are: on OpenAI an expired store can no longer be used.
        """

        def work(conn: sqlite3.Connection) -> list[str]:
            expired: list[str] = []
            for store_id in vector_store_ids:
                store = _get(conn, "vector_store", store_id, "")
                if store is None:
                    continue
                expires_at = store.get("expires_at")
                if expires_at is not None and at >= expires_at:
                    expired.append(store_id)
                    continue
                store["last_active_at"] = at
                policy = store.get("expires_after")
                if isinstance(policy, dict) and policy.get("days"):
                    store["expires_at"] = at + int(policy["days"]) * 86400
                _write(conn, "vector_store", store_id, "", store)
            return expired

        return await self._db.call(work, quick=True)

    async def refresh_vector_store(self, vector_store_id: str) -> Obj | None:
        """Recount a store's file_counts/usage_bytes/status from its files (one transaction)."""

        def work(conn: sqlite3.Connection) -> Obj | None:
            store = _get(conn, "vector_store", vector_store_id, "")
            if store is None:
                return None
            files = [
                json.loads(r["data"])
                for r in conn.execute(
                    "SELECT data FROM objects WHERE kind='vector_store_file' AND parent=?",
                    (vector_store_id,),
                )
            ]
            counts = file_counts(files)
            store["file_counts"] = counts
            store["usage_bytes"] = sum(int(f.get("usage_bytes") or 0) for f in files)
            if store.get("status") != "expired":
                store["status"] = "in_progress" if counts["in_progress"] else "completed"
            _write(conn, "vector_store", vector_store_id, "", store)
            return store

        return await self._db.call(work)

    async def refresh_file_batch(self, vector_store_id: str, batch_id: str) -> Obj | None:
        """Recount a batch from the store files it added; settles its status when done."""

        def work(conn: sqlite3.Connection) -> Obj | None:
            batch = _get(conn, "file_batch", batch_id, vector_store_id)
            if batch is None:
                return None
            files = [
                json.loads(r["data"])
                for r in conn.execute(
                    "SELECT data FROM objects WHERE kind='vector_store_file' AND parent=? "
                    "AND EXISTS (SELECT 1 FROM json_each(objects.data, '$._batch_ids') "
                    "WHERE value=?)",
                    (vector_store_id, batch_id),
                )
            ]
            counts = file_counts(files)
            batch["file_counts"] = counts
            if batch["status"] == "in_progress" and not counts["in_progress"]:
                batch["status"] = "failed" if counts["failed"] == counts["total"] else "completed"
                if counts["total"] == 0:
                    batch["status"] = "completed"
            _write(conn, "file_batch", batch_id, vector_store_id, batch)
            return batch

        return await self._db.call(work)


def file_counts(files: list[Obj]) -> dict[str, int]:
    counts = {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0}
    for f in files:
        status = f.get("status")
        if status in counts:
            counts[status] += 1
    return {**counts, "total": len(files)}


def _file_object(file_id: str, filename: str, purpose: str, size: int) -> Obj:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": now(),
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }


# ---------------------------------------------------------------- row helpers (worker thread)


def _insert(conn: sqlite3.Connection, kind: str, parent: str, obj: Obj) -> None:
    conn.execute(
        "INSERT INTO objects (kind, parent, id, created_at, status, data) VALUES (?,?,?,?,?,?)",
        (kind, parent, obj["id"], int(obj["created_at"]), obj.get("status"), _dump(obj)),
    )


def _get(conn: sqlite3.Connection, kind: str, object_id: str, parent: str | None) -> Obj | None:
    sql = "SELECT data FROM objects WHERE kind=? AND id=?"
    args: list[Any] = [kind, object_id]
    if parent is not None:
        sql += " AND parent=?"
        args.append(parent)
    return _load(conn.execute(sql, args).fetchone())


def _write(
    conn: sqlite3.Connection, kind: str, object_id: str, parent: str | None, obj: Obj
) -> None:
    sql = "UPDATE objects SET status=?, data=? WHERE kind=? AND id=?"
    args: list[Any] = [obj.get("status"), _dump(obj), kind, object_id]
    if parent is not None:
        sql += " AND parent=?"
        args.append(parent)
    conn.execute(sql, args)


def _active_run(conn: sqlite3.Connection, thread_id: str) -> Obj | None:
    row = conn.execute(
        "SELECT data FROM objects WHERE kind='run' AND parent=? AND status IN "
        f"({','.join('?' * len(ACTIVE_RUN_STATUSES))}) ORDER BY seq DESC LIMIT 1",
        (thread_id, *ACTIVE_RUN_STATUSES),
    ).fetchone()
    return _load(row)
