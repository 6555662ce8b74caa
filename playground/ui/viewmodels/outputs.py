"""Outputs: the images and files a thread produced, fetched once and shown safely.

Each file is downloaded through the api client at most once per connection profile into the
store's ``OutputCache`` (disk work in worker threads), then images are decoded there too,
with a size check before any pixel is allocated: a PNG header may claim 30000×30000 pixels
in a few hundred bytes (a decompression bomb), and Qt would try to allocate gigabytes. A
file the server no longer has (404) is shown as expired, not as an error dialog.

Saving copies the cached bytes to a place the person chose; the name is sanitised and the
path proven to stay in the chosen folder (``safe_join``), and an existing file is only
replaced when the caller says the person agreed.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import tempfile
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from playground.api.errors import NotFoundError
from playground.store.filenames import safe_join, sanitize_filename
from playground.ui.image_limits import (
    ALLOCATION_LIMIT_MB,
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    ImageRefused,
    check_image_header,
)
from playground.ui.messages import describe_exception

__all__ = [
    "ALLOCATION_LIMIT_MB",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "ImageRefused",
    "check_image_header",
]

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.store.outputs import CachedOutput
    from playground.ui.viewmodels.output_refs import OutputRef
    from playground.ui.viewmodels.session import Session

#: Thumbnails fit in this square.
THUMBNAIL_SIZE = 160
#: Images larger than this (by the server's ``bytes``) are not fetched when a thread opens;
#: the tile offers the download instead (a 200 MB image once came into memory unasked).
AUTO_FETCH_BYTES = 20 * 1024 * 1024


class TooLargeToFetch(Exception):
    """An automatic fetch was skipped because the file is large; ``size`` in bytes."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


class OutputStatus(StrEnum):
    NEW = "new"
    FETCHING = "fetching"
    #: Large: waits for a click before it is downloaded.
    LARGE = "large"
    READY = "ready"
    EXPIRED = "expired"
    ERROR = "error"


@dataclass(frozen=True)
class OutputItem:
    """What the gallery and inspector show for one output file."""

    file_id: str
    kind: str  # "image" | "file"
    name: str
    origin: str
    status: OutputStatus = OutputStatus.NEW
    path: Path | None = None
    size: int = 0
    done_bytes: int = 0
    total_bytes: int | None = None
    thumbnail: QImage | None = None
    error: str = ""

    @property
    def progress_text(self) -> str:
        if self.status is not OutputStatus.FETCHING:
            return ""
        if self.total_bytes:
            return f"{100 * self.done_bytes // max(self.total_bytes, 1)} %"
        return f"{self.done_bytes // 1024} KB"


def decode_image(path: Path, *, max_side: int | None = None, what: str = "The file") -> QImage:
    """Decode ``path`` safely (worker thread); ``max_side`` scales down while decoding."""
    if QImageReader.allocationLimit() != ALLOCATION_LIMIT_MB:
        QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    reader = QImageReader(str(path))
    size = check_image_header(reader, what)
    if max_side is not None and max(size.width(), size.height()) > max_side:
        reader.setScaledSize(size.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ImageRefused(f"{what} could not be decoded ({reader.errorString() or 'no detail'}).")
    return image


def write_copy(source: Path, target: Path, *, overwrite: bool = False) -> Path:
    """Copy ``source`` to ``target`` (blocking; run in a worker thread).

    The name is sanitised and the result must sit directly in ``target``'s folder; an
    existing file raises ``FileExistsError`` unless ``overwrite``. The bytes go to a
    temporary file first so a failed copy never leaves half a file under the real name.
    """
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"The folder {folder} does not exist.")
    dest = safe_join(folder, target.name)
    if (dest.exists() or dest.is_symlink()) and not overwrite:
        raise FileExistsError(f"{dest.name} already exists in {folder}; it was not replaced.")
    if dest.is_symlink() or dest.is_dir():
        raise FileExistsError(f"{dest.name} in {folder} is not a plain file; it was not replaced.")
    data = source.read_bytes()
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".saving-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp_name, dest)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return dest


class OutputsViewModel(QObject):
    """Output files of the current thread, their cache state and thumbnails.

    Signals:
      ``outputs_reset()`` — another thread: re-read ``items()``.
      ``output_added(str)`` / ``output_changed(str)`` — a file id was added / changed state.
      ``download_finished(str)`` — a file asked for with ``download`` is in the cache (the view
      then offers Save As).
      ``saved(str, str)`` — (file id, path written).
    """

    outputs_reset = Signal()
    output_added = Signal(str)
    output_changed = Signal(str)
    download_finished = Signal(str)
    saved = Signal(str, str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._thread_id: str | None = None
        self._items: dict[str, OutputItem] = {}
        self._fetches: dict[str, asyncio.Task[Any]] = {}
        self.last_saved_path: Path | None = None
        #: Larger files wait for a click (see ``AUTO_FETCH_BYTES``).
        self.auto_fetch_bytes = AUTO_FETCH_BYTES

    # -- reading ---------------------------------------------------------------------------

    @property
    def thread_id(self) -> str | None:
        return self._thread_id

    def items(self) -> list[OutputItem]:
        return list(self._items.values())

    def item(self, file_id: str) -> OutputItem | None:
        return self._items.get(file_id)

    def suggested_name(self, file_id: str) -> str:
        item = self._items.get(file_id)
        return sanitize_filename(item.name if item else file_id, fallback="output")

    # -- intents ---------------------------------------------------------------------------

    def set_thread(self, thread_id: str | None) -> None:
        if thread_id == self._thread_id:
            return
        self._thread_id = thread_id
        self._items.clear()
        self.outputs_reset.emit()

    def add_reference(self, ref: OutputRef) -> None:
        """A file the thread produced; images are fetched at once for their thumbnails."""
        existing = self._items.get(ref.file_id)
        if existing is not None:
            if existing.kind == "file" and ref.kind == "image":
                self._update(replace(existing, kind="image"))
            elif existing.name.startswith(existing.file_id) and not ref.name.startswith(
                ref.file_id
            ):
                self._update(replace(existing, name=ref.name))  # a real name beats the id
            return
        self._items[ref.file_id] = OutputItem(ref.file_id, ref.kind, ref.name, ref.origin)
        self.output_added.emit(ref.file_id)
        if ref.kind == "image":
            self.fetch(ref.file_id)

    def fetch(self, file_id: str, *, allow_large: bool = False) -> None:
        """Bring a file into the cache (once); images also get a thumbnail.

        Without ``allow_large`` (a person's click) a file the server says is larger than
        ``AUTO_FETCH_BYTES`` is left as :attr:`OutputStatus.LARGE` instead.
        """
        item = self._items.get(file_id)
        if item is None or item.status in (OutputStatus.FETCHING, OutputStatus.READY):
            return
        self._update(replace(item, status=OutputStatus.FETCHING, error=""))
        self.session.runner.start(
            f"outputs.fetch.{file_id}",
            self._fetch_reporting(file_id, allow_large=allow_large),
            label="Fetching a file",
        )

    def download(self, file_id: str, name_hint: str | None = None) -> None:
        """A file link was clicked: fetch it (with progress), then ``download_finished``."""
        if file_id not in self._items:
            self._items[file_id] = OutputItem(file_id, "file", name_hint or file_id, "link")
            self.output_added.emit(file_id)
        self.session.runner.start(
            f"outputs.download.{file_id}",
            self._download(file_id),
            replace=False,
            label="Downloading a file",
        )

    def save_as(self, file_id: str, target: Path, *, overwrite: bool = False) -> None:
        """Copy a cached output to ``target`` (the view asked about overwriting already)."""
        self.session.runner.start(
            None, self.save_as_async(file_id, target, overwrite=overwrite), label="Saving a file"
        )

    async def save_as_async(self, file_id: str, target: Path, *, overwrite: bool = False) -> Path:
        cached = await self.ensure_cached(file_id)
        written = await self.session.runner.run_blocking(
            write_copy, cached.path, target, overwrite=overwrite
        )
        self.last_saved_path = written
        self.saved.emit(file_id, str(written))
        return written

    async def load_full_image(self, file_id: str) -> QImage:
        """The whole image for the viewer, decoded with the same limits (out of process)."""
        from playground.ui.image_decode import decode_untrusted

        cached = await self.ensure_cached(file_id)
        name = self._items[file_id].name if file_id in self._items else cached.filename
        return await decode_untrusted(cached.path, what=f"“{name[:60]}”")

    async def ensure_cached(self, file_id: str) -> CachedOutput:
        """The cached copy, fetching it first when needed (raises on 404 or transport errors)."""
        running = self._fetches.get(file_id)
        if running is not None and not running.done():
            await asyncio.shield(running)
        cached = await self._cache_get(file_id)
        if cached is not None:
            return cached
        return await self._fetch_into_cache(file_id)

    # -- internals -------------------------------------------------------------------------

    def _profile_key(self) -> str:
        return self.session.profile_id or "default"

    async def _cache_get(self, file_id: str) -> CachedOutput | None:
        outputs = self.session.store.outputs
        return await self.session.runner.run_blocking(outputs.get, self._profile_key(), file_id)

    async def _fetch_reporting(self, file_id: str, *, allow_large: bool = True) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._fetches[file_id] = task
        try:
            cached = await self._cache_get(file_id)
            if cached is None:
                cached = await self._fetch_into_cache(file_id, allow_large=allow_large)
        except TooLargeToFetch as exc:
            self._set_state(file_id, status=OutputStatus.LARGE, total_bytes=exc.size, error="")
            return
        except NotFoundError:
            self._set_state(
                file_id,
                status=OutputStatus.EXPIRED,
                error="The server no longer has this file (it may have expired).",
            )
            return
        except Exception as exc:
            message = describe_exception(exc)
            self._set_state(file_id, status=OutputStatus.ERROR, error=message.detail)
            return
        finally:
            self._fetches.pop(file_id, None)
        await self._after_cached(file_id, cached)

    async def _download(self, file_id: str) -> None:
        item = self._items.get(file_id)
        if item is not None and item.status is not OutputStatus.READY:
            # Say so at once: the link and the gallery show progress from here on.
            self._update(replace(item, status=OutputStatus.FETCHING, error=""))
        await self._fetch_reporting(file_id)
        item = self._items.get(file_id)
        if item is not None and item.status is OutputStatus.READY:
            self.download_finished.emit(file_id)
        elif item is not None and item.status is OutputStatus.EXPIRED:
            self.session.bridge.post_error("File expired", f"{item.name}: {item.error}")
        elif item is not None:
            self.session.bridge.post_error("Download failed", f"{item.name}: {item.error}")

    async def _fetch_into_cache(self, file_id: str, *, allow_large: bool = True) -> CachedOutput:
        client: AssistantsClient | None = self.session.client
        if client is None:
            raise ConnectionError("Not connected to a server, so the file cannot be fetched.")
        item = self._items.get(file_id)
        name = item.name if item else file_id
        size: int | None = None
        try:
            meta = await client.files.retrieve(file_id)
            if meta.filename:
                name = meta.filename
            size = meta.bytes
        except NotFoundError:
            raise
        except Exception:  # some servers do not serve file metadata; the hint will do
            pass
        if not allow_large and isinstance(size, int) and size > self.auto_fetch_bytes:
            raise TooLargeToFetch(size)
        state = {"last": -1}

        def progress(done: int, total: int | None) -> None:
            step = (100 * done // total) if total else done // (256 * 1024)
            if step != state["last"]:  # one signal per percent, not per chunk
                state["last"] = step
                self._set_state(file_id, done_bytes=done, total_bytes=total)

        mime = mimetypes.guess_type(name)[0]
        outputs = self.session.store.outputs
        # Streamed to disk, never held in memory whole, whatever size the server claimed.
        staged = await self.session.runner.run_blocking(
            outputs.staging_path, self._profile_key(), file_id
        )
        await client.files.download_to(file_id, staged, on_progress=progress)
        return await self.session.runner.run_blocking(
            outputs.commit, self._profile_key(), file_id, staged, filename=name, mime_type=mime
        )

    async def _after_cached(self, file_id: str, cached: CachedOutput) -> None:
        item = self._items.get(file_id)
        if item is None:
            return  # another thread is shown now
        name = item.name
        if cached.filename and not cached.filename.startswith(file_id):
            name = cached.filename
        thumbnail: QImage | None = None
        error = ""
        status = OutputStatus.READY
        if item.kind == "image":
            from playground.ui.image_decode import decode_untrusted

            try:
                thumbnail = await decode_untrusted(
                    cached.path, max_side=THUMBNAIL_SIZE, what=f"“{name[:60]}”"
                )
            except ImageRefused as exc:
                error = str(exc)
        self._set_state(
            file_id,
            status=status,
            name=name,
            path=cached.path,
            size=cached.size,
            thumbnail=thumbnail,
            error=error,
        )

    def _set_state(self, file_id: str, **changes: Any) -> None:
        item = self._items.get(file_id)
        if item is not None:
            self._update(replace(item, **changes))

    def _update(self, item: OutputItem) -> None:
        self._items[item.file_id] = item
        self.output_changed.emit(item.file_id)
