from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from playground.store.store import Store, open_store


def test_save_load_overwrite_and_clear(store: Store) -> None:
    store.drafts.save("p1", "thread_a", "hello", ["/tmp/a.csv", "file-123"])
    store.drafts.save("p1", "thread_a", "hello world", ["file-123"])
    draft = store.drafts.load("p1", "thread_a")
    assert draft is not None
    assert draft.text == "hello world"
    assert draft.attachments == ["file-123"]
    assert store.drafts.load("p2", "thread_a") is None
    store.drafts.clear("p1", "thread_a")
    assert store.drafts.load("p1", "thread_a") is None


def test_empty_draft_is_deleted(store: Store) -> None:
    store.drafts.save("p1", "thread_a", "x")
    store.drafts.save("p1", "thread_a", "")
    assert store.drafts.load("p1", "thread_a") is None


def test_new_thread_draft_moves_to_the_created_thread(store: Store) -> None:
    store.drafts.save("p1", None, "first message")
    assert store.drafts.load("p1", None).text == "first message"  # type: ignore[union-attr]
    store.drafts.move("p1", None, "thread_new")
    assert store.drafts.load("p1", None) is None
    assert store.drafts.load("p1", "thread_new").text == "first message"  # type: ignore[union-attr]


def test_draft_survives_a_crash(store: Store, playground_home: Path) -> None:
    """A process that saves and then dies without any clean-up must not lose the draft."""
    script = textwrap.dedent(
        """
        import os
        from playground.store.store import open_store
        s = open_store()
        s.drafts.save("p1", "thread_a", "typed before the crash \\u2603")
        os._exit(137)  # no atexit, no close, no flush of Python objects
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 137, result.stderr
    draft = open_store().drafts.load("p1", "thread_a")
    assert draft is not None
    assert draft.text == "typed before the crash \u2603"
