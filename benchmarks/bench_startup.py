"""Start-up time and idle memory of the playground window.

Run: ``.venv/bin/python -m benchmarks.bench_startup [--repeat 5]``.

Each sample starts a fresh Python process and measures, from ``Popen`` to the moment the
main window has painted for the first time, either
- ``bare``: a plain PySide6 ``QMainWindow`` (the floor any Qt app pays), or
- ``playground``: ``playground.app.main()`` exactly as ``python -m playground`` runs it.
Both children are started the same way; a tiny prelude creates the QApplication and installs
an event filter that prints ``painted`` on the first Paint event of a QMainWindow. For the
playground the child then waits until its embedded runtime (found among all its descendants
in /proc) is listening, lets the app sit idle for a moment, and reports its resident memory
(VmRSS) and the runtime process's.

Goals (issue #4): ratio of medians ≤ 1.3×, window process RSS idle ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 1.3
GOAL_RSS_MB = 150.0
ROOT = Path(__file__).resolve().parents[1]

_PRELUDE = r"""
import os, sys
from PySide6.QtCore import QObject, QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication.instance() or QApplication(sys.argv[:1])

def rss_kb(pid="self"):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0

class PaintWatch(QObject):
    seen = False
    def eventFilter(self, obj, event):
        if not self.seen and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            self.seen = True
            print("painted", flush=True)
            QTimer.singleShot(0, on_painted)
        return False

watch = PaintWatch()
app.installEventFilter(watch)
"""

_BARE = (
    _PRELUDE
    + r"""
def on_painted():
    QTimer.singleShot(0, app.quit)

window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1320, 820)
window.show()
app.exec()
"""
)

_PLAYGROUND = (
    _PRELUDE
    + r"""
IDLE_MS = int(os.environ.get("BENCH_IDLE_MS", "2000"))
SETTLE_DEADLINE_S = 60.0
POLL_MS = 100

def descendants(pid):
    # Every process below ``pid``, whichever thread started it: /proc/PID/task/TID/children
    # lists only what one thread started. The old fixed 2 s after paint read 0 under load,
    # when the runtime had not been started (or was still importing) by then.
    by_parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        by_parent.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in by_parent.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found

def runtime_pid():
    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if b"playground.runtime" in argv:
            return pid
    return None

def listening(pid):
    # The runtime prints its listening line only after start-up; a LISTEN socket of its
    # own is the same moment, seen from outside.
    try:
        inodes = {
            os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1]
            for fd in os.listdir(f"/proc/{pid}/fd")
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")
        }
    except OSError:
        return False
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: TCP_LISTEN
                return True
    return False

started_waiting = 0.0

def wait_for_runtime():
    import time
    pid = runtime_pid()
    if pid is not None and listening(pid):
        QTimer.singleShot(IDLE_MS, lambda: report_and_close(pid))
    elif time.monotonic() - started_waiting > SETTLE_DEADLINE_S:
        report_and_close(None)
    else:
        QTimer.singleShot(POLL_MS, wait_for_runtime)

def report_and_close(pid):
    window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow))
    runtime_kb = rss_kb(pid) if pid is not None else -1
    print(f"rss_kb {rss_kb()} runtime_kb {runtime_kb}", flush=True)
    window.close()

def on_painted():
    global started_waiting
    import time
    started_waiting = time.monotonic()
    wait_for_runtime()

from playground.app import main
sys.exit(main([]))
"""
)


def _sample(code: str, env: dict[str, str]) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert process.stdout is not None
    painted_at = None
    numbers: dict[str, int] = {}
    for line in process.stdout:
        if line.startswith("painted") and painted_at is None:
            painted_at = time.perf_counter()
        elif line.startswith("rss_kb"):
            parts = line.split()
            numbers = {parts[i]: int(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}
    process.wait(timeout=60)
    if painted_at is None:
        raise RuntimeError("the child never painted a window")
    return painted_at - started, numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory() as home:
        env["ASSISTANTS_PLAYGROUND_HOME"] = home
        # One warm-up each so the page cache, not the first disk read, is measured.
        _sample(_BARE, env)
        _sample(_PLAYGROUND, env)
        bare: list[float] = []
        mine: list[float] = []
        rss: list[int] = []
        runtime_rss: list[int] = []
        for _ in range(args.repeat):
            bare.append(_sample(_BARE, env)[0])
            seconds, numbers = _sample(_PLAYGROUND, env)
            mine.append(seconds)
            rss.append(numbers.get("rss_kb", 0))
            runtime_rss.append(numbers.get("runtime_kb", -1))
    bare_ms = statistics.median(bare) * 1000
    mine_ms = statistics.median(mine) * 1000
    ratio = mine_ms / bare_ms
    rss_mb = statistics.median(rss) / 1024
    measured = [kb for kb in runtime_rss if kb > 0]
    runtime_text = (
        f"{statistics.median(measured) / 1024:.0f} MB once listening"
        + (
            f" ({len(measured)} of {len(runtime_rss)} runs)"
            if len(measured) < len(runtime_rss)
            else ""
        )
        if measured
        else "not measured (no listening runtime child was found)"
    )
    print(f"bare QMainWindow painted:  median {bare_ms:7.1f} ms  ({args.repeat} runs)")
    print(f"playground window painted: median {mine_ms:7.1f} ms")
    print(
        f"ratio: {ratio:.2f}x (goal <= {GOAL_RATIO}x) {'OK' if ratio <= GOAL_RATIO else 'MISSED'}"
    )
    print(
        f"window process RSS idle: {rss_mb:.0f} MB (goal <= {GOAL_RSS_MB:.0f} MB) "
        f"{'OK' if rss_mb <= GOAL_RSS_MB else 'MISSED'}; embedded runtime process: {runtime_text}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
