"""A few megabytes of disk held back so that deleting still works on a full disk.

SQLite in WAL mode appends every change, deletes included, to the write-ahead log, so on a
full disk a DELETE failed like any write and the user could not free space through the API.
At start the server allocates a reserve file next to the database; when a delete hits a
full disk the reserve is given up and the delete retried in the space it leaves, and the
reserve is taken again once deletions have made room.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

RESERVE_NAME = "disk-reserve.bin"
_ZEROS = b"\0" * (1024 * 1024)


class SpaceReserve:
    """One preallocated file of ``size`` bytes (``size == 0`` turns the reserve off)."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size

    @property
    def held(self) -> bool:
        return self.size == 0 or self.path.exists()

    def fill(self) -> bool:
        """Allocate the reserve unless it is held already; False when the disk has no room."""
        if self.held:
            return True
        temp = self.path.with_name(self.path.name + ".tmp")
        try:
            descriptor = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            try:
                if hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(descriptor, 0, self.size)
                else:  # real blocks, not a sparse file that would reserve nothing
                    left = self.size
                    while left > 0:
                        left -= os.write(descriptor, _ZEROS[: min(left, len(_ZEROS))])
            finally:
                os.close(descriptor)
            os.replace(temp, self.path)
            return True
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()
            return False

    def release(self) -> bool:
        """Give the reserve back to the filesystem; False when it was not held."""
        if self.size == 0:
            return False
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
