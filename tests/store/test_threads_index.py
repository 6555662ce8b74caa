from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path

import pytest

from playground.store.errors import InvalidInputError, MissingRecordError
from playground.store.paths import app_paths
from playground.store.store import Store, open_store
from playground.store.threads_index import ThreadIndex


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strictly increasing timestamps so ordering by last use is deterministic."""
    ticks = itertools.count(1000.0)
    monkeypatch.setattr("playground.store.threads_index.time.time", lambda: next(ticks))


@pytest.mark.usefixtures("clock")
def test_add_list_touch_rename(store: Store) -> None:
    idx = store.threads
    idx.add("p1", "thread_a", title="First", assistant_id="asst_1")
    idx.add("p1", "thread_b")
    idx.add("p2", "thread_c")
    assert [t.thread_id for t in idx.list_threads("p1")] == ["thread_b", "thread_a"]
    idx.touch("p1", "thread_a")
    assert [t.thread_id for t in idx.list_threads("p1")] == ["thread_a", "thread_b"]
    renamed = idx.rename("p1", "thread_b", "  Second  ")
    assert renamed.title == "Second"
    b = idx.get("p1", "thread_b")
    assert b is not None and b.display_title == "Second"
    a = idx.get("p1", "thread_a")
    assert a is not None and a.assistant_id == "asst_1"
    assert [t.thread_id for t in idx.list_threads("p2")] == ["thread_c"]
    assert idx.get("p2", "thread_c").display_title == "thread_c"  # type: ignore[union-attr]


@pytest.mark.usefixtures("clock")
def test_delete_marks_and_open_by_id_revives(store: Store) -> None:
    idx = store.threads
    idx.add("p1", "thread_a", title="Keep my title")
    idx.mark_deleted("p1", "thread_a")
    assert idx.list_threads("p1") == []
    hidden = idx.list_threads("p1", include_deleted=True)
    assert [(t.thread_id, t.deleted) for t in hidden] == [("thread_a", True)]
    revived = idx.add("p1", " thread_a ")  # opened by id again, pasted with spaces
    assert revived.deleted is False
    assert revived.title == "Keep my title"


def test_remove_forgets_thread_and_draft(store: Store) -> None:
    store.threads.add("p1", "thread_a")
    store.drafts.save("p1", "thread_a", "unsent")
    store.threads.remove("p1", "thread_a")
    assert store.threads.get("p1", "thread_a") is None
    assert store.drafts.load("p1", "thread_a") is None


@pytest.mark.parametrize("bad", ["", "   ", "thread a", "../thread", "thread_\n1", "x" * 300])
def test_bad_ids_are_refused_in_plain_words(store: Store, bad: str) -> None:
    with pytest.raises(InvalidInputError, match="thread id"):
        store.threads.add("p1", bad)


def test_operations_on_unknown_threads_say_so(store: Store) -> None:
    with pytest.raises(MissingRecordError, match="not in the local list"):
        store.threads.rename("p1", "thread_zzz", "x")
    with pytest.raises(MissingRecordError):
        store.threads.mark_deleted("p1", "thread_zzz")


def test_concurrent_writers_from_threads(store: Store) -> None:
    idx = ThreadIndex(store.db)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                idx.add("p1", f"thread_{n}_{i}")
                idx.touch("p1", f"thread_{n}_{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(idx.list_threads("p1")) == 90


def test_last_place_round_trip_and_forget(store: Store) -> None:
    from playground.store.last_place import Place

    places = store.last_place
    assert places.recall("prof") is None
    places.remember("prof", Place(thread_id="thread_1", assistant_id="asst_1"))
    places.remember("prof", Place(thread_id=None, assistant_id="asst_2"))
    assert places.recall("prof") == Place(thread_id=None, assistant_id="asst_2")
    assert places.recall("other") is None
    places.forget("prof")
    assert places.recall("prof") is None


def test_run_anchors_per_thread_and_forgotten_with_the_thread(store: Store) -> None:
    idx = store.threads
    idx.add("p1", "thread_a")
    idx.anchor_run("p1", "thread_a", "run_1", "msg_1")
    idx.anchor_run("p1", "thread_a", "run_2", "msg_2")
    idx.anchor_run("p1", "thread_b", "run_3", "msg_3")  # a thread not in the list yet
    idx.anchor_run("p2", "thread_a", "run_4", "msg_4")
    assert idx.run_anchors("p1", "thread_a") == {"run_1": "msg_1", "run_2": "msg_2"}
    assert idx.run_anchors("p1", "thread_b") == {"run_3": "msg_3"}
    idx.remove("p1", "thread_a")
    assert idx.run_anchors("p1", "thread_a") == {}
    assert idx.run_anchors("p2", "thread_a") == {"run_4": "msg_4"}


def test_a_database_from_before_run_anchors_gains_them_and_keeps_its_threads(
    playground_home: Path,
) -> None:
    """A store written by the version without the anchors table (schema 1) upgrades in place."""
    from playground.store.db import _MIGRATIONS

    path = app_paths().ensure().database
    old = sqlite3.connect(path)
    old.executescript(_MIGRATIONS[0])
    old.execute(
        "INSERT INTO threads (profile_id, thread_id, title, created_at, last_used_at)"
        " VALUES ('p1', 'thread_old', 'Old', 1.0, 1.0)"
    )
    old.execute("PRAGMA user_version=1")
    old.commit()
    old.close()
    store = open_store()
    assert [t.thread_id for t in store.threads.list_threads("p1")] == ["thread_old"]
    store.threads.anchor_run("p1", "thread_old", "run_1", "msg_1")
    assert store.threads.run_anchors("p1", "thread_old") == {"run_1": "msg_1"}
