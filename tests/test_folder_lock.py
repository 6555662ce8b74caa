"""The data-folder lock: one holder at a time, released on close, named in the refusal."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from playground.folder_lock import LOCK_NAME, FolderInUse, folder_in_use, lock_folder


def test_one_holder_at_a_time_and_the_next_after_release(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert folder_in_use(folder) is None and not folder.exists()  # a probe creates nothing
    with lock_folder(folder):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((folder / LOCK_NAME).stat().st_mode) == 0o600
        with pytest.raises(FolderInUse) as refused:
            lock_folder(folder)
        assert refused.value.holder == os.getpid()
        assert f"The data folder {folder} is in use by another runtime" in refused.value.message
        busy = folder_in_use(folder)
        assert busy is not None and busy.holder == os.getpid()
    assert folder_in_use(folder) is None
    lock_folder(folder).release()
