"""The SQLite FTS5 index: ranking, scores, hostile queries, removal and persistence."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from playground.runtime.file_search import (
    FileSearchError,
    FileTooLarge,
    InvalidChunking,
    InvalidSearch,
    SearchIndex,
    UnsupportedFileType,
)
from playground.runtime.file_search.limits import ExtractionLimits

FOXES = (
    "The red fox is a small carnivore. Foxes hunt rodents at night and live in dens. "
    "A fox has a bushy tail and keen hearing."
)
BANANAS = "Bananas are yellow fruits rich in potassium. A banana plant is a giant herb."
KITCHEN = "The kitchen needs a new oven, a sink and two cupboards for the pans."


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[SearchIndex]:
    search_index = SearchIndex(tmp_path / "search.sqlite3")
    yield search_index
    await search_index.aclose()


async def fill(index: SearchIndex, store: str = "vs_1") -> None:
    await index.index_file(store, "file-fox", "foxes.txt", FOXES)
    await index.index_file(store, "file-banana", "bananas.md", BANANAS)
    await index.index_file(store, "file-kitchen", "kitchen.txt", KITCHEN)


async def test_relevant_file_ranks_first_with_scores_in_range(index: SearchIndex) -> None:
    await fill(index)
    hits = await index.search(["vs_1"], "Where do foxes live and what do they hunt?")
    assert hits[0].file_id == "file-fox"
    assert hits[0].filename == "foxes.txt"
    assert hits[0].text == FOXES
    assert hits[0].chunk_index == 0
    assert hits[0].vector_store_id == "vs_1"
    assert all(0.0 < hit.score <= 1.0 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    bananas = await index.search(["vs_1"], "potassium in bananas")
    assert [hit.file_id for hit in bananas] == ["file-banana"]


async def test_scores_stay_meaningful_in_a_tiny_store(index: SearchIndex) -> None:
    # FTS5's bm25() would give ~0 here (the words occur in most chunks); ours must not.
    await index.index_file("vs_small", "f1", "a.txt", "banana potassium")
    await index.index_file("vs_small", "f2", "b.txt", "banana potassium banana")
    hits = await index.search(["vs_small"], "banana potassium")
    assert len(hits) == 2
    assert all(hit.score > 0.2 for hit in hits)


async def test_more_matching_terms_score_higher(index: SearchIndex) -> None:
    await index.index_file("vs", "both", "both.txt", "solar panels convert sunlight")
    await index.index_file("vs", "one", "one.txt", "solar eclipse tonight")
    await index.index_file("vs", "none", "none.txt", "nothing relevant at all")
    hits = await index.search(["vs"], "solar panels")
    assert [hit.file_id for hit in hits] == ["both", "one"]
    assert hits[0].score > hits[1].score


async def test_stemming_case_and_diacritics_are_folded(index: SearchIndex) -> None:
    await index.index_file("vs", "f", "cafe.txt", "Running to the CAFÉ every morning.")
    hits = await index.search(["vs"], "runs cafe")
    assert [hit.file_id for hit in hits] == ["f"]


@pytest.mark.parametrize(
    "query",
    [
        '"', '""', "'", "AND", "OR", "NOT", "fox AND", "NEAR(", "NEAR(fox banana, 2)", "*",
        "fox*", "^fox", "text:fox", "{text}: fox", "(fox", "fox)", "-fox", "+", "😀", "🦊 fox 🦊",
        "", "   ", "\x00", "a_b", "\\", "; DROP TABLE fs_chunks; --", "x" * 10_000,
        " ".join(f"w{i}" for i in range(500)),
    ],
)  # fmt: skip
async def test_hostile_queries_never_raise(index: SearchIndex, query: str) -> None:
    await fill(index)
    hits = await index.search(["vs_1"], query)
    assert isinstance(hits, list)
    if "fox" in query and "banana" not in query:
        assert hits and hits[0].file_id == "file-fox"
    # The index still works afterwards (no dropped table, no stuck scratch rows).
    again = await index.search(["vs_1"], "potassium")
    assert [hit.file_id for hit in again] == ["file-banana"]


async def test_query_of_only_function_words_still_searches(index: SearchIndex) -> None:
    await fill(index)
    hits = await index.search(["vs_1"], "for the")
    # Both words occur only in the kitchen text; "the" alone also in the fox text.
    assert [hit.file_id for hit in hits] == ["file-kitchen", "file-fox"]


async def test_stores_are_isolated_and_searched_together(index: SearchIndex) -> None:
    await index.index_file("vs_a", "fa", "a.txt", "alpha particle physics")
    await index.index_file("vs_b", "fb", "b.txt", "alpha male wolves")
    assert [h.file_id for h in await index.search(["vs_a"], "alpha")] == ["fa"]
    assert {h.file_id for h in await index.search(["vs_a", "vs_b"], "alpha")} == {"fa", "fb"}
    assert await index.search([], "alpha") == []
    assert await index.search(["vs_unknown"], "alpha") == []


async def test_same_file_in_two_searched_stores_is_reported_once(index: SearchIndex) -> None:
    await index.index_file("vs_a", "shared", "s.txt", "quantum entanglement")
    await index.index_file("vs_b", "shared", "s.txt", "quantum entanglement")
    hits = await index.search(["vs_a", "vs_b"], "quantum")
    assert len(hits) == 1


async def test_max_results_and_score_threshold(index: SearchIndex) -> None:
    for number in range(30):
        await index.index_file("vs", f"f{number}", f"{number}.txt", f"widget report {number}")
    assert len(await index.search(["vs"], "widget", max_results=7)) == 7
    assert len(await index.search(["vs"], "widget")) == 20
    everything = await index.search(["vs"], "widget report", max_results=50)
    assert len(everything) == 30
    assert await index.search(["vs"], "widget report", score_threshold=1.0) == []
    middle = sorted(hit.score for hit in everything)[15]
    kept = await index.search(["vs"], "widget report 7", max_results=50, score_threshold=middle)
    assert kept and all(hit.score >= middle for hit in kept)
    assert kept[0].file_id == "f7"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_results": 0}, "max_results"),
        ({"max_results": True}, "max_results"),
        ({"score_threshold": 1.5}, "score_threshold"),
        ({"score_threshold": -0.1}, "score_threshold"),
    ],
)
async def test_invalid_search_arguments_are_refused(
    index: SearchIndex, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidSearch, match=message):
        await index.search(["vs"], "fox", **kwargs)  # type: ignore[arg-type]


async def test_long_documents_are_chunked_and_the_right_chunk_found(index: SearchIndex) -> None:
    filler = " ".join(["lorem ipsum dolor sit amet"] * 400)
    text = f"{filler} the treasure is buried under the old oak tree {filler}"
    count = await index.index_file(
        "vs", "long", "long.txt", text, max_chunk_tokens=200, overlap_tokens=100
    )
    assert count > 10
    hits = await index.search(["vs"], "where is the treasure buried", max_results=3)
    assert hits and all("treasure" in hit.text for hit in hits)
    assert len(hits) == 2  # the sentence lies in the overlap of two consecutive windows
    assert abs(hits[0].chunk_index - hits[1].chunk_index) == 1
    stored = await index.indexed_file("vs", "long")
    assert stored is not None and stored.chunk_count == count


async def test_invalid_chunking_is_refused_before_writing(index: SearchIndex) -> None:
    with pytest.raises(InvalidChunking):
        await index.index_file("vs", "f", "f.txt", "text", max_chunk_tokens=800, overlap_tokens=500)
    assert await index.indexed_file("vs", "f") is None


async def test_token_limit_per_file_is_enforced(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "small.sqlite3", limits=ExtractionLimits(max_file_tokens=150))
    try:
        with pytest.raises(FileTooLarge, match="tokens"):
            await index.index_file(
                "vs", "f", "f.txt", "word " * 400, max_chunk_tokens=100, overlap_tokens=0
            )
        assert await index.index_file("vs", "g", "g.txt", "word " * 100) == 1
    finally:
        await index.aclose()


async def test_reindexing_a_file_replaces_its_chunks(index: SearchIndex) -> None:
    await index.index_file("vs", "f", "f.txt", "old content about giraffes")
    await index.index_file("vs", "f", "f.txt", "new content about penguins")
    assert await index.search(["vs"], "giraffes") == []
    assert [hit.text for hit in await index.search(["vs"], "penguins")] == [
        "new content about penguins"
    ]
    assert len(await index.list_files("vs")) == 1


async def test_remove_file_drops_only_that_file(index: SearchIndex) -> None:
    await fill(index)
    await fill(index, "vs_2")
    await index.remove_file("vs_1", "file-fox")
    assert await index.search(["vs_1"], "fox") == []
    assert [hit.file_id for hit in await index.search(["vs_2"], "fox")] == ["file-fox"]
    assert [hit.file_id for hit in await index.search(["vs_1"], "potassium")] == ["file-banana"]
    assert await index.indexed_file("vs_1", "file-fox") is None
    await index.remove_file("vs_1", "never-indexed")  # no error


async def test_delete_store_drops_all_its_results(index: SearchIndex, tmp_path: Path) -> None:
    await fill(index)
    await fill(index, "vs_keep")
    await index.delete_store("vs_1")
    assert await index.search(["vs_1"], "fox banana kitchen") == []
    assert await index.list_files("vs_1") == []
    assert await index.usage_bytes("vs_1") == 0
    assert len(await index.search(["vs_keep"], "fox banana kitchen")) == 3
    # Nothing orphaned in the FTS table either.
    with sqlite3.connect(tmp_path / "search.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM fs_chunk_text").fetchone()[0] == 3


async def test_usage_bytes_and_listing(index: SearchIndex) -> None:
    await fill(index)
    files = await index.list_files("vs_1")
    assert [item.file_id for item in files] == ["file-banana", "file-fox", "file-kitchen"]
    assert await index.usage_bytes("vs_1") == sum(
        len(text.encode()) for text in (FOXES, BANANAS, KITCHEN)
    )


async def test_index_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "persist.sqlite3"
    first = SearchIndex(path)
    await fill(first)
    await first.aclose()
    second = SearchIndex(path)
    try:
        hits = await second.search(["vs_1"], "fox dens")
        assert hits[0].file_id == "file-fox"
        assert (await second.indexed_file("vs_1", "file-kitchen")) is not None
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        await second.aclose()


async def test_index_bytes_extracts_then_indexes(index: SearchIndex) -> None:
    html = b"<html><body><p>Lighthouse keepers trim the wick.</p><script>x()</script></body></html>"
    assert await index.index_bytes("vs", "f-html", "guide.html", html) == 1
    hits = await index.search(["vs"], "lighthouse wick")
    assert hits[0].text == "Lighthouse keepers trim the wick."
    with pytest.raises(UnsupportedFileType):
        await index.index_bytes("vs", "f-img", "img.png", b"\x89PNG")


async def test_concurrent_indexing_and_searching(index: SearchIndex) -> None:
    async def add(number: int) -> int:
        return await index.index_file(
            "vs", f"f{number}", f"{number}.txt", f"parallel topic{number} item"
        )

    counts = await asyncio.gather(*(add(number) for number in range(20)))
    assert counts == [1] * 20
    results = await asyncio.gather(*(index.search(["vs"], f"topic{n}") for n in range(20)))
    assert [[hit.file_id for hit in hits] for hits in results] == [[f"f{n}"] for n in range(20)]


async def test_closed_index_raises_a_plain_error(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "closed.sqlite3")
    await index.aclose()
    await index.aclose()  # closing twice is harmless
    with pytest.raises(FileSearchError, match="closed"):
        await index.search(["vs"], "anything")
