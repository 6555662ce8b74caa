"""Fixtures for store tests: a store rooted in this test's ASSISTANTS_PLAYGROUND_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.store.paths import app_paths
from playground.store.store import Store, open_store


@pytest.fixture
def store(playground_home: Path) -> Store:
    return open_store()


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle`` (UTF-8 or UTF-16)."""
    hits: list[Path] = []
    patterns = [needle.encode("utf-8"), needle.encode("utf-16-le")]
    for path in root.rglob("*"):
        if path.is_file() and any(p in path.read_bytes() for p in patterns):
            hits.append(path)
    return hits


__all__ = ["app_paths", "files_containing"]
