"""Turning a run and its thread into a Chat Completions request.

Rules (kept simple so every OpenAI-compatible server accepts the result):
- one ``system`` message with the run's effective instructions plus a short note per
  built-in tool (how to reach ``/mnt/data``, how to cite search results);
- thread messages as ``user``/``assistant`` messages; a user message's images become
  ``image_url`` parts (``data:`` URLs, see :mod:`.images`) next to its text, and the request
  also carries a text-only copy in which each image is a bracketed note, for models that
  cannot take images (the model falls back to it); attachments are bracketed notes;
- then the run's own turns (assistant tool calls and tool results) in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playground.runtime.engine.images import (
    MAX_REQUEST_IMAGE_BYTES,
    PromptImage,
    detail_of,
    image_file_ids,
)
from playground.runtime.model import ChatRequest

#: What an image costs in the token estimate (a low-detail image is 85 tokens).
IMAGE_TOKENS = 85
NOT_SEEN = "this model cannot see images"

CODE_TOOL = "code_interpreter"
SEARCH_TOOL = "file_search"

CODE_HINT = (
    "You can run Python code with the code_interpreter tool. Files the user shared are in "
    "/mnt/data. To give the user a file, save it in /mnt/data and link it as "
    "sandbox:/mnt/data/NAME."
)
SEARCH_HINT = (
    "You can search the user's files with the file_search tool. Each result starts with a "
    "marker like 【0:1†name】; put that marker right after a statement that uses it."
)

CODE_TOOL_DEF: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": CODE_TOOL,
        "description": "Run Python code in a stateful Jupyter kernel; files live in /mnt/data.",
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string", "description": "Python source to run."}},
            "required": ["code"],
        },
    },
}
SEARCH_TOOL_DEF: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": SEARCH_TOOL,
        "description": "Search the user's uploaded files and return the most relevant passages.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look for."}},
            "required": ["query"],
        },
    },
}


def chat_tools(
    run_tools: list[dict[str, Any]], *, code_available: bool, search_available: bool
) -> list[dict[str, Any]]:
    """Assistants tools as Chat Completions function tools (built-ins as named functions)."""
    tools: list[dict[str, Any]] = []
    for tool in run_tools:
        kind = tool.get("type")
        if kind == "function":
            fn = dict(tool.get("function") or {})
            fn.setdefault("parameters", {"type": "object", "properties": {}})
            if fn.get("strict") is None:
                fn.pop("strict", None)
            if fn.get("description") is None:
                fn.pop("description", None)
            tools.append({"type": "function", "function": fn})
        elif kind == CODE_TOOL and code_available:
            tools.append(CODE_TOOL_DEF)
        elif kind in (SEARCH_TOOL, "retrieval") and search_available:
            tools.append(SEARCH_TOOL_DEF)
    return tools


def chat_tool_choice(choice: Any, *, first_turn: bool) -> str | dict[str, Any] | None:
    """The run's tool_choice in chat form.

    Forcing a tool (``required`` or a named tool) applies to the first model call only;
    forcing it on every turn would make the model call tools forever.
    """
    if choice in (None, "auto"):
        return "auto" if choice else None
    if choice == "none":
        return "none"
    if not first_turn:
        return "auto"
    if choice == "required":
        return "required"
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind == "function":
            return {
                "type": "function",
                "function": {"name": (choice.get("function") or {}).get("name")},
            }
        if kind in (CODE_TOOL, SEARCH_TOOL):
            return {"type": "function", "function": {"name": kind}}
    return "auto"


def chat_response_format(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict) and value.get("type") in ("text", "json_object", "json_schema"):
        return value
    return None


def message_text(
    message: dict[str, Any],
    file_names: dict[str, str],
    image_note: str = "",
) -> str:
    """A stored thread message as one plain string for the model.

    ``image_note`` is added to each image's bracketed note (why the model gets no picture).
    """
    pieces: list[str] = []
    suffix = f": {image_note}" if image_note else ""
    for part in message.get("content") or []:
        kind = part.get("type")
        if kind == "text":
            text = part.get("text")
            pieces.append(text.get("value", "") if isinstance(text, dict) else str(text or ""))
        elif kind == "image_file":
            file_id = (part.get("image_file") or {}).get("file_id", "")
            pieces.append(f"[image file {file_names.get(file_id, file_id)}{suffix}]")
        elif kind == "image_url":
            pieces.append(f"[image {(part.get('image_url') or {}).get('url', '')}{suffix}]")
        elif kind == "refusal":
            pieces.append(str(part.get("refusal") or ""))
    notes = []
    for attachment in message.get("attachments") or []:
        file_id = attachment.get("file_id", "")
        name = file_names.get(file_id, file_id)
        tools = {t.get("type") for t in attachment.get("tools") or []}
        where = []
        if CODE_TOOL in tools:
            where.append(f"at /mnt/data/{name} for code_interpreter")
        if SEARCH_TOOL in tools:
            where.append("searchable with file_search")
        notes.append(f"{name} ({', '.join(where) or 'attached'})")
    if notes:
        pieces.append("[Attached files: " + "; ".join(notes) + "]")
    return "\n".join(p for p in pieces if p)


def _image_parts(
    message: dict[str, Any],
    file_names: dict[str, str],
    images: Mapping[str, PromptImage],
    budget: list[int],
) -> list[dict[str, Any]] | str | None:
    """A user message as text plus ``image_url`` parts; as text (saying why each image is
    not shown) when none can be shown; None when it has no images.

    ``budget`` holds the image bytes the request may still carry (shared by the messages,
    newest first); an image past it, or one that cannot be shown, stays a note saying why.
    """
    if message.get("role") != "user":
        return None  # Chat Completions takes images from the user only
    parts: list[dict[str, Any]] = []
    shown = 0
    text_pieces: list[str] = []

    def flush() -> None:
        if text_pieces:
            parts.append({"type": "text", "text": "\n".join(text_pieces)})
            text_pieces.clear()

    for part in message.get("content") or []:
        kind = part.get("type")
        if kind == "image_file":
            file_id = (part.get("image_file") or {}).get("file_id", "")
            image = images.get(file_id)
            name = file_names.get(file_id, file_id)
            if image is None or image.url is None:
                why = image.problem if image is not None else "it could not be read"
                text_pieces.append(f"[image file {name}: not shown to the model, {why}]")
                continue
            if image.size > budget[0]:
                text_pieces.append(
                    f"[image file {name}: not shown to the model, the request already "
                    "carries as many images as a model takes]"
                )
                continue
            budget[0] -= image.size
            flush()
            parts.append(_image_url_part(image.url, detail_of(part)))
            shown += 1
        elif kind == "image_url":
            url = str((part.get("image_url") or {}).get("url", ""))
            flush()
            parts.append(_image_url_part(url, detail_of(part)))
            shown += 1
        else:
            one = message_text({"content": [part]}, file_names)
            if one:
                text_pieces.append(one)
    if not image_file_ids(message) and not shown:
        return None
    notes = message_text({"content": [], "attachments": message.get("attachments")}, file_names)
    if notes:
        text_pieces.append(notes)
    if not shown:
        return "\n".join(text_pieces)
    flush()
    return parts


def _image_url_part(url: str, detail: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url}
    if detail:
        body["detail"] = detail
    return {"type": "image_url", "image_url": body}


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """A rough count (4 characters a token) for truncation when the server gives none."""
    chars = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            for part in content:
                if part.get("type") == "text":
                    chars += len(str(part.get("text") or ""))
                else:
                    chars += IMAGE_TOKENS * 4
        for call in message.get("tool_calls") or []:
            chars += len(str(call.get("function", {}).get("arguments", "")))
    return chars // 4 + 4 * len(messages)


def truncate_history(
    history: list[dict[str, Any]], strategy: Any, max_prompt_tokens: int | None
) -> list[dict[str, Any]]:
    """Apply ``truncation_strategy``: ``last_messages`` keeps the n newest; ``auto`` drops
    the oldest until the estimate fits ``max_prompt_tokens`` (the newest is always kept)."""
    if isinstance(strategy, dict) and strategy.get("type") == "last_messages":
        keep = strategy.get("last_messages")
        if isinstance(keep, int) and keep >= 1:
            history = history[-keep:]
    if max_prompt_tokens:
        while len(history) > 1 and estimate_tokens(history) > max_prompt_tokens:
            history = history[1:]
    return history


def build_request(
    run: dict[str, Any],
    thread_messages: list[dict[str, Any]],
    conversation: list[dict[str, Any]],
    file_names: dict[str, str],
    *,
    code_available: bool,
    search_available: bool,
    first_turn: bool,
    remaining_completion_tokens: int | None,
    images: Mapping[str, PromptImage] | None = None,
) -> ChatRequest:
    """The chat request for the next model call of ``run``.

    ``images`` are the thread's loaded ``image_file`` parts by file id; None for a model
    known not to see images (then every image is a note from the start).
    """
    run_tools = run.get("tools") or []
    kinds = {t.get("type") for t in run_tools}
    system_parts = [str(run.get("instructions") or "").strip()]
    if CODE_TOOL in kinds and code_available:
        system_parts.append(CODE_HINT)
    if kinds & {SEARCH_TOOL, "retrieval"} and search_available:
        system_parts.append(SEARCH_HINT)
    system = "\n\n".join(p for p in system_parts if p)

    earlier = [m for m in thread_messages if m.get("run_id") != run["id"]]
    # The text version: what a model without eyes is sent (each user image says so, so the
    # model can tell the person rather than guess); images replace notes below.
    history = [
        {
            "role": m.get("role", "user"),
            "content": message_text(m, file_names, NOT_SEEN if m.get("role") == "user" else ""),
        }
        for m in earlier
    ]
    history = truncate_history(
        history, run.get("truncation_strategy"), run.get("max_prompt_tokens")
    )
    kept = earlier[len(earlier) - len(history) :]
    seen = list(history)
    if images is not None:
        budget = [MAX_REQUEST_IMAGE_BYTES]
        for index in range(len(kept) - 1, -1, -1):  # newest first get the image budget
            parts = _image_parts(kept[index], file_names, images, budget)
            if parts is not None:
                seen[index] = {"role": "user", "content": parts}
    head: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    messages = [*head, *seen, *conversation]
    with_images = any(isinstance(m["content"], list) for m in seen)
    text_only = [*head, *history, *conversation] if with_images else None

    tools = chat_tools(run_tools, code_available=code_available, search_available=search_available)
    return ChatRequest(
        messages=messages,
        messages_without_images=text_only,
        tools=tools,
        tool_choice=chat_tool_choice(run.get("tool_choice"), first_turn=first_turn)
        if tools
        else None,
        parallel_tool_calls=(
            bool(run.get("parallel_tool_calls", True))
            if tools and run.get("parallel_tool_calls") is False
            else None
        ),
        temperature=run.get("temperature"),
        top_p=run.get("top_p"),
        max_tokens=remaining_completion_tokens,
        response_format=chat_response_format(run.get("response_format")),
    )
