"""The output cache: files and images produced on a server, fetched once and kept locally.

Keyed by (profile id, file id). Files sit under ``<cache>/outputs/<profile>/<file id>/<name>``
with every component sanitized; the SQLite index remembers the original name and type.
Writes go to a ``.part`` file first and are renamed into place, so a crash never leaves a
half-written file that looks complete.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from playground.store.db import Database
from playground.store.errors import StoreError
from playground.store.filenames import (
    safe_join,
    sanitize_filename,
    unique_path,
    write_new_file,
)

# The file-name helpers live in filenames.py; re-exported because callers think of them as
# part of the output cache.
__all__ = [
    "CachedOutput",
    "OutputCache",
    "safe_join",
    "sanitize_filename",
    "unique_path",
    "write_new_file",
]


@dataclass(frozen=True)
class CachedOutput:
    """A file in the cache."""

    profile_id: str
    file_id: str
    filename: str
    path: Path
    mime_type: str | None
    size: int
    fetched_at: float


class OutputCache:
    def __init__(self, db: Database, root: Path) -> None:
        self._db = db
        self.root = Path(root)

    def folder_for(self, profile_id: str, file_id: str) -> Path:
        """The cache folder of one file (created)."""
        profile_dir = safe_join(self.root, sanitize_filename(profile_id, fallback="profile"))
        folder = safe_join(profile_dir, sanitize_filename(file_id, fallback="file"))
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def get(self, profile_id: str, file_id: str) -> CachedOutput | None:
        """The cached file, or None when it was never fetched or has vanished from disk."""
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT * FROM outputs WHERE profile_id = ? AND file_id = ?", (profile_id, file_id)
            ).fetchone()
            if row is None:
                return None
            entry = self._entry(row)
            if not entry.path.is_file():
                conn.execute(
                    "DELETE FROM outputs WHERE profile_id = ? AND file_id = ?",
                    (profile_id, file_id),
                )
                return None
        return entry

    def staging_path(self, profile_id: str, file_id: str) -> Path:
        """Where a streaming download should write; hand it to ``commit`` when done."""
        return self.folder_for(profile_id, file_id) / ".download.part"

    def put(
        self,
        profile_id: str,
        file_id: str,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> CachedOutput:
        """Cache bytes already in memory."""
        staged = self.staging_path(profile_id, file_id)
        try:
            with open(staged, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise StoreError(f"Could not write to the output cache: {exc.strerror or exc}") from exc
        return self.commit(profile_id, file_id, staged, filename=filename, mime_type=mime_type)

    def commit(
        self,
        profile_id: str,
        file_id: str,
        staged: Path,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> CachedOutput:
        """Move a finished download into place and index it."""
        folder = self.folder_for(profile_id, file_id)
        shown_name = (filename or "").strip() or file_id
        final = safe_join(folder, shown_name)
        try:
            os.replace(staged, final)
            size = final.stat().st_size
        except OSError as exc:
            raise StoreError(f"Could not store the downloaded file: {exc.strerror or exc}") from exc
        for stale in folder.iterdir():
            if stale != final and stale.is_file():
                stale.unlink(missing_ok=True)  # an older copy under another name
        relpath = final.relative_to(self.root.resolve()).as_posix()
        now = time.time()
        with self._db.connect() as conn:
            conn.execute(
                "INSERT INTO outputs (profile_id, file_id, filename, relpath, mime_type, size,"
                " fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(profile_id, file_id) DO"
                " UPDATE SET filename = excluded.filename, relpath = excluded.relpath,"
                " mime_type = excluded.mime_type, size = excluded.size,"
                " fetched_at = excluded.fetched_at",
                (profile_id, file_id, shown_name, relpath, mime_type, size, now),
            )
        return CachedOutput(profile_id, file_id, shown_name, final, mime_type, size, now)

    def save_copy(
        self, profile_id: str, file_id: str, dest_folder: Path, name: str | None = None
    ) -> Path:
        """Copy a cached file to a folder the person chose, never overwriting anything there."""
        entry = self.get(profile_id, file_id)
        if entry is None:
            raise StoreError(f"The file {file_id} is not in the local cache; fetch it first.")
        try:
            data = entry.path.read_bytes()
            return write_new_file(dest_folder, name or entry.filename, data)
        except OSError as exc:
            raise StoreError(
                f"Could not save a copy in {dest_folder}: {exc.strerror or exc}"
            ) from exc

    def remove(self, profile_id: str, file_id: str) -> None:
        folder = self.folder_for(profile_id, file_id)
        shutil.rmtree(folder, ignore_errors=True)
        with self._db.connect() as conn:
            conn.execute(
                "DELETE FROM outputs WHERE profile_id = ? AND file_id = ?", (profile_id, file_id)
            )

    def _entry(self, row: sqlite3.Row) -> CachedOutput:
        # relpath came from our own safe_join, but re-check: the database is a file a person
        # (or another program) could edit.
        path = self.root.resolve() / row["relpath"]
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise StoreError("The output cache index points outside the cache; clear the cache.")
        return CachedOutput(
            profile_id=row["profile_id"],
            file_id=row["file_id"],
            filename=row["filename"],
            path=path,
            mime_type=row["mime_type"],
            size=row["size"],
            fetched_at=row["fetched_at"],
        )
