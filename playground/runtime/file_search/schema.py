"""SQLite schema of the search index.

Chunk text lives in an FTS5 table (porter stemming over unicode61 with diacritics folded, so
"Running" finds "run" and "café" finds "cafe"). Its rowid is the primary key of an ordinary
table that maps each chunk to (vector store, file, position); that table is indexed, so
removing a file or a store touches only its own rows instead of scanning the FTS table.
The ``fs_chunk_terms`` fts5vocab table exposes the postings from which ``scoring.py``
computes BM25. Every name starts with ``fs_`` so the index may share a database file with
other tables.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 1
TOKENIZER = "'porter unicode61 remove_diacritics 2'"

_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS fs_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS fs_files (
           vector_store_id TEXT NOT NULL,
           file_id TEXT NOT NULL,
           filename TEXT NOT NULL,
           chunk_count INTEGER NOT NULL,
           text_bytes INTEGER NOT NULL,
           word_count INTEGER NOT NULL,
           PRIMARY KEY (vector_store_id, file_id)
       )""",
    """CREATE TABLE IF NOT EXISTS fs_chunks (
           id INTEGER PRIMARY KEY,
           vector_store_id TEXT NOT NULL,
           file_id TEXT NOT NULL,
           chunk_index INTEGER NOT NULL,
           length INTEGER NOT NULL,
           UNIQUE (vector_store_id, file_id, chunk_index)
       )""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS fs_chunk_text USING fts5(text, tokenize = {TOKENIZER})""",
    # One row per (term, chunk, offset): the postings BM25 is computed from.
    """CREATE VIRTUAL TABLE IF NOT EXISTS fs_chunk_terms USING fts5vocab(fs_chunk_text, 'instance')""",
)

# Per-connection scratch tables: the query's words go through the very same tokenizer as the
# chunks, so query terms and indexed terms always agree (stemming, case, diacritics).
_QUERY_STATEMENTS = (
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS temp.fs_query USING fts5(text, tokenize = {TOKENIZER})""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS temp.fs_query_terms
           USING fts5vocab(temp, fs_query, 'instance')""",
)


def create_schema(connection: sqlite3.Connection) -> None:
    """Create the tables if missing and refuse an index written by a newer schema."""
    for statement in _STATEMENTS:
        connection.execute(statement)
    row = connection.execute("SELECT value FROM fs_meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        connection.execute(
            "INSERT INTO fs_meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
    elif int(row[0]) > SCHEMA_VERSION:
        raise RuntimeError(
            f"The file-search index was written by a newer version (schema {row[0]}); "
            f"this version understands schema {SCHEMA_VERSION}."
        )


def create_query_tables(connection: sqlite3.Connection) -> None:
    """Create the connection's temporary tables used to tokenise queries."""
    for statement in _QUERY_STATEMENTS:
        connection.execute(statement)
