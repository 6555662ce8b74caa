"""A full data disk: writes fail with a clear 507, reads and deletes keep working.

Reproduces: on a full disk every write got a generic 500 and DELETE failed too, so space
could not be freed through the API. The server runs on a real, small tmpfs mounted in a
private mount namespace (``unshare``; as root or with unprivileged user namespaces), so
nothing on the machine is touched and the mount disappears with the server.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.runtime_process import (
    DEFAULT_TOKEN,
    LISTENING_PREFIX,
    server_command,
    stop,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("unshare") is None,
    reason="needs Linux and unshare(1) to mount a small tmpfs in a private namespace",
)

DISK = "12m"
RESERVE = 2 * 1024 * 1024
MEGABYTE = b"\xa5" * (1024 * 1024)


@contextmanager
def server_on_small_disk(data_dir: Path) -> Iterator[httpx.Client]:
    data_dir.mkdir(parents=True)
    command = server_command(
        data_dir, extra_args=["--no-local-model", "--disk-reserve-bytes", str(RESERVE)]
    )
    flags = ["--mount"] if os.geteuid() == 0 else ["--mount", "--map-root-user"]
    wrapped = [
        "unshare",
        *flags,
        "sh",
        "-c",
        f'mount -t tmpfs -o size={DISK} tmpfs "$0" && exec "$@"',
        str(data_dir),
        *command,
    ]
    stderr_path = data_dir.with_name("disk.stderr.log")
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            wrapped,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    base_url = None
    deadline = time.monotonic() + 60
    try:
        while base_url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                reason = stderr_path.read_text()[-500:]
                pytest.skip(f"cannot mount a tmpfs in a private namespace here: {reason}")
            if line.startswith(LISTENING_PREFIX):
                base_url = line[len(LISTENING_PREFIX) :]
        assert base_url is not None, "the server did not start"
        with httpx.Client(
            base_url=base_url + "/v1",
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "OpenAI-Beta": "assistants=v2"},
            timeout=60,
        ) as client:
            yield client
        assert "Traceback" not in stderr_path.read_text()
    finally:
        stop(process)


def _upload(http: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return http.post("/files", files={"file": (name, data)}, data={"purpose": "assistants"})


def _assert_disk_full(response: httpx.Response) -> None:
    assert response.status_code == 507, response.text
    error = response.json()["error"]
    assert error["code"] == "disk_full"
    assert error["type"] == "server_error"
    assert "disk is full" in error["message"]
    assert "deleting still works" in error["message"]
    assert response.headers["x-should-retry"] == "false"


def test_full_disk_refuses_writes_plainly_and_lets_the_user_free_space(tmp_path: Path) -> None:
    with server_on_small_disk(tmp_path / "data") as http:
        assistant = http.post("/assistants", json={"model": "m", "name": "keep me"})
        assert assistant.status_code == 200
        files: list[str] = []
        for number in range(40):
            response = _upload(http, f"blob{number}.bin", MEGABYTE)
            if response.status_code != 200:
                _assert_disk_full(response)
                break
            files.append(response.json()["id"])
        else:
            pytest.fail("12 MB of disk took 40 MB of uploads")
        assert files, "not even one upload fitted"
        # Fill what is left with database rows until SQLite itself cannot write.
        big = {"model": "m", "instructions": "w" * 250_000}
        for _ in range(200):
            response = http.post("/assistants", json=big)
            if response.status_code != 200:
                _assert_disk_full(response)
                break
        else:
            pytest.fail("the database never ran out of space")

        # Reads keep working.
        listed = http.get("/files")
        assert listed.status_code == 200
        assert len(listed.json()["data"]) == len(files)
        assert http.get(f"/files/{files[0]}/content").content == MEGABYTE
        assert http.get(f"/assistants/{assistant.json()['id']}").status_code == 200

        # Deletes work, and free the space for new writes.
        deleted = http.delete(f"/assistants/{assistant.json()['id']}")
        assert deleted.status_code == 200, deleted.text
        for file_id in files:
            response = http.delete(f"/files/{file_id}")
            assert response.status_code == 200, response.text
        again = _upload(http, "after.txt", b"room again")
        assert again.status_code == 200, again.text
        assert http.post("/assistants", json={"model": "m"}).status_code == 200
