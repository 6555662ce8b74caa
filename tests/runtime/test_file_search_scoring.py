"""The BM25 formula and its [0, 1] normalisation (see playground/runtime/file_search/scoring.py)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from playground.runtime.file_search import SearchIndex
from playground.runtime.file_search.scoring import K1, CorpusStats, idf, score_chunks


def test_idf_is_positive_even_for_terms_in_every_chunk_and_falls_with_frequency() -> None:
    values = [idf(10, frequency) for frequency in range(1, 11)]
    assert all(value > 0 for value in values)
    assert values == sorted(values, reverse=True)
    assert idf(10, 10) == pytest.approx(math.log(1 + 0.5 / 10.5))


def test_single_term_once_in_an_average_chunk_scores_one_over_k1_plus_one() -> None:
    scores = score_chunks({"fox": {1: 1}}, {1: 10}, CorpusStats(chunk_count=5, average_length=10))
    assert scores == {1: pytest.approx(1 / (K1 + 1))}


def test_scores_are_bounded_and_grow_with_term_frequency() -> None:
    postings = {"fox": {1: 1, 2: 5, 3: 1000}}
    scores = score_chunks(postings, {1: 10, 2: 10, 3: 10}, CorpusStats(10, 10))
    assert 0 < scores[1] < scores[2] < scores[3] <= 1.0


def test_missing_terms_lower_the_score_and_no_terms_give_nothing() -> None:
    stats = CorpusStats(10, 10)
    alone = score_chunks({"fox": {1: 1}}, {1: 10}, stats)[1]
    diluted = score_chunks({"fox": {1: 1}, "absent": {}}, {1: 10}, stats)[1]
    assert diluted < alone
    assert score_chunks({}, {}, stats) == {}
    assert score_chunks({"fox": {1: 1}}, {1: 10}, CorpusStats(0, 0)) == {}


def test_longer_chunks_score_lower_for_the_same_frequency() -> None:
    scores = score_chunks({"fox": {1: 2, 2: 2}}, {1: 5, 2: 50}, CorpusStats(10, 20))
    assert scores[1] > scores[2]


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[SearchIndex]:
    search_index = SearchIndex(tmp_path / "scores.sqlite3")
    yield search_index
    await search_index.aclose()


async def test_the_rarer_term_outweighs_a_more_frequent_one_in_a_small_store(
    index: SearchIndex,
) -> None:
    # "oak" is in 3 of 5 chunks, "maple" in 4: both above half, where FTS5's bm25() clamps
    # idf to one constant and would rank "maple maple maple" above "oak tree" on frequency.
    await index.index_file("vs", "a", "a.txt", "oak tree")
    await index.index_file("vs", "b", "b.txt", "maple maple maple")
    await index.index_file("vs", "c", "c.txt", "maple grove")
    await index.index_file("vs", "d", "d.txt", "oak maple")
    await index.index_file("vs", "e", "e.txt", "oak maple leaf")
    hits = await index.search(["vs"], "oak maple", max_results=5)
    assert hits[0].file_id == "d"  # both terms, shortest
    ranked = [hit.file_id for hit in hits]
    assert ranked.index("a") < ranked.index("b")
