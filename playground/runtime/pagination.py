"""Cursor pagination per reference §1.5: limit, order, after, before, has_more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from .errors import bad_request


@dataclass(frozen=True)
class PageQuery:
    """A parsed list request. ``order`` is by creation (insertion) order."""

    limit: int = 20
    order: str = "desc"
    after: str | None = None
    before: str | None = None


def parse_page_query(
    params: QueryParams,
    *,
    max_limit: int = 100,
    default_limit: int = 20,
    allow_before: bool = True,
) -> PageQuery:
    """Read limit/order/after/before, answering 400 with the offending param when invalid."""
    raw_limit = params.get("limit")
    limit = default_limit
    if raw_limit is not None and raw_limit != "":
        try:
            limit = int(raw_limit)
        except ValueError:
            raise bad_request(
                f"Invalid 'limit': expected an integer, got '{raw_limit}'.", param="limit"
            ) from None
        if not 1 <= limit <= max_limit:
            raise bad_request(
                f"Invalid 'limit': must be between 1 and {max_limit}, got {limit}.",
                param="limit",
            )
    order = params.get("order") or "desc"
    if order not in ("asc", "desc"):
        raise bad_request(
            f"Invalid 'order': expected 'asc' or 'desc', got '{order}'.", param="order"
        )
    before = params.get("before") or None
    if before is not None and not allow_before:
        raise bad_request("This list does not support the 'before' parameter.", param="before")
    return PageQuery(limit=limit, order=order, after=params.get("after") or None, before=before)


def list_envelope(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """The list object; first_id/last_id are null on an empty page."""
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def paginate_in_memory(
    items: list[dict[str, Any]], query: PageQuery
) -> tuple[list[dict[str, Any]], bool]:
    """Page a list already in ascending creation order (for derived lists, e.g. v1 files).

    A cursor naming an id that is not in the list is a 400, as for stored lists.
    """
    ordered = items if query.order == "asc" else list(reversed(items))
    ids = [item["id"] for item in ordered]
    for name, cursor in (("after", query.after), ("before", query.before)):
        if cursor is not None and cursor not in ids:
            raise bad_request(
                f"Invalid '{name}': no object with id '{cursor}' in this list.", param=name
            )
    start = ids.index(query.after) + 1 if query.after is not None else 0
    stop = ids.index(query.before) if query.before is not None else len(ordered)
    window = ordered[start:stop] if start < stop else []
    if query.before is not None and query.after is None:
        page = window[-query.limit :]
        return page, len(window) > len(page)
    page = window[: query.limit]
    return page, len(window) > len(page)
