"""Pick the words of a natural-language query worth searching for.

The query text is never handed to FTS5's ``MATCH`` parser, where ``"``, ``AND``, ``NEAR(``,
``*``, ``col:`` and ``^`` are operators: the index feeds the chosen words to FTS5's tokenizer
as plain data (see ``index.py``), so hostile input cannot produce a syntax error. Here we only
split the text into words (runs of letters and digits; everything else, emoji included,
separates words) and drop common English function words, which match nearly every chunk and
carry no meaning; a query made only of such words keeps them.
"""

from __future__ import annotations

import re

MAX_QUERY_WORDS = 64

WORD = re.compile(r"[^\W_]+")

STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could did do does for from had has have how i if in
    into is it its me my of on or our so than that the their them then there these they this
    to was we were what when where which who whom why will with would you your
    """.split()
)


def query_words(query: str) -> list[str]:
    """Distinct lower-cased words of ``query``, function words removed when others remain."""
    seen: dict[str, None] = {}
    for match in WORD.finditer(query.lower()):
        seen.setdefault(match.group(0), None)
    words = list(seen)
    content = [word for word in words if word not in STOPWORDS]
    return (content or words)[:MAX_QUERY_WORDS]


def word_count(text: str) -> int:
    """Length of a chunk in words, as FTS5's unicode61 tokenizer would roughly count them."""
    return sum(1 for _ in WORD.finditer(text))
