"""The persistent full-text index behind the ``file_search`` tool.

One SQLite connection (WAL mode) guarded by a lock; every blocking call runs in a worker
thread through ``asyncio.to_thread`` so the server's event loop never waits on disk or on
chunking a large document. Chunking happens outside the lock, so a big upload being split
does not hold up searches; only the short write transaction is serialised.

A search never hands user text to FTS5's query parser. Its words are run through FTS5's own
tokenizer (a scratch table in ``temp``), each resulting term's postings are read from the
fts5vocab table restricted to the searched stores, and BM25 is computed in ``scoring.py``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .chunking import DEFAULT_MAX_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, Chunk, chunk_text
from .errors import FileSearchError, FileTooLarge, InvalidSearch
from .isolated import aextract_text_isolated, extract_text_isolated
from .limits import DEFAULT_LIMITS, ExtractionLimits
from .query import query_words, word_count
from .schema import create_query_tables, create_schema
from .scoring import CorpusStats, score_chunks

T = TypeVar("T")

#: Extraction children allowed to run at once.
EXTRACTION_CHILDREN = 2


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching chunk. ``score`` is in [0, 1]; see :mod:`.scoring` for the mapping."""

    file_id: str
    filename: str
    score: float
    text: str
    chunk_index: int
    vector_store_id: str


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """What the index holds for one file in one vector store."""

    vector_store_id: str
    file_id: str
    filename: str
    chunk_count: int
    text_bytes: int


class SearchIndex:
    """Chunks of files, grouped by vector store, searchable with bm25 ranking."""

    def __init__(self, db_path: Path, *, limits: ExtractionLimits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        # Each extraction child may use up to its memory limit; a few at a time is plenty.
        self._extract_slots = asyncio.Semaphore(EXTRACTION_CHILDREN)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA busy_timeout = 5000")
            with _transaction(connection):
                create_schema(connection)
            create_query_tables(connection)
        except BaseException:
            connection.close()
            raise
        self._connection: sqlite3.Connection | None = connection

    # -- extraction -------------------------------------------------------------------------

    def extract_text(self, filename: str, data: bytes) -> str:
        """Searchable text of a file (blocking). Raises ``UnsupportedFileType``/``ExtractionError``.

        Parsing runs in a limited child process (see :mod:`.isolated`), never in this one.
        """
        return extract_text_isolated(filename, data, self._limits)

    async def aextract_text(self, filename: str, data: bytes) -> str:
        """:meth:`extract_text` for callers on the event loop; no thread waits on the child."""
        async with self._extract_slots:
            return await aextract_text_isolated(filename, data, self._limits)

    # -- writing ----------------------------------------------------------------------------

    async def index_file(
        self,
        vector_store_id: str,
        file_id: str,
        filename: str,
        text: str,
        *,
        max_chunk_tokens: int = DEFAULT_MAX_CHUNK_TOKENS,
        overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
    ) -> int:
        """Chunk ``text`` and (re)place the file's chunks in the store; returns the chunk count.

        Indexing the same file in the same store again replaces its earlier chunks, so a
        retried ingestion never leaves duplicates.
        """
        chunks = await asyncio.to_thread(self._chunk, text, max_chunk_tokens, overlap_tokens)
        await self._run(self._write_file, vector_store_id, file_id, filename, chunks)
        return len(chunks)

    async def index_bytes(
        self,
        vector_store_id: str,
        file_id: str,
        filename: str,
        data: bytes,
        *,
        max_chunk_tokens: int = DEFAULT_MAX_CHUNK_TOKENS,
        overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
    ) -> int:
        """Extract the text of an uploaded file and index it in one call."""
        text = await self.aextract_text(filename, data)
        return await self.index_file(
            vector_store_id,
            file_id,
            filename,
            text,
            max_chunk_tokens=max_chunk_tokens,
            overlap_tokens=overlap_tokens,
        )

    async def remove_file(self, vector_store_id: str, file_id: str) -> None:
        """Drop one file's chunks from one store (no error if it was not indexed)."""
        await self._run(self._delete_file, vector_store_id, file_id)

    async def delete_store(self, vector_store_id: str) -> None:
        """Drop every chunk of a vector store."""
        await self._run(self._delete_store, vector_store_id)

    # -- reading ----------------------------------------------------------------------------

    async def search(
        self,
        vector_store_ids: list[str],
        query: str,
        *,
        max_results: int = 20,
        score_threshold: float = 0.0,
        file_ids: Collection[str] | None = None,
    ) -> list[SearchHit]:
        """The best chunks for ``query`` across the stores, best first.

        Any query text is accepted: one with no searchable words gives no hits, never an error.
        ``file_ids`` (an attribute filter's answer) limits the search to those files; the
        limit is applied inside the ranking so the filter never shortens a full page.
        """
        if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
            raise InvalidSearch(f"max_results must be a positive integer; got {max_results!r}.")
        if not 0.0 <= score_threshold <= 1.0:
            raise InvalidSearch(
                f"score_threshold must be between 0 and 1; got {score_threshold!r}."
            )
        stores = list(dict.fromkeys(vector_store_ids))
        words = query_words(query)
        only = None if file_ids is None else sorted(set(file_ids))
        if not stores or not words or only == []:
            return []
        return await self._run(self._query, stores, words, max_results, score_threshold, only)

    async def chunks(self, vector_store_id: str, file_id: str) -> list[str]:
        """A file's indexed text, chunk by chunk in order (the file-content endpoint)."""
        return await self._run(self._chunk_texts, vector_store_id, file_id)

    async def indexed_file(self, vector_store_id: str, file_id: str) -> IndexedFile | None:
        """What is indexed for a file in a store, or ``None``."""
        rows = await self._run(self._files, vector_store_id, file_id)
        return rows[0] if rows else None

    async def list_files(self, vector_store_id: str) -> list[IndexedFile]:
        """Every file indexed in a store."""
        return await self._run(self._files, vector_store_id, None)

    async def usage_bytes(self, vector_store_id: str) -> int:
        """Bytes of chunk text a store holds (the vector store object's ``usage_bytes``)."""
        return sum(item.text_bytes for item in await self.list_files(vector_store_id))

    async def aclose(self) -> None:
        """Close the connection; later calls raise ``FileSearchError``."""
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        """Blocking close, for shutdown paths without an event loop."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- blocking internals (worker thread) --------------------------------------------------

    def _chunk(self, text: str, max_chunk_tokens: int, overlap_tokens: int) -> list[Chunk]:
        chunks = chunk_text(text, max_chunk_tokens=max_chunk_tokens, overlap_tokens=overlap_tokens)
        # Windows overlap, so real token count is the first token of each step plus the tail.
        step = max_chunk_tokens - overlap_tokens
        tokens = (len(chunks) - 1) * step + chunks[-1].token_count if chunks else 0
        if tokens > self._limits.max_file_tokens:
            raise FileTooLarge(
                f"The file holds about {tokens} tokens; file search indexes at most "
                f"{self._limits.max_file_tokens} tokens per file."
            )
        return chunks

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(self._locked, function, *args)

    def _locked(self, function: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._connection is None:
                raise FileSearchError("The file-search index is closed.")
            return function(self._connection, *args)

    @staticmethod
    def _write_file(
        db: sqlite3.Connection,
        vector_store_id: str,
        file_id: str,
        filename: str,
        chunks: list[Chunk],
    ) -> None:
        lengths = [word_count(chunk.text) for chunk in chunks]
        text_bytes = sum(len(chunk.text.encode("utf-8")) for chunk in chunks)
        with _transaction(db):
            SearchIndex._delete_file(db, vector_store_id, file_id, transaction=False)
            for chunk, length in zip(chunks, lengths, strict=True):
                cursor = db.execute(
                    "INSERT INTO fs_chunks (vector_store_id, file_id, chunk_index, length)"
                    " VALUES (?, ?, ?, ?)",
                    (vector_store_id, file_id, chunk.index, length),
                )
                db.execute(
                    "INSERT INTO fs_chunk_text (rowid, text) VALUES (?, ?)",
                    (cursor.lastrowid, chunk.text),
                )
            db.execute(
                "INSERT INTO fs_files"
                " (vector_store_id, file_id, filename, chunk_count, text_bytes, word_count)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (vector_store_id, file_id, filename, len(chunks), text_bytes, sum(lengths)),
            )

    @staticmethod
    def _delete_file(
        db: sqlite3.Connection, vector_store_id: str, file_id: str, *, transaction: bool = True
    ) -> None:
        def delete() -> None:
            db.execute(
                "DELETE FROM fs_chunk_text WHERE rowid IN"
                " (SELECT id FROM fs_chunks WHERE vector_store_id = ? AND file_id = ?)",
                (vector_store_id, file_id),
            )
            db.execute(
                "DELETE FROM fs_chunks WHERE vector_store_id = ? AND file_id = ?",
                (vector_store_id, file_id),
            )
            db.execute(
                "DELETE FROM fs_files WHERE vector_store_id = ? AND file_id = ?",
                (vector_store_id, file_id),
            )

        if transaction:
            with _transaction(db):
                delete()
        else:
            delete()

    @staticmethod
    def _delete_store(db: sqlite3.Connection, vector_store_id: str) -> None:
        with _transaction(db):
            db.execute(
                "DELETE FROM fs_chunk_text WHERE rowid IN"
                " (SELECT id FROM fs_chunks WHERE vector_store_id = ?)",
                (vector_store_id,),
            )
            db.execute("DELETE FROM fs_chunks WHERE vector_store_id = ?", (vector_store_id,))
            db.execute("DELETE FROM fs_files WHERE vector_store_id = ?", (vector_store_id,))

    @staticmethod
    def _query_terms(db: sqlite3.Connection, words: list[str]) -> list[str]:
        """The index terms of ``words``, produced by FTS5's own tokenizer (stemmed, folded)."""
        db.execute("INSERT INTO temp.fs_query (rowid, text) VALUES (1, ?)", (" ".join(words),))
        try:
            rows = db.execute("SELECT term FROM temp.fs_query_terms ORDER BY offset").fetchall()
        finally:
            db.execute("DELETE FROM temp.fs_query")
        return list(dict.fromkeys(row[0] for row in rows))

    @staticmethod
    def _query(
        db: sqlite3.Connection,
        stores: list[str],
        words: list[str],
        limit: int,
        threshold: float,
        only_files: list[str] | None = None,
    ) -> list[SearchHit]:
        terms = SearchIndex._query_terms(db, words)
        in_stores = ", ".join("?" for _ in stores)
        file_clause = ""
        file_args: tuple[str, ...] = ()
        if only_files is not None:
            file_clause = f" AND c.file_id IN ({', '.join('?' for _ in only_files)})"
            file_args = tuple(only_files)
        chunk_count, total_words = db.execute(
            "SELECT COALESCE(SUM(chunk_count), 0), COALESCE(SUM(word_count), 0) FROM fs_files"
            f" WHERE vector_store_id IN ({in_stores})",
            stores,
        ).fetchone()
        if not terms or not chunk_count:
            return []
        postings: dict[str, dict[int, int]] = {}
        lengths: dict[int, int] = {}
        for term in terms:
            rows = db.execute(
                "SELECT v.doc, COUNT(*), c.length FROM fs_chunk_terms AS v"
                " JOIN fs_chunks AS c ON c.id = v.doc"
                f" WHERE v.term = ? AND c.vector_store_id IN ({in_stores}){file_clause}"
                " GROUP BY v.doc",
                (term, *stores, *file_args),
            ).fetchall()
            if rows:
                postings[term] = {doc: frequency for doc, frequency, _ in rows}
                lengths.update((doc, length) for doc, _, length in rows)
        stats = CorpusStats(chunk_count, total_words / chunk_count)
        # Absent terms still count in the normalising bound: a chunk matching one word of a
        # three-word query must not score like a chunk matching all three.
        for term in terms:
            postings.setdefault(term, {})
        scores = score_chunks(postings, lengths, stats)
        ranked = sorted(
            (item for item in scores.items() if item[1] >= threshold and item[1] > 0.0),
            key=lambda item: (-item[1], item[0]),
        )
        # Extra candidates so that a file present in two searched stores (same chunk twice)
        # still leaves `limit` distinct hits after de-duplication.
        chosen = ranked[: limit * len(stores)]
        if not chosen:
            return []
        score_of = dict(chosen)
        placeholders = ", ".join("?" for _ in chosen)
        rows = db.execute(
            "SELECT c.id, c.file_id, f.filename, c.chunk_index, t.text, c.vector_store_id"
            " FROM fs_chunks AS c"
            " JOIN fs_chunk_text AS t ON t.rowid = c.id"
            " JOIN fs_files AS f ON f.vector_store_id = c.vector_store_id AND f.file_id = c.file_id"
            f" WHERE c.id IN ({placeholders})",
            [chunk_id for chunk_id, _ in chosen],
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        hits: list[SearchHit] = []
        seen: set[tuple[str, int]] = set()
        for chunk_id, _ in chosen:
            row = by_id.get(chunk_id)
            if row is None or (row[1], row[3]) in seen:
                continue
            seen.add((row[1], row[3]))
            hits.append(SearchHit(row[1], row[2], score_of[chunk_id], row[4], row[3], row[5]))
            if len(hits) == limit:
                break
        return hits

    @staticmethod
    def _chunk_texts(db: sqlite3.Connection, vector_store_id: str, file_id: str) -> list[str]:
        rows = db.execute(
            "SELECT t.text FROM fs_chunks AS c JOIN fs_chunk_text AS t ON t.rowid = c.id"
            " WHERE c.vector_store_id = ? AND c.file_id = ? ORDER BY c.chunk_index",
            (vector_store_id, file_id),
        ).fetchall()
        return [row[0] for row in rows]

    @staticmethod
    def _files(
        db: sqlite3.Connection, vector_store_id: str, file_id: str | None
    ) -> list[IndexedFile]:
        sql = (
            "SELECT vector_store_id, file_id, filename, chunk_count, text_bytes FROM fs_files"
            " WHERE vector_store_id = ?"
        )
        params: tuple[str, ...] = (vector_store_id,)
        if file_id is not None:
            sql += " AND file_id = ?"
            params += (file_id,)
        rows = db.execute(sql + " ORDER BY file_id", params).fetchall()
        return [IndexedFile(*row) for row in rows]


class _transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error (autocommit connection)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
