"""``tool_resources`` in requests: file checks, inline vector stores, v1 ``file_ids``.

Shapes and limits were checked by the protocol request models; what is left here needs
the store: do the files and vector stores exist, and creating inline vector stores.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..store import Obj
from .context import Context
from .ingest import chunking_strategy, create_vector_store, require_files


async def tool_resources(
    context: Context,
    value: dict[str, Any] | None,
    *,
    create_form: bool,
    key: str = "tool_resources",
) -> Obj | None:
    """The stored form of a parsed ``tool_resources`` (None when absent).

    The create form may carry ``file_search.vector_stores`` (≤1): that store is created
    here and its id stored instead, as OpenAI does.
    """
    if value is None:
        return None
    out: Obj = {}
    code = value.get("code_interpreter")
    if code is not None:
        param = f"{key}.code_interpreter.file_ids"
        file_ids = list(code.get("file_ids") or [])
        await require_files(context, file_ids, param)
        out["code_interpreter"] = {"file_ids": file_ids}
    search = value.get("file_search")
    if search is not None:
        out["file_search"] = {
            "vector_store_ids": await _search_stores(context, search, key, create_form)
        }
    return out


async def _search_stores(
    context: Context, search: dict[str, Any], key: str, create_form: bool
) -> list[str]:
    param = f"{key}.file_search"
    ids: list[str] = list(search.get("vector_store_ids") or [])
    for index, vs_id in enumerate(ids):
        if await context.store.get_vector_store(vs_id) is None:
            raise bad_request(
                f"No vector store found with id '{vs_id}'.",
                param=f"{param}.vector_store_ids[{index}]",
            )
    inline = search.get("vector_stores")
    if inline is None:
        return ids
    if not create_form:  # the modify models have no such field; kept as a guard
        raise bad_request(
            f"'{param}.vector_stores' is only accepted when creating an object.",
            param=f"{param}.vector_stores",
        )
    created: list[str] = []
    for index, spec in enumerate(inline):
        item_param = f"{param}.vector_stores[{index}]"
        file_ids = list(spec.get("file_ids") or [])
        await require_files(context, file_ids, f"{item_param}.file_ids")
        chunking = chunking_strategy(
            spec.get("chunking_strategy"), f"{item_param}.chunking_strategy"
        )
        store = await create_vector_store(
            context, file_ids=file_ids, chunking=chunking, metadata=spec.get("metadata")
        )
        created.append(store["id"])
    return created


async def v1_file_ids(context: Context, file_ids: list[str] | None, tools: list[Obj]) -> Obj | None:
    """Map a v1 assistant's ``file_ids`` to v2 ``tool_resources``.

    The files serve code interpreter; when the assistant has retrieval (stored as
    ``file_search``), a vector store holding them is created too.
    """
    if file_ids is None:
        return None
    await require_files(context, file_ids, "file_ids")
    resources: Obj = {"code_interpreter": {"file_ids": list(file_ids)}}
    if file_ids and any(t["type"] == "file_search" for t in tools):
        store = await create_vector_store(context, name="v1 retrieval files", file_ids=file_ids)
        resources["file_search"] = {"vector_store_ids": [store["id"]]}
    return resources
