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
