"""OutputsViewModel against the real runtime: fetch once, thumbnails, hostile files, saving."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from playground.ui.viewmodels.output_refs import OutputRef
from playground.ui.viewmodels.outputs import (
    MAX_IMAGE_PIXELS,
    OutputStatus,
    OutputsViewModel,
    write_copy,
)
from playground.ui.widgets.gallery import GalleryView, OutputActions
from tests.ui.inspector_env import bomb_png, env, llm, png_bytes, runtime, upload
from tests.ui.support import Env

__all__ = ["env", "llm", "runtime"]


def image_ref(file_id: str, name: str = "") -> OutputRef:
    return OutputRef(file_id, "image", name or f"{file_id}.png", "test")


async def test_image_is_fetched_once_into_the_cache_with_a_thumbnail(env: Env) -> None:
    data = png_bytes(320, 200)
    file_id = await upload(env, "plot.png", data)
    vm = OutputsViewModel(env.session)
    vm.set_thread("thread_x")
    vm.add_reference(image_ref(file_id))
    await env.idle()

    item = vm.item(file_id)
    assert item is not None and item.status is OutputStatus.READY, item
    assert item.name == "plot.png"  # the server's real name replaces the id
    assert item.thumbnail is not None and not item.thumbnail.isNull()
    assert max(item.thumbnail.width(), item.thumbnail.height()) <= 160
    assert item.path is not None and item.path.read_bytes() == data

    downloads = [e for e in env.logged if e.url.endswith(f"/files/{file_id}/content")]
    assert len(downloads) == 1
    # A second reference (the same image in the message) does not download again.
    vm.add_reference(image_ref(file_id))
    vm.fetch(file_id)
    await env.idle()
    downloads = [e for e in env.logged if e.url.endswith(f"/files/{file_id}/content")]
    assert len(downloads) == 1
    assert env.errors == []


async def test_a_new_view_model_reuses_the_disk_cache(env: Env) -> None:
    file_id = await upload(env, "again.png", png_bytes())
    first = OutputsViewModel(env.session)
    first.set_thread("t")
    first.add_reference(image_ref(file_id))
    await env.idle()
    second = OutputsViewModel(env.session)
    second.set_thread("t")
    second.add_reference(image_ref(file_id))
    await env.idle()
    item = second.item(file_id)
    assert item is not None and item.status is OutputStatus.READY
    downloads = [e for e in env.logged if e.url.endswith(f"/files/{file_id}/content")]
    assert len(downloads) == 1


async def test_decompression_bomb_is_refused_with_a_message(env: Env) -> None:
    file_id = await upload(env, "huge.png", bomb_png())
    vm = OutputsViewModel(env.session)
    vm.set_thread("t")
    vm.add_reference(image_ref(file_id))
    await env.idle()
    item = vm.item(file_id)
    assert item is not None and item.thumbnail is None
    assert "30,000×30,000" in item.error and "not decoded" in item.error
    with pytest.raises(Exception, match="megapixels"):
        await vm.load_full_image(file_id)
    assert 30_000 * 30_000 > MAX_IMAGE_PIXELS


async def test_non_image_served_as_image_gets_an_error_thumbnail(env: Env) -> None:
    file_id = await upload(env, "fake.png", b"<html><script>alert(1)</script></html>")
    vm = OutputsViewModel(env.session)
    vm.set_thread("t")
    vm.add_reference(image_ref(file_id))
    await env.idle()
    item = vm.item(file_id)
    assert item is not None and item.status is OutputStatus.READY
    assert item.thumbnail is None and "not an image" in item.error


async def test_missing_file_shows_as_expired_without_an_error_dialog(env: Env) -> None:
    vm = OutputsViewModel(env.session)
    vm.set_thread("t")
    vm.add_reference(image_ref("file-does-not-exist"))
    await env.idle()
    item = vm.item("file-does-not-exist")
    assert item is not None and item.status is OutputStatus.EXPIRED
    assert "no longer has" in item.error
    assert env.errors == []


async def test_save_as_writes_the_same_bytes_and_never_overwrites_unasked(
    env: Env, tmp_path: Path
) -> None:
    data = png_bytes(50, 40)
    file_id = await upload(env, "chart.png", data)
    vm = OutputsViewModel(env.session)
    vm.set_thread("t")
    vm.add_reference(image_ref(file_id))
    await env.idle()
    target = tmp_path / "out" / "chart.png"
    target.parent.mkdir()
    written = await vm.save_as_async(file_id, target)
    assert written == target and target.read_bytes() == data

    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        await vm.save_as_async(file_id, target)
    assert target.read_bytes() == b"precious"
    await vm.save_as_async(file_id, target, overwrite=True)
    assert target.read_bytes() == data
    assert sorted(p.name for p in target.parent.iterdir()) == ["chart.png"]  # no temp left


async def test_traversal_name_from_server_stays_in_the_chosen_folder(
    env: Env, tmp_path: Path
) -> None:
    # The runtime refuses such names on upload; a hostile server can still name a file so in
    # the messages it sends, which is the name the download is given here.
    file_id = await upload(env, "evil.sh", b"echo owned\n")
    vm = OutputsViewModel(env.session)
    vm.set_thread("t")
    vm.download(file_id, "../../../evil.sh")
    finished: list[str] = []
    vm.download_finished.connect(finished.append)
    await env.idle()
    assert finished == [file_id]
    suggested = vm.suggested_name(file_id)
    assert "/" not in suggested and not suggested.startswith(".")
    folder = tmp_path / "chosen"
    folder.mkdir()
    written = await vm.save_as_async(file_id, folder / suggested)
    assert written.parent.resolve() == folder.resolve()
    assert written.read_bytes() == b"echo owned\n"
    assert not (tmp_path / "evil.sh").exists()


def test_write_copy_refuses_a_missing_folder(tmp_path: Path) -> None:
    source = tmp_path / "s.bin"
    source.write_bytes(b"1")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_copy(source, tmp_path / "nope" / "s.bin")


async def test_file_download_is_byte_exact_with_progress(env: Env, tmp_path: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB, several chunks
    file_id = await upload(env, "data.bin", data)
    vm = OutputsViewModel(env.session)
    vm.set_thread("t")
    progress: list[int] = []

    def on_changed(fid: str) -> None:
        item = vm.item(fid)
        if item is not None:
            progress.append(item.done_bytes)

    vm.output_changed.connect(on_changed)
    vm.download(file_id, "data.bin")
    await env.idle()
    item = vm.item(file_id)
    assert item is not None and item.status is OutputStatus.READY
    assert item.path is not None and item.path.read_bytes() == data
    assert any(0 < p < len(data) for p in progress) or len(data) in progress
    saved = await vm.save_as_async(file_id, tmp_path / "data.bin")
    assert saved.read_bytes() == data


async def test_gallery_shows_thumbnails_error_tiles_and_expired_files(
    env: Env, qtbot: QtBot
) -> None:
    vm = OutputsViewModel(env.session)
    gallery = GalleryView(vm, OutputActions(vm, None, prompt=lambda _p, _s: None))
    qtbot.addWidget(gallery)
    assert gallery.list.isHidden() and not gallery.empty_label.isHidden()
    vm.set_thread("t")
    good = await upload(env, "good.png", png_bytes(64, 64))
    bomb = await upload(env, "bomb.png", bomb_png())
    vm.add_reference(image_ref(good))
    vm.add_reference(image_ref(bomb))
    vm.add_reference(OutputRef("file-gone", "file", "report.csv", "message m"))
    vm.fetch("file-gone")
    await env.idle()
    assert gallery.list.count() == 3 and not gallery.list.isHidden()
    captions = {fid: gallery.list_item(fid).text() for fid in (good, bomb, "file-gone")}  # type: ignore[union-attr]
    assert captions[good] == "good.png"
    assert captions[bomb].endswith("cannot show")
    assert captions["file-gone"] == "report.csv\nexpired"
    bomb_item = gallery.list_item(bomb)
    assert bomb_item is not None and "megapixels" in bomb_item.toolTip()
    # Activating the refused image explains instead of opening a viewer.
    notices: list[str] = []
    gallery.output_actions.notice.connect(notices.append)
    gallery.output_actions.activate(bomb)
    assert notices and "not decoded" in notices[0]
