from __future__ import annotations

from pathlib import Path

import pytest

from playground.store.errors import StoreError
from playground.store.store import Store, open_store


def test_put_then_get_from_a_fresh_store(store: Store) -> None:
    cached = store.outputs.put(
        "p1", "file-abc", b"\x89PNG...", filename="chart.png", mime_type="image/png"
    )
    assert cached.path.read_bytes() == b"\x89PNG..."
    assert cached.path.name == "chart.png"
    assert cached.path.resolve().is_relative_to(store.paths.outputs.resolve())
    again = open_store().outputs.get("p1", "file-abc")
    assert again is not None
    assert (again.filename, again.mime_type, again.size) == ("chart.png", "image/png", 7)
    assert store.outputs.get("p2", "file-abc") is None


def test_hostile_server_names_stay_in_the_cache(store: Store) -> None:
    cached = store.outputs.put("../p1", "../../file", b"x", filename="../../../.bashrc")
    root = store.paths.outputs.resolve()
    assert cached.path.resolve().is_relative_to(root)
    assert cached.path.name == "bashrc"
    assert store.outputs.get("../p1", "../../file") is not None


def test_streamed_download_commit_replaces_older_copy(store: Store) -> None:
    store.outputs.put("p1", "file-1", b"old", filename="old-name.txt")
    staged = store.outputs.staging_path("p1", "file-1")
    staged.write_bytes(b"new contents")
    cached = store.outputs.commit("p1", "file-1", staged, filename="report.txt")
    assert cached.path.read_bytes() == b"new contents"
    assert sorted(p.name for p in cached.path.parent.iterdir()) == ["report.txt"]


def test_vanished_file_is_a_cache_miss(store: Store) -> None:
    cached = store.outputs.put("p1", "file-1", b"x", filename="a.txt")
    cached.path.unlink()
    assert store.outputs.get("p1", "file-1") is None


def test_save_copy_never_overwrites(store: Store, tmp_path: Path) -> None:
    store.outputs.put("p1", "file-1", b"data", filename="result.csv")
    dest = tmp_path / "Downloads"
    dest.mkdir()
    (dest / "result.csv").write_bytes(b"precious")
    copy1 = store.outputs.save_copy("p1", "file-1", dest)
    copy2 = store.outputs.save_copy("p1", "file-1", dest, name="../../result.csv")
    assert (dest / "result.csv").read_bytes() == b"precious"
    assert copy1.name == "result (1).csv" and copy2.name == "result (2).csv"
    assert copy1.read_bytes() == copy2.read_bytes() == b"data"


def test_save_copy_of_unknown_file_says_fetch_first(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="fetch it first"):
        store.outputs.save_copy("p1", "file-none", tmp_path)


def test_remove(store: Store) -> None:
    cached = store.outputs.put("p1", "file-1", b"x", filename="a.txt")
    store.outputs.remove("p1", "file-1")
    assert store.outputs.get("p1", "file-1") is None
    assert not cached.path.exists()
