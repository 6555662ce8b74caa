"""A document bomb added to a vector store fails that one file; the server stays small and up.

Reproduces the finding: a 730 KB DOCX holding 240 MB of XML was parsed inside the server
(minutes, 6 GB RSS never released, request stalls). The bomb is built here; the server is
the real runtime process, and its memory is read from ``/proc``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import bombs
from tests.helpers.runtime_process import RuntimeServer, wait_until

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the server's RSS from /proc"
)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def _upload(http: httpx.Client, name: str, data: bytes) -> str:
    response = http.post("/files", files={"file": (name, data)}, data={"purpose": "assistants"})
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def _settled(http: httpx.Client, store_id: str, file_id: str) -> dict[str, object] | None:
    body = http.get(f"/vector_stores/{store_id}/files/{file_id}").json()
    return body if body["status"] != "in_progress" else None


def test_docx_bomb_fails_its_file_plainly_and_memory_returns(
    runtime: RuntimeServer, http: httpx.Client
) -> None:
    bomb = bombs.docx_bomb(240)
    assert len(bomb) < 1024 * 1024  # a small upload ...
    normal = bombs.docx(3, text=b"quarterly revenue grew")
    bomb_id = _upload(http, "report.docx", bomb)
    normal_id = _upload(http, "notes.docx", normal)
    pid = runtime.process.pid
    before = rss_bytes(pid)

    store = http.post("/vector_stores", json={"name": "bombed", "file_ids": [bomb_id, normal_id]})
    assert store.status_code == 200, store.text
    store_id = store.json()["id"]
    # While the bomb is being read, the API answers (the parsing is not in this process).
    assert http.get(f"/vector_stores/{store_id}").status_code == 200

    failed = wait_until(lambda: _settled(http, store_id, bomb_id), timeout=300, interval=0.5)
    good = wait_until(lambda: _settled(http, store_id, normal_id), timeout=60, interval=0.2)
    after = rss_bytes(pid)

    assert isinstance(failed, dict) and isinstance(good, dict)
    assert failed["status"] == "failed"
    error = failed["last_error"]
    assert isinstance(error, dict)
    assert error["code"] == "invalid_file"
    assert "'report.docx'" in error["message"]
    assert "limit for one file" in error["message"]
    assert str(runtime.data_dir) not in error["message"]
    assert good["status"] == "completed", good
    assert good["usage_bytes"] > 0
    growth = after - before
    assert growth < 50 * 1024 * 1024, f"server RSS grew by {growth / 1e6:.0f} MB"
    assert runtime.process.poll() is None
    assert "Traceback" not in runtime.stderr()
