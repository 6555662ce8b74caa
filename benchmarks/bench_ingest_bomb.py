"""Server memory before and after ingesting a DOCX bomb (goal: back within 50 MB).

Run: ``.venv/bin/python -m benchmarks.bench_ingest_bomb [--xml-megabytes 240]``.
Starts the real runtime, uploads a ~730 KB DOCX holding 240 MB of XML, adds it to a vector
store, waits until the file has failed, and prints the server's RSS before, at its peak
(sampled while waiting) and after, with the time the failure took.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.helpers import bombs
from tests.helpers.runtime_process import http_client, start_runtime

GOAL_BYTES = 50 * 1024 * 1024


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--xml-megabytes", type=int, default=240)
    args = parser.parse_args(argv)
    bomb = bombs.docx_bomb(args.xml_megabytes)
    with (
        tempfile.TemporaryDirectory() as folder,
        start_runtime(Path(folder) / "data", extra_args=["--no-local-model"]) as server,
        http_client(server) as http,
    ):
        file_id = http.post(
            "/files", files={"file": ("bomb.docx", bomb)}, data={"purpose": "assistants"}
        ).json()["id"]
        pid = server.process.pid
        before = peak = rss_bytes(pid)
        started = time.monotonic()
        store_id = http.post("/vector_stores", json={"file_ids": [file_id]}).json()["id"]
        slowest_get = 0.0
        while True:
            asked = time.monotonic()
            vs_file = http.get(f"/vector_stores/{store_id}/files/{file_id}").json()
            slowest_get = max(slowest_get, time.monotonic() - asked)
            peak = max(peak, rss_bytes(pid))
            if vs_file["status"] != "in_progress":
                break
            time.sleep(0.2)
        took = time.monotonic() - started
        after = rss_bytes(pid)
    mb = 1024 * 1024
    print(f"bomb: {len(bomb) / 1024:.0f} KB of DOCX, {args.xml_megabytes} MB of XML")
    print(f"file status: {vs_file['status']}; last_error: {vs_file['last_error']}")
    print(
        f"server RSS before {before / mb:.1f} MB, peak {peak / mb:.1f} MB, after {after / mb:.1f} MB"
    )
    growth = after - before
    print(
        f"growth {growth / mb:.1f} MB (goal < {GOAL_BYTES / mb:.0f} MB: ratio {growth / GOAL_BYTES:.2f})"
    )
    print(f"failure after {took:.1f} s; slowest API answer meanwhile {slowest_get * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
