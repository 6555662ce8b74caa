"""Running the built-in tools (code interpreter, file search) for the engine.

Each call yields the run-step tool call object (wire shape) and the text the model gets
back as the tool result.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground.runtime.engine.ports import CodeRunner, Searcher
from playground.runtime.engine.state import RunState
from playground.runtime.store import Store

log = logging.getLogger(__name__)

DEFAULT_MAX_RESULTS = 20
RANKER_USED = "default_2024_08_21"
#: Longest a search waits for files still being ingested into its vector stores.
INGESTION_WAIT_S = 60.0


@dataclass
class ToolOutcome:
    """One built-in call's step entry, model-facing result, and fatal error (if any)."""

    step_call: dict[str, Any]
    model_result: str
    fatal_error: str | None = None


def parse_arguments(arguments: str, key: str) -> str | None:
    """The string argument ``key`` from the model's JSON text (tolerating bare strings)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        # Small models sometimes send the code itself instead of {"code": ...}.
        return arguments if arguments.strip() else None
    if isinstance(value, dict) and isinstance(value.get(key), str):
        return str(value[key])
    if isinstance(value, str):
        return value
    return None


class BuiltinTools:
    """Code interpreter and file search as the engine uses them."""

    def __init__(
        self,
        store: Store,
        code: CodeRunner | None,
        search: Searcher | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._clock = clock
        self._code = code
        self._search = search
        self._copied: dict[str, set[str]] = {}

    @property
    def code_available(self) -> bool:
        return self._code is not None

    @property
    def search_available(self) -> bool:
        return self._search is not None

    # ------------------------------------------------------------ code interpreter
    async def _copy_inputs(self, run: dict[str, Any]) -> None:
        """Put the assistant's, thread's and attached files into the session folder once."""
        assert self._code is not None
        session = run["thread_id"]
        ids = await self._store.code_interpreter_file_ids_for(run["thread_id"], run["assistant_id"])
        resources = (run.get("tool_resources") or {}).get("code_interpreter") or {}
        ids = list(dict.fromkeys([*ids, *(resources.get("file_ids") or [])]))
        copied = self._copied.setdefault(session, set())
        for file_id in ids:
            if file_id in copied:
                continue
            meta = await self._store.get_file(file_id)
            if meta is None:
                continue  # deleted since it was attached; nothing to copy
            # Streamed from the store's file, never read whole into memory.
            await self._code.add_file_from(
                session, meta["filename"], self._store.file_path(file_id)
            )
            copied.add(file_id)

    async def run_code(
        self, run: dict[str, Any], state: RunState, call_id: str, arguments: str
    ) -> ToolOutcome:
        source = parse_arguments(arguments, "code") or ""
        step_call: dict[str, Any] = {
            "id": call_id,
            "type": "code_interpreter",
            "code_interpreter": {"input": source, "outputs": []},
        }
        if self._code is None:
            return ToolOutcome(step_call, "The code interpreter is not available on this server.")
        unavailable = self._code.unavailable_reason
        if unavailable is not None:
            # No sandbox and no --unsafe-code-interpreter: say so in the step and end the run.
            step_call["code_interpreter"]["outputs"].append({"type": "logs", "logs": unavailable})
            return ToolOutcome(step_call, f"Error: {unavailable}", fatal_error=unavailable)
        if not source.strip():
            return ToolOutcome(step_call, 'Error: no code given; call with {"code": "..."}.')
        await self._copy_inputs(run)
        session = run["thread_id"]
        result = await self._code.execute(session, source)
        outputs: list[dict[str, Any]] = step_call["code_interpreter"]["outputs"]
        if result.logs:
            outputs.append({"type": "logs", "logs": result.logs})
        for number, png in enumerate(result.images, start=1):
            meta = await self._store.create_file(
                png, f"{call_id}_{number}.png", "assistants_output"
            )
            outputs.append({"type": "image", "image": {"file_id": meta["id"]}})
            state.pending_images.append(meta["id"])
        workdir = self._code.workdir(session)
        written = []
        store_failure: str | None = None
        for path in result.new_files:
            try:
                name = path.relative_to(workdir).as_posix()
            except ValueError:
                name = path.name
            try:
                meta = await self._store_output(session, path)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    store_failure = (
                        f"The disk is full: the file /mnt/data/{name} the code wrote could "
                        "not be saved. Free some space and try again."
                    )
                    break
                log.warning("could not read produced file %s: %s", name, exc)
                continue
            state.produced_files[name] = meta["id"]
            written.append(name)
        lines = [result.logs.rstrip() if result.logs.strip() else "(no output)"]
        if result.images:
            lines.append(f"[{len(result.images)} image(s) were shown to the user]")
        for name in written:
            lines.append(f"[file written: /mnt/data/{name}; link it as sandbox:/mnt/data/{name}]")
        fatal = result.error if result.timed_out else store_failure
        return ToolOutcome(step_call, "\n".join(lines), fatal)

    async def _store_output(self, session: str, path: Path) -> dict[str, Any]:
        """Stream one produced file into the store (a copy by chunks, then a rename)."""
        assert self._code is not None
        temp = self._store.new_upload_path()
        fd = await asyncio.to_thread(self._code.open_output, session, path)

        def copy() -> int:
            try:
                with os.fdopen(fd, "rb") as source, open(temp, "xb") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
                    return target.tell()
            except BaseException:
                temp.unlink(missing_ok=True)
                raise

        size = await asyncio.to_thread(copy)
        return await self._store.adopt_file(temp, path.name, "assistants_output", size)

    # ------------------------------------------------------------ file search
    async def _wait_for_ingestion(self, store_ids: list[str]) -> None:
        """Files attached just before the run (v1 assistant files, message attachments) are
        still being read in the extraction child; like the hosted service, a search waits for
        them (up to ``INGESTION_WAIT_S``) instead of answering from a half-built index."""
        deadline = time.monotonic() + INGESTION_WAIT_S
        while await self._store.vector_stores_in_progress(store_ids):
            if time.monotonic() >= deadline:
                return  # search what is indexed; the files' own status says the rest
            await asyncio.sleep(0.05)

    async def run_search(
        self, run: dict[str, Any], state: RunState, call_id: str, arguments: str
    ) -> ToolOutcome:
        query = parse_arguments(arguments, "query") or ""
        tool: dict[str, Any] = next(
            (t for t in run.get("tools") or [] if t.get("type") == "file_search"), {}
        )
        options = tool.get("file_search") or {}
        ranking = options.get("ranking_options") or {}
        threshold = float(ranking.get("score_threshold") or 0.0)
        max_results = int(options.get("max_num_results") or DEFAULT_MAX_RESULTS)
        details: dict[str, Any] = {
            "ranking_options": {"ranker": RANKER_USED, "score_threshold": threshold},
            "results": [],
        }
        step_call = {"id": call_id, "type": "file_search", "file_search": details}
        if self._search is None:
            return ToolOutcome(step_call, "File search is not available on this server.")
        store_ids = await self._store.vector_store_ids_for(run["thread_id"], run["assistant_id"])
        run_resources = (run.get("tool_resources") or {}).get("file_search") or {}
        store_ids = list(
            dict.fromkeys([*(run_resources.get("vector_store_ids") or []), *store_ids])
        )
        if not query.strip():
            return ToolOutcome(step_call, 'Error: no query given; call with {"query": "..."}.')
        if not store_ids:
            return ToolOutcome(step_call, "There are no files to search in this conversation.")
        await self._wait_for_ingestion(store_ids)
        expired = await self._store.touch_vector_stores(store_ids, int(self._clock()))
        if expired:
            message = (
                f"The vector store {expired[0]} has expired, so this run cannot search it. "
                "Create a new vector store with the same files and attach it instead."
            )
            return ToolOutcome(step_call, f"Error: {message}", fatal_error=message)
        try:
            hits = await self._search.search(
                store_ids, query, max_results=max_results, score_threshold=threshold
            )
        except ValueError as exc:  # InvalidSearch and friends carry a plain message
            return ToolOutcome(step_call, f"Error: {exc}")
        search_number = state.searches
        state.searches += 1
        blocks = []
        for index, hit in enumerate(hits):
            details["results"].append(
                {
                    "file_id": hit.file_id,
                    "file_name": hit.filename,
                    "score": round(float(hit.score), 6),
                    "content": [{"type": "text", "text": hit.text}],
                }
            )
            state.citations[f"{search_number}:{index}"] = [hit.file_id, hit.filename]
            blocks.append(f"【{search_number}:{index}†{hit.filename}】\n{hit.text}")
        if not hits:
            return ToolOutcome(step_call, "No matching passages were found in the files.")
        state.uncited_search = search_number
        return ToolOutcome(step_call, "\n\n".join(blocks))
