"""How the window and the connector say which model answers the embedded runtime's runs.

The process manager itself is tested in ``tests/connection/test_embedded.py``.
"""

from __future__ import annotations

import pytest

from playground.connection.embedded import ModelSource
from playground.connector import embedded_description
from playground.runtime.model.llama_local import local_model_unavailable_reason
from tests.ui.shell_support import running_app

OFFLINE_SENTENCE = (
    "A tiny offline model (SmolLM2-135M) is answering — set a model endpoint (Ollama, vLLM, "
    "LM Studio, llama.cpp server, OpenAI, Azure) in Connections… for real answers."
)
#: What this machine's runtime uses when nothing is configured.
DEFAULT_SOURCE = (
    ModelSource.OFFLINE if local_model_unavailable_reason() is None else ModelSource.NONE
)


def test_descriptions_say_who_answers_and_what_to_do() -> None:
    root = "http://127.0.0.1:5000"
    offline = embedded_description(root, ModelSource.OFFLINE, "offline SmolLM2 (llama.cpp)")
    assert offline.startswith(f"Connected to the embedded runtime at {root}")
    assert OFFLINE_SENTENCE in offline
    none = embedded_description(root, ModelSource.NONE, "none (why)")
    assert "runs will fail" in none
    assert "make local-model" in none and "C compiler" in none
    assert "Connections…" in none
    endpoint = embedded_description(root, ModelSource.ENDPOINT, "qwen at http://gpu:8000/v1")
    assert (
        endpoint
        == f"Connected to the embedded runtime at {root} (model: qwen at http://gpu:8000/v1)"
    )


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen window sizing notes
async def test_window_says_which_model_answers_when_none_is_configured(
    qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLAYGROUND_MODEL_BASE_URL", raising=False)
    monkeypatch.delenv("PLAYGROUND_MODEL", raising=False)
    async with running_app(qtbot) as running:
        detail = running.parts.session.state_detail
        assert detail.startswith("Connected to the embedded runtime at http://127.0.0.1:")
        if DEFAULT_SOURCE is ModelSource.OFFLINE:
            assert OFFLINE_SENTENCE in detail
        else:
            assert "make local-model" in detail
