"""``tool_resources`` in requests: validation, inline vector stores, v1 ``file_ids``."""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..store import Obj
from . import validate
from .context import Context
from .ingest import chunking_strategy, create_vector_store, require_files


async def tool_resources(
    context: Context, body: dict[str, Any], *, create_form: bool, key: str = "tool_resources"
) -> Obj | None:
    """The stored form of ``body[key]`` (None when absent).

    The create form may carry ``file_search.vector_stores`` (≤1): that store is created
    here and its id stored instead, as OpenAI does.
    """
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f"Invalid type for '{key}': expected an object.", param=key)
    out: Obj = {}
    code = value.get("code_interpreter")
    if code is not None:
        if not isinstance(code, dict):
            raise bad_request(
                f"Invalid type for '{key}.code_interpreter': expected an object.",
                param=f"{key}.code_interpreter",
            )
        param = f"{key}.code_interpreter.file_ids"
        file_ids = validate.string_list(code, "file_ids", max_items=20, param=param) or []
        await require_files(context, file_ids, param)
        out["code_interpreter"] = {"file_ids": file_ids}
    search = value.get("file_search")
    if search is not None:
        if not isinstance(search, dict):
            raise bad_request(
                f"Invalid type for '{key}.file_search': expected an object.",
                param=f"{key}.file_search",
            )
        out["file_search"] = {
            "vector_store_ids": await _search_stores(context, search, key, create_form)
        }
    return out


async def _search_stores(
    context: Context, search: dict[str, Any], key: str, create_form: bool
) -> list[str]:
    param = f"{key}.file_search"
    if create_form:
        validate.only_one_of(search, "vector_store_ids", "vector_stores")
    ids = validate.string_list(
        search, "vector_store_ids", max_items=1, param=f"{param}.vector_store_ids"
    )
    for index, vs_id in enumerate(ids or []):
        if await context.store.get_vector_store(vs_id) is None:
            raise bad_request(
                f"No vector store found with id '{vs_id}'.",
                param=f"{param}.vector_store_ids[{index}]",
            )
    inline = search.get("vector_stores")
    if inline is None:
        return ids or []
    if not create_form:
        raise bad_request(
            f"'{param}.vector_stores' is only accepted when creating an object.",
            param=f"{param}.vector_stores",
        )
    if not isinstance(inline, list) or len(inline) > 1:
        raise bad_request(
            f"'{param}.vector_stores' must be an array with at most 1 item.",
            param=f"{param}.vector_stores",
        )
    created: list[str] = []
    for index, spec in enumerate(inline):
        item_param = f"{param}.vector_stores[{index}]"
        if not isinstance(spec, dict):
            raise bad_request(
                f"Invalid type for '{item_param}': expected an object.", param=item_param
            )
        file_ids = (
            validate.string_list(spec, "file_ids", max_items=10000, param=f"{item_param}.file_ids")
            or []
        )
        await require_files(context, file_ids, f"{item_param}.file_ids")
        chunking = chunking_strategy(
            spec.get("chunking_strategy"), f"{item_param}.chunking_strategy"
        )
        store = await create_vector_store(
            context,
            file_ids=file_ids,
            chunking=chunking,
            metadata=validate.metadata(spec),
        )
        created.append(store["id"])
    return created


async def v1_file_ids(
    context: Context, body: dict[str, Any], tools: list[Obj], max_items: int = 20
) -> Obj | None:
    """Map a v1 assistant's ``file_ids`` to v2 ``tool_resources``.

    The files serve code interpreter; when the assistant has retrieval (stored as
    ``file_search``), a vector store holding them is created too.
    """
    file_ids = validate.string_list(body, "file_ids", max_items=max_items)
    if file_ids is None:
        return None
    await require_files(context, file_ids, "file_ids")
    resources: Obj = {"code_interpreter": {"file_ids": file_ids}}
    if file_ids and any(t["type"] == "file_search" for t in tools):
        store = await create_vector_store(context, name="v1 retrieval files", file_ids=file_ids)
        resources["file_search"] = {"vector_store_ids": [store["id"]]}
    return resources
