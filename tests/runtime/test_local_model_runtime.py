"""The runtime process with no ``--model-base-url``: the offline model is the default.

Everything goes through the REAL server process and the official ``openai`` SDK, exactly as
an Assistants-API program would use the runtime on a machine with nothing configured. The
model tests are slow (the bundled SmolLM2 generates on the CPU) and skipped, with the
reason, only where llama-cpp-python is not installed; the ``--no-local-model`` test runs
everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from playground.runtime.model.llama_local import MODEL_ID
from tests.helpers.runtime_process import (
    RuntimeServer,
    http_client,
    sdk_client,
    start_runtime,
)
from tests.helpers.weather_tool import WEATHER, WEATHER_PARAMS

needs_llama = pytest.mark.offline_model


def _model_lines(server: RuntimeServer) -> list[str]:
    return [line for line in server.stdout_lines if line.startswith("model: ")]


@pytest.fixture(scope="module")
def offline_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    """A server started as a person would start it: no model options at all."""
    with start_runtime(tmp_path_factory.mktemp("offline") / "data") as server:
        yield server


@pytest.mark.slow
@needs_llama
def test_startup_names_the_offline_model_before_listening(
    offline_runtime: RuntimeServer,
) -> None:
    lines = offline_runtime.stdout_lines
    assert _model_lines(offline_runtime) == [f"model: offline {MODEL_ID} (llama.cpp)"]
    # ``listening on`` is the line readers wait for, so it must come last.
    assert lines[-1].startswith("listening on ")
    assert lines.index(_model_lines(offline_runtime)[0]) < len(lines) - 1
    with http_client(offline_runtime) as client:
        listed = client.get("/models").json()
        assert [m["id"] for m in listed["data"]] == [MODEL_ID]
        assert client.get(f"/models/{MODEL_ID}").json()["id"] == MODEL_ID


@pytest.mark.slow
@needs_llama
def test_offline_model_answers_a_chat_message(offline_runtime: RuntimeServer) -> None:
    sdk = sdk_client(offline_runtime, timeout=60)
    try:
        assistant = sdk.beta.assistants.create(
            model=MODEL_ID,
            name="Offline",
            instructions="Answer in one short sentence.",
            temperature=0.0,
        )
        thread = sdk.beta.threads.create(
            messages=[{"role": "user", "content": "What is the capital of France?"}]
        )
        run = sdk.beta.threads.runs.create_and_poll(
            thread_id=thread.id,
            assistant_id=assistant.id,
            max_completion_tokens=256,
            poll_interval_ms=100,
        )
        assert run.status == "completed", run.last_error
        messages = sdk.beta.threads.messages.list(thread.id, order="asc").data
        assert [m.role for m in messages] == ["user", "assistant"]
        answer = messages[1].content[0]
        assert answer.type == "text"
        assert answer.text.value.strip()
        assert run.usage is not None and run.usage.completion_tokens > 0
    finally:
        sdk.close()


@pytest.mark.slow
@needs_llama
def test_forced_tool_choice_pauses_with_valid_arguments(offline_runtime: RuntimeServer) -> None:
    sdk = sdk_client(offline_runtime, timeout=60)
    try:
        assistant = sdk.beta.assistants.create(
            model=MODEL_ID, name="Weather", tools=[WEATHER], temperature=0.0
        )
        thread = sdk.beta.threads.create(
            messages=[{"role": "user", "content": "How warm is it in Paris right now?"}]
        )
        run = sdk.beta.threads.runs.create_and_poll(
            thread_id=thread.id,
            assistant_id=assistant.id,
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            max_completion_tokens=256,
            poll_interval_ms=100,
        )
        assert run.status == "requires_action", run.last_error
        assert run.required_action is not None
        calls = run.required_action.submit_tool_outputs.tool_calls
        assert len(calls) == 1
        assert calls[0].function.name == "get_weather"
        jsonschema.validate(json.loads(calls[0].function.arguments), WEATHER_PARAMS)
        # Close the run so the module's server shuts down without a paused run.
        sdk.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    finally:
        sdk.close()


def test_no_local_model_flag_gives_the_plain_failure(tmp_path: Path) -> None:
    with start_runtime(tmp_path / "data", extra_args=["--no-local-model"]) as server:
        model_lines = _model_lines(server)
        assert len(model_lines) == 1 and model_lines[0].startswith("model: none (")
        assert "--no-local-model" in model_lines[0]
        assert server.stdout_lines[-1].startswith("listening on ")
        sdk = sdk_client(server)
        try:
            assert sdk.models.list().data == []
            assistant = sdk.beta.assistants.create(model="anything")
            thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
            run = sdk.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
            )
        finally:
            sdk.close()
    assert run.status == "failed"
    assert run.last_error is not None
    assert run.last_error.code == "server_error"
    message = run.last_error.message
    assert "No model is available" in message
    assert "--model-base-url" in message and "Connections" in message
    assert "--no-local-model" in message  # says why the offline default did not answer
