"""Shared plumbing of the resource groups: path segments, bodies, parse, list, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from ...protocol import DeletedObject, ListPage, RequestModel, to_body
from ..constants import POLL_AFTER_HEADER
from ..errors import InvalidRequestError, UnsupportedFeatureError
from ..http_errors import parse, request_id
from ..pagination import AsyncPager
from ..transport import Call, Transport
from ..wire_extras import Fetched

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", bound=RequestModel)

#: The one ``include[]`` value the API defines (file-search result text in steps).
FILE_SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


def seg(value: str, what: str) -> str:
    """An id made safe as one path segment, or a plain-words error."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"The {what} is empty.")
    if any(c in value for c in "/?#") or any(c.isspace() for c in value):
        raise InvalidRequestError(f"{value!r} is not a valid {what}.")
    return quote(value, safe="")


def request_body(request: R | Mapping[str, Any] | None, model: type[R]) -> dict[str, Any]:
    """Validate a request (model or plain mapping) and dump only the fields set."""
    if request is None:
        return {}
    if isinstance(request, model):
        return to_body(request)
    if isinstance(request, BaseModel):
        raise InvalidRequestError(
            f"Expected a {model.__name__} request, got a {type(request).__name__}."
        )
    try:
        return to_body(model.model_validate(dict(request)))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the request"
        raise InvalidRequestError(f"Invalid {model.__name__}: {first['msg']} at {where}.") from exc


def include_params(include: Iterable[str] | None) -> tuple[tuple[str, str], ...]:
    """``include[]=...`` pairs in the SDK's brackets format."""
    return tuple(("include[]", value) for value in include or ())


def poll_after(response: httpx.Response) -> int | None:
    raw = response.headers.get(POLL_AFTER_HEADER)
    try:
        return int(float(raw)) if raw is not None else None
    except ValueError:
        return None


class Resource:
    """A resource group bound to one transport (and through it, one dialect)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    @property
    def family(self) -> str:
        return self._t.dialect.family

    def _require(self, family: str, what: str) -> None:
        if self._t.dialect.family != family:
            raise UnsupportedFeatureError(
                f"{what} exist only in Assistants {family}; this connection speaks "
                f"{self._t.dialect.family}."
            )

    async def _call(self, call: Call, model: type[M], what: str) -> M:
        return parse(await self._t.send(call), model, what)

    async def _fetch(self, call: Call, model: type[M], what: str) -> Fetched[M]:
        response = await self._t.send(call)
        return Fetched(parse(response, model, what), poll_after(response), request_id(response))

    async def _get(
        self, path: str, model: type[M], what: str, params: tuple[tuple[str, str], ...] = ()
    ) -> M:
        return await self._call(Call("GET", path, params=params), model, what)

    async def _post(
        self,
        path: str,
        body: dict[str, Any] | None,
        model: type[M],
        what: str,
        *,
        idempotent: bool = True,
        params: tuple[tuple[str, str], ...] = (),
    ) -> M:
        call = Call("POST", path, params=params, json=body or {}, idempotent=idempotent)
        return await self._call(call, model, what)

    async def _delete(self, path: str, what: str) -> DeletedObject:
        return await self._call(Call("DELETE", path), DeletedObject, f"{what} deletion")

    def _pager(
        self,
        path: str,
        item: type[Any],
        what: str,
        params: list[tuple[str, str]],
        fixed: tuple[tuple[str, str], ...] = (),
    ) -> AsyncPager[Any]:
        raw_model = ListPage[Any]

        async def fetch(query: list[tuple[str, str]]) -> Any:
            raw = await self._get(path, raw_model, f"list of {what}", (*fixed, *query))
            # Item by item: one malformed item must not empty the whole list.
            valid: list[Any] = []
            for entry in raw.data:
                try:
                    valid.append(item.model_validate(entry))
                except ValidationError as exc:
                    pager.invalid.append(_invalid_item(entry, what, exc))
            return raw.model_copy(update={"data": valid})

        pager: AsyncPager[Any] = AsyncPager(fetch, params)
        return pager


def _invalid_item(entry: Any, what: str, exc: ValidationError) -> str:
    """Plain words for one list item that could not be read."""
    ident = entry.get("id") if isinstance(entry, dict) else None
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "the item"
    name = f"“{ident}”" if isinstance(ident, str) and ident else "an item"
    return f"{name} in the {what} could not be read ({first['msg']} at {where})"
