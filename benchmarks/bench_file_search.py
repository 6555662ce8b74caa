"""Benchmark the file-search index: index about 5 MB of text, then run 100 queries.

Run: ``.venv/bin/python benchmarks/bench_file_search.py [--megabytes 5] [--queries 100]``.
The text is synthetic but shaped like prose: words drawn from a Zipf distribution over a
20 000-word vocabulary, so common words are very common (the hard case for an OR query) and
rare words rare. Every query mixes a few words of different frequencies.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import string
import tempfile
import time
from pathlib import Path

from playground.runtime.file_search import SearchIndex

VOCABULARY_SIZE = 20_000
FILE_BYTES = 100_000


def make_vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))))
    return sorted(words)


def make_document(rng: random.Random, vocabulary: list[str], cumulative: list[float]) -> str:
    parts: list[str] = []
    size = 0
    while size < FILE_BYTES:
        sentence = " ".join(
            rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(8, 20))
        ).capitalize()
        parts.append(sentence + ".")
        size += len(sentence) + 2
    return " ".join(parts)


def folder_megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.iterdir()) / 1e6


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(megabytes: float, query_count: int) -> None:
    rng = random.Random(1234)
    vocabulary = make_vocabulary(rng)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocabulary))))
    file_count = max(1, int(megabytes * 1_000_000 / FILE_BYTES))
    documents = [make_document(rng, vocabulary, cumulative) for _ in range(file_count)]
    total_bytes = sum(len(document.encode()) for document in documents)

    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "index.sqlite3"
        index = SearchIndex(db_path)
        started = time.perf_counter()
        chunks = 0
        for number, document in enumerate(documents):
            chunks += await index.index_file(
                "vs_bench", f"file-{number}", f"doc{number}.txt", document
            )
        index_seconds = time.perf_counter() - started

        latencies: list[float] = []
        hit_counts: list[int] = []
        for _ in range(query_count):
            words = [rng.choice(vocabulary[:200])]  # one common word
            words += rng.choices(vocabulary[200:], k=rng.randint(2, 5))  # a few rarer ones
            query = "What does the text say about " + " ".join(words) + "?"
            began = time.perf_counter()
            hits = await index.search(["vs_bench"], query, max_results=20)
            latencies.append(time.perf_counter() - began)
            hit_counts.append(len(hits))
        await index.aclose()
        db_megabytes = folder_megabytes(Path(folder))

    print(f"indexed {total_bytes / 1e6:.2f} MB in {file_count} files -> {chunks} chunks (800/400)")
    print(f"indexing: {index_seconds:.2f} s total, {total_bytes / 1e6 / index_seconds:.2f} MB/s")
    print(f"database on disk (incl. WAL): {db_megabytes:.1f} MB")
    print(
        f"{query_count} queries: mean {statistics.mean(latencies) * 1000:.1f} ms, "
        f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
        f"mean hits {statistics.mean(hit_counts):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--queries", type=int, default=100)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.megabytes, arguments.queries))


if __name__ == "__main__":
    main()
