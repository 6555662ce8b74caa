"""Which model answers runs: a configured endpoint, the offline default, or none.

One place decides, so the startup ``model:`` line, ``GET /models`` and the model the engine
actually calls can never disagree. Order of preference:

1. ``--model-base-url``: any OpenAI-compatible Chat Completions endpoint.
2. Otherwise the bundled offline model (SmolLM2-135M via llama-cpp-python) when it can run,
   so a fresh install answers without any setup — unless ``--no-local-model`` turned it off.
3. Otherwise nothing: every run fails with a message saying what to install or configure.

The ``model:`` line is read by the window (``playground/connection/embedded.py``), which tells
the three cases apart by its first word: ``offline ...``, ``none ...`` or ``NAME at URL``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from .config import RuntimeConfig
from .model import ChatModel, ChatRequest, ModelError, OpenAIChatModel
from .model.llama_local import MODEL_ID, default_local_model, local_model_unavailable_reason
from .model.types import ChatChunk

#: First words of the ``model:`` line; the window matches on them.
OFFLINE_PREFIX = "offline "
NONE_PREFIX = "none"

_LOCAL_OFF_REASON = "The offline model is turned off (--no-local-model)."


class ModelSource(StrEnum):
    ENDPOINT = "endpoint"
    OFFLINE = "offline"
    NONE = "none"


@dataclass(frozen=True)
class ModelChoice:
    """The decision, with the words the startup line and failed runs use."""

    source: ModelSource
    #: What ``GET /models`` lists; None when no model can answer.
    model_id: str | None
    #: The text after ``model: `` on the startup line.
    description: str
    #: Why no model can answer (only for ``ModelSource.NONE``).
    unavailable_reason: str | None = None


def _without_credentials(url: str) -> str:
    """The URL as safe to print: any ``user:password@`` part is dropped."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def choose_model(config: RuntimeConfig) -> ModelChoice:
    """Decide without loading anything (the offline weights load on the first request)."""
    if config.model_base_url:
        name = config.model or "default"
        return ModelChoice(
            ModelSource.ENDPOINT,
            name,
            f"{name} at {_without_credentials(config.model_base_url)}",
        )
    reason = _LOCAL_OFF_REASON if not config.use_local_model else local_model_unavailable_reason()
    if reason is None:
        return ModelChoice(ModelSource.OFFLINE, MODEL_ID, f"{OFFLINE_PREFIX}{MODEL_ID} (llama.cpp)")
    return ModelChoice(ModelSource.NONE, None, f"{NONE_PREFIX} ({reason})", reason)


def no_model_message(reason: str | None) -> str:
    """What a run's ``last_error`` says when no model can answer: what to do, plainly."""
    message = (
        "No model is available to answer this run. Point the runtime at a model endpoint "
        "(any OpenAI-compatible Chat Completions server: Ollama, vLLM, LM Studio, llama.cpp "
        "server, OpenAI, an Azure chat deployment): in the playground, set it in Connections…; "
        "when running the server yourself, start it with --model-base-url URL --model NAME."
    )
    return f"{message} {reason}" if reason else message


class UnconfiguredModel:
    """Stands in when no model can answer: every run fails saying why and what to do."""

    def __init__(self, reason: str | None = None) -> None:
        self.message = no_model_message(reason)

    @property
    def sees_images(self) -> bool | None:
        return False

    async def complete(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        raise ModelError(self.message)
        yield  # pragma: no cover - makes this an async generator

    async def aclose(self) -> None:
        return None


def build_model(config: RuntimeConfig, choice: ModelChoice | None = None) -> ChatModel:
    """The model the engine calls, following :func:`choose_model`'s decision."""
    choice = choice or choose_model(config)
    if choice.source is ModelSource.ENDPOINT:
        assert config.model_base_url is not None
        return OpenAIChatModel(
            config.model_base_url, choice.model_id or "default", config.model_api_key
        )
    if choice.source is ModelSource.OFFLINE:
        local = default_local_model()
        if local is not None:
            return local
        # Became unavailable between the decision and now (e.g. files removed): say so.
        return UnconfiguredModel(local_model_unavailable_reason())
    return UnconfiguredModel(choice.unavailable_reason)
