"""Cursor pagination as async iteration.

``client.assistants.list(limit=20)`` returns an :class:`AsyncPager` at once (no await),
so both read naturally::

    async for assistant in client.assistants.list(limit=50): ...   # every item
    page = await client.assistants.list(limit=50).page()             # one page

Auto-paging follows the SDK (wire reference §1.5): stop when ``has_more`` is false or a
page is empty, otherwise ask again with ``after`` = the id of the page's last item. Unlike
the SDK it also stops after ``max_pages`` pages (a server saying ``has_more`` forever was
once asked 45 times a second, without end) and says so in ``truncated``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from ..protocol import ListPage
from .constants import MAX_LIST_PAGES
from .errors import APIResponseValidationError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Fetches one page for the given query parameters.
PageFetcher = Callable[[list[tuple[str, str]]], Awaitable[ListPage[T]]]


def list_params(
    *,
    limit: int | None = None,
    order: str | None = None,
    after: str | None = None,
    before: str | None = None,
    **extra: str | None,
) -> list[tuple[str, str]]:
    """The query of a list call, skipping unset values, in a stable order."""
    if order is not None and order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', not {order!r}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    pairs: list[tuple[str, str]] = []
    for key, value in (("limit", limit), ("order", order), ("after", after), ("before", before)):
        if value is not None:
            pairs.append((key, str(value)))
    pairs += [(k, v) for k, v in extra.items() if v is not None]
    return pairs


def _item_id(item: Any) -> str:
    value = getattr(item, "id", None)
    if not isinstance(value, str) or not value:
        raise APIResponseValidationError(
            "A list page held an item without an id, so the next page cannot be asked for."
        )
    return value


class AsyncPager(Generic[T]):
    """Lazily pages through a cursor list; iterate it or call :meth:`page`."""

    def __init__(
        self,
        fetch: PageFetcher[T],
        params: list[tuple[str, str]],
        *,
        max_pages: int = MAX_LIST_PAGES,
    ) -> None:
        self._fetch = fetch
        self._params = params
        self.max_pages = max_pages
        #: True after iteration stopped at ``max_pages`` while the server still said has_more.
        self.truncated = False
        #: Items of fetched pages that could not be read, in plain words (they are skipped).
        self.invalid: list[str] = []

    @property
    def notice(self) -> str:
        """Plain words for a truncated listing or unreadable items (``""`` when all is well)."""
        parts: list[str] = []
        if self.truncated:
            parts.append(
                f"The server kept saying there was more after {self.max_pages} pages, so only "
                "those were read."
            )
        if self.invalid:
            shown = "; ".join(self.invalid[:3])
            more = f" (and {len(self.invalid) - 3} more)" if len(self.invalid) > 3 else ""
            parts.append(f"Skipped {len(self.invalid)} unreadable item(s): {shown}{more}.")
        return " ".join(parts)

    async def page(self, *, after: str | None = None, before: str | None = None) -> ListPage[T]:
        """One page; ``after``/``before`` override the cursors given to ``list()``."""
        params = list(self._params)
        if after is not None or before is not None:
            params = [(k, v) for k, v in params if k not in ("after", "before")]
            params += list_params(after=after, before=before)
        return await self._fetch(params)

    async def __aiter__(self) -> AsyncIterator[T]:
        params = list(self._params)
        seen: set[str] = set()
        self.truncated = False
        pages = 0
        while True:
            page = await self._fetch(params)
            pages += 1
            for item in page.data:
                yield item
            if not page.has_more or not page.data:
                return
            if pages >= self.max_pages:
                self.truncated = True
                log.warning("listing stopped after %d pages; the server still said has_more", pages)
                return
            cursor = _item_id(page.data[-1])
            if cursor in seen:  # a server that ignores `after` would loop forever
                raise APIResponseValidationError(
                    "The server returned the same page twice; it seems to ignore the "
                    "'after' cursor, so listing stopped."
                )
            seen.add(cursor)
            params = [(k, v) for k, v in params if k not in ("after", "before")]
            params.append(("after", cursor))

    async def to_list(self, max_items: int | None = None) -> list[T]:
        """Collect items (all, or the first ``max_items``)."""
        items: list[T] = []
        async for item in self:
            items.append(item)
            if max_items is not None and len(items) >= max_items:
                break
        return items
