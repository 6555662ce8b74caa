"""BM25 relevance with scores normalised to [0, 1].

Why not FTS5's own ``bm25()``: it computes document frequencies over the whole table (every
vector store at once) and clamps a negative idf to 1e-6, so in a small store, where a query
word appears in more than half of the chunks, every score collapses to about zero and a
``score_threshold`` removes everything. The runtime's stores are often one or two files, so
we keep FTS5 as the inverted index and tokenizer and compute Okapi BM25 ourselves over the
stores being searched, with Lucene's idf, which is never negative:

    idf(t)   = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    part(t)  = idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    bm25     = sum of part(t) over the query's distinct terms
    score    = bm25 / sum of idf(t) * (k1 + 1)          # k1 = 1.2, b = 0.75

The divisor is BM25's upper bound for the query (``tf`` tending to infinity), so the score is
the share of the query's attainable relevance a chunk reaches: 0 when no term matches, about
0.45 when every term occurs once in a chunk of average length, approaching 1 when every term
occurs often. Rare terms weigh more than common ones, as in BM25.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

K1 = 1.2
B = 0.75


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Statistics of the chunks being searched: their number and mean length in words."""

    chunk_count: int
    average_length: float


def idf(chunk_count: int, document_frequency: int) -> float:
    """Lucene's BM25 idf: positive for any frequency, larger for rarer terms."""
    return math.log(1.0 + (chunk_count - document_frequency + 0.5) / (document_frequency + 0.5))


def score_chunks(
    postings: Mapping[str, Mapping[int, int]],
    lengths: Mapping[int, int],
    stats: CorpusStats,
) -> dict[int, float]:
    """Normalised BM25 score of every chunk that contains at least one term.

    ``postings`` maps each query term to ``{chunk id: term frequency}``; ``lengths`` maps chunk
    ids to their length in words.
    """
    if not postings or stats.chunk_count <= 0:
        return {}
    average = stats.average_length if stats.average_length > 0 else 1.0
    weights = {term: idf(stats.chunk_count, len(docs)) for term, docs in postings.items()}
    bound = sum(weight * (K1 + 1.0) for weight in weights.values())
    if bound <= 0.0:
        return {}
    totals: dict[int, float] = {}
    for term, docs in postings.items():
        weight = weights[term]
        for chunk_id, frequency in docs.items():
            norm = K1 * (1.0 - B + B * lengths.get(chunk_id, average) / average)
            part = weight * frequency * (K1 + 1.0) / (frequency + norm)
            totals[chunk_id] = totals.get(chunk_id, 0.0) + part
    return {chunk_id: min(1.0, total / bound) for chunk_id, total in totals.items()}
