"""The code interpreter against real Jupyter kernels (no doubles)."""

from __future__ import annotations

import asyncio
import io
import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import psutil
import pytest

from playground.runtime.code_interpreter import (
    MIB,
    CodeInterpreter,
    Isolation,
    Limits,
    Mode,
    choose_isolation,
)

# Ordinary cells get a generous wall limit so a loaded test machine (slow matplotlib
# imports) cannot trip it; the timeout tests use SHORT.
FAST = Limits(wall_seconds=15.0, interrupt_grace_seconds=1.0, memory_bytes=512 * MIB, prewarm=False)
SHORT = Limits(wall_seconds=2.0, interrupt_grace_seconds=1.0, memory_bytes=512 * MIB, prewarm=False)


async def wait_until(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Poll a condition (never a fixed sleep) until it holds or the timeout passes."""
    end = time.monotonic() + within
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def kernel_children() -> list[psutil.Process]:
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


@pytest.fixture
async def ci(tmp_path: Path) -> AsyncIterator[CodeInterpreter]:
    interpreter = CodeInterpreter(tmp_path / "ci", limits=FAST)
    yield interpreter
    await interpreter.aclose()


@pytest.fixture
async def short_ci(tmp_path: Path) -> AsyncIterator[CodeInterpreter]:
    interpreter = CodeInterpreter(tmp_path / "ci", limits=SHORT)
    yield interpreter
    await interpreter.aclose()


async def test_print_and_expression_results(ci: CodeInterpreter) -> None:
    result = await ci.execute("thread_a", "print('hello')\n6 * 7")
    assert result.error is None
    assert result.logs == "hello\n42\n"
    assert result.images == [] and result.new_files == [] and not result.timed_out


async def test_stderr_and_state_persist_between_cells(ci: CodeInterpreter) -> None:
    await ci.execute("thread_a", "import sys\nvalue = 5")
    result = await ci.execute("thread_a", "print('warn', file=sys.stderr)\nvalue + 1")
    assert result.logs == "warn\n6\n"


async def test_matplotlib_sine_wave_gives_one_png(ci: CodeInterpreter) -> None:
    code = (
        "import numpy as np\nimport matplotlib.pyplot as plt\n"
        "x = np.linspace(0, 2 * np.pi, 200)\nplt.plot(x, np.sin(x))\nplt.title('sine')\nplt.show()"
    )
    result = await ci.execute("thread_a", code)
    assert result.error is None, result.logs
    assert len(result.images) == 1
    png = result.images[0]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width > 100 and image.height > 100


async def test_environment_description_states_the_limits(ci: CodeInterpreter) -> None:
    text = ci.describe_environment()
    assert "/mnt/data" in text and "at most 15 s" in text and "512 MiB" in text


async def test_written_csv_is_reported_with_its_bytes(ci: CodeInterpreter) -> None:
    await ci.add_file("thread_a", "input.txt", b"unchanged")
    code = (
        "import csv\nwith open('table.csv', 'w', newline='') as f:\n"
        "    w = csv.writer(f)\n    w.writerow(['x', 'y'])\n"
        "    for i in range(3):\n        w.writerow([i, i * i])\n"
        "print(open('input.txt').read())"
    )
    result = await ci.execute("thread_a", code)
    workdir = ci.workdir("thread_a")
    assert result.logs == "unchanged\n"
    assert result.new_files == [workdir / "table.csv"]
    assert result.new_files[0].read_bytes() == b"x,y\r\n0,0\r\n1,1\r\n2,4\r\n"
    again = await ci.execute("thread_a", "open('table.csv', 'a').write('3,9\\r\\n')")
    assert again.new_files == [workdir / "table.csv"]


async def test_mnt_data_path_reaches_the_session_folder(ci: CodeInterpreter) -> None:
    if not ci.maps_mnt_data:
        pytest.skip(f"/mnt/data mapping unavailable here: {ci.sandbox_description}")
    await ci.add_file("thread_a", "given.txt", b"from upload")
    code = "print(open('/mnt/data/given.txt').read())\nopen('/mnt/data/made.txt', 'w').write('ok')"
    result = await ci.execute("thread_a", code)
    assert result.logs.startswith("from upload\n"), result.logs
    assert (ci.workdir("thread_a") / "made.txt").read_text() == "ok"
    assert ci.workdir("thread_a") / "made.txt" in result.new_files
    host_mounts = await asyncio.to_thread(Path("/proc/self/mounts").read_text)
    assert " /mnt/data " not in host_mounts  # the mapping stays inside the kernel


async def test_traceback_is_reported_without_colour_codes(ci: CodeInterpreter) -> None:
    result = await ci.execute("thread_a", "def f():\n    return 1 / 0\nf()")
    assert result.error is not None
    assert "ZeroDivisionError: division by zero" in result.error
    assert "\x1b[" not in result.error and "\x1b[" not in result.logs
    assert "ZeroDivisionError" in result.logs
    follow = await ci.execute("thread_a", "print('still fine')")
    assert follow.error is None and follow.logs == "still fine\n"


async def test_infinite_loop_is_stopped_and_session_survives(short_ci: CodeInterpreter) -> None:
    await short_ci.execute("thread_a", "kept = 'yes'")
    started = time.monotonic()
    result = await short_ci.execute("thread_a", "while True:\n    pass")
    elapsed = time.monotonic() - started
    assert result.timed_out
    assert result.error is not None and "timed out after 2 s" in result.error
    assert 1.9 <= elapsed < 8
    follow = await short_ci.execute("thread_a", "print(kept)")
    assert follow.error is None and follow.logs == "yes\n"


async def test_cell_ignoring_interrupts_gets_a_restarted_kernel(short_ci: CodeInterpreter) -> None:
    await short_ci.execute("thread_a", "lost = 1")
    first_pid = short_ci.kernel_pid("thread_a")
    code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    result = await short_ci.execute("thread_a", code)
    assert result.timed_out and result.error is not None
    assert "restarted" in result.error
    assert first_pid is not None and not psutil.pid_exists(first_pid)
    follow = await short_ci.execute("thread_a", "print('lost' in globals())")
    assert "fresh kernel" in follow.logs
    assert follow.logs.endswith("False\n")


async def test_memory_bomb_fails_cleanly_and_session_recovers(ci: CodeInterpreter) -> None:
    result = await ci.execute("thread_a", "blob = bytearray(4 * 1024**3)")
    assert result.error is not None and "MemoryError" in result.error
    follow = await ci.execute("thread_a", "print(sum(range(10)))")
    assert follow.error is None and follow.logs == "45\n"


async def test_killed_kernel_is_reported_and_replaced(ci: CodeInterpreter) -> None:
    await ci.execute("thread_a", "before = 1")
    result = await ci.execute("thread_a", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.error is not None and "stopped unexpectedly" in result.error
    follow = await ci.execute("thread_a", "print('before' in globals())")
    assert follow.error is None
    assert follow.logs.startswith("[Note: the previous Python kernel")
    assert follow.logs.endswith("False\n")


async def test_cpu_time_limit_stops_the_kernel(tmp_path: Path) -> None:
    limits = Limits(wall_seconds=20, cpu_seconds=3, prewarm=False)
    interpreter = CodeInterpreter(tmp_path / "ci", limits=limits)
    try:
        started = time.monotonic()
        result = await interpreter.execute("t", "while True:\n    pass")
        assert result.error is not None and "stopped unexpectedly" in result.error
        assert not result.timed_out and time.monotonic() - started < 10
        follow = await interpreter.execute("t", "print('back')")
        assert follow.error is None and follow.logs.endswith("back\n")
    finally:
        await interpreter.aclose()


async def test_hundred_megabyte_print_is_truncated_to_the_cap(ci: CodeInterpreter) -> None:
    rss_before = psutil.Process().memory_info().rss
    result = await ci.execute("thread_a", "print('x' * 100_000_000)")
    rss_growth = psutil.Process().memory_info().rss - rss_before
    cap = FAST.max_output_bytes
    body, _, marker = result.logs.partition("\n[output truncated")
    assert body == "x" * cap
    assert "99,934,465 more bytes were dropped" in marker
    assert rss_growth < 50 * MIB
    # ~230 KB of short lines: well past the 64 KB cap, and quick even on a loaded machine.
    spam = await ci.execute("thread_a", "for i in range(20_000):\n    print('line', i)")
    assert not spam.timed_out
    assert len(spam.logs.encode()) < cap + 200 and "more bytes were dropped" in spam.logs
    small = await ci.execute("thread_a", "print('short')")
    assert small.logs == "short\n"


async def test_large_expression_result_is_truncated(ci: CodeInterpreter) -> None:
    result = await ci.execute("thread_a", "'y' * 1_000_000")
    assert len(result.logs.encode()) < FAST.max_output_bytes + 200
    assert "more bytes were dropped" in result.logs


async def test_two_sessions_are_isolated(ci: CodeInterpreter) -> None:
    await ci.execute("thread_a", "secret = 'a'\nopen('a.txt', 'w').write('a')")
    other = await ci.execute("thread_b", "import os\nprint(sorted(os.listdir('.')))\nsecret")
    assert other.error is not None and "NameError" in other.error
    assert "[]" in other.logs
    assert ci.workdir("thread_a") != ci.workdir("thread_b")
    assert (ci.workdir("thread_a") / "a.txt").exists()
    assert not (ci.workdir("thread_b") / "a.txt").exists()
    assert ci.kernel_pid("thread_a") != ci.kernel_pid("thread_b")


async def test_concurrent_sessions_with_a_warm_spare(tmp_path: Path) -> None:
    interpreter = CodeInterpreter(tmp_path / "ci", limits=Limits(wall_seconds=20, prewarm=True))
    try:
        await interpreter.warm_up()
        names = ["s1", "s2", "s3"]
        results = await asyncio.gather(
            *(
                interpreter.execute(
                    name, f"import os\nopen('{name}.txt', 'w').close()\nprint(sorted(os.listdir()))"
                )
                for name in names
            )
        )
        for name, result in zip(names, results, strict=True):
            assert result.error is None
            # Each session sees only its own folder, whichever kernel (spare or not) it got.
            assert result.logs == f"['{name}.txt']\n"
            assert (interpreter.workdir(name) / f"{name}.txt").exists()
        assert len({interpreter.kernel_pid(name) for name in names}) == 3
    finally:
        await interpreter.aclose()
    assert kernel_children() == []


async def test_kernel_has_no_network_and_no_server_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-leak")
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    interpreter = CodeInterpreter(tmp_path / "ci", limits=FAST)
    try:
        env = await interpreter.execute("t", "import os\nprint('OPENAI_API_KEY' in os.environ)")
        assert env.logs == "False\n"
        if not interpreter.isolation.active:
            pytest.skip(interpreter.sandbox_description)
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)"
        result = await interpreter.execute("t", code)
        assert result.error is not None
        assert "ConnectionRefusedError" in result.error or "OSError" in result.error
    finally:
        await interpreter.aclose()
        server.close()
        await server.wait_closed()


async def test_idle_kernel_is_shut_down(tmp_path: Path) -> None:
    limits = Limits(wall_seconds=5, idle_timeout_seconds=0.5, idle_check_seconds=0.1, prewarm=False)
    interpreter = CodeInterpreter(tmp_path / "ci", limits=limits)
    try:
        await interpreter.execute("t", "x = 1")
        pid = interpreter.kernel_pid("t")
        assert pid is not None and psutil.pid_exists(pid)
        await wait_until(lambda: interpreter.kernel_pid("t") is None)
        await wait_until(lambda: not psutil.pid_exists(pid))
        again = await interpreter.execute("t", "print('x' in globals())")
        assert "idle" in again.logs and again.logs.endswith("False\n")
    finally:
        await interpreter.aclose()


async def test_aclose_leaves_no_kernel_process(tmp_path: Path) -> None:
    interpreter = CodeInterpreter(tmp_path / "ci", limits=Limits(prewarm=True))
    await interpreter.execute("one", "1")
    await interpreter.execute("two", "2")
    pids = [interpreter.kernel_pid("one"), interpreter.kernel_pid("two")]
    assert all(pid is not None for pid in pids)
    await wait_until(lambda: len(kernel_children()) >= 3)  # two sessions + the spare
    await interpreter.aclose()
    assert kernel_children() == []
    assert not any(psutil.pid_exists(pid) for pid in pids if pid is not None)
    closed = await interpreter.execute("one", "1")
    assert closed.error == "The code interpreter has been shut down."


async def test_cancelled_execution_stops_the_cell(ci: CodeInterpreter) -> None:
    await ci.execute("thread_a", "import time\nmarker = 'kept'")
    code = "open('started', 'w').close()\ntime.sleep(30)"
    task = asyncio.create_task(ci.execute("thread_a", code))
    await wait_until(lambda: (ci.workdir("thread_a") / "started").exists())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    follow = await ci.execute("thread_a", "print(marker)")
    assert follow.logs == "kept\n"
    assert time.monotonic() - started < 5


async def test_bad_input_gets_plain_errors(ci: CodeInterpreter) -> None:
    with pytest.raises(ValueError, match="session id"):
        await ci.execute("../escape", "1")
    with pytest.raises(ValueError, match="not a usable file name"):
        await ci.add_file("thread_a", "..", b"x")
    landed = await ci.add_file("thread_a", "../../etc/evil.txt", b"x")
    assert landed == ci.workdir("thread_a") / "evil.txt"
    with pytest.raises(ValueError, match="wall_seconds"):
        Limits(wall_seconds=0)
    syntax = await ci.execute("thread_a", "def broken(:\n")
    assert syntax.error is not None and "SyntaxError" in syntax.error


def test_no_orphans_from_this_module() -> None:
    assert kernel_children() == [], [p.pid for p in kernel_children()]


CRASHING_SERVER = """
import asyncio, sys
from pathlib import Path
from playground.runtime.code_interpreter import CodeInterpreter, Limits

async def main():
    ci = CodeInterpreter(Path(sys.argv[1]), limits=Limits(prewarm=False))
    await ci.execute("t", "1")
    print(ci.kernel_pid("t"), flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def test_kernel_exits_when_the_server_process_dies(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASHING_SERVER,
        str(tmp_path / "ci"),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    kernel_pid = int(line)
    assert psutil.pid_exists(kernel_pid)
    proc.kill()
    await proc.wait()
    # ipykernel's parent poller notices the dead parent (JPY_PARENT_PID) and exits.
    await wait_until(lambda: not _running(kernel_pid), within=15)


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def test_at_most_max_kernels_run_and_the_oldest_stops_first(tmp_path: Path) -> None:
    limits = Limits(wall_seconds=15, max_kernels=2, prewarm=False)
    interpreter = CodeInterpreter(tmp_path / "ci", limits=limits)
    try:
        await interpreter.execute("a", "open('kept.txt', 'w').close()\nv = 1")
        await interpreter.execute("b", "v = 2")
        await interpreter.execute("c", "v = 3")
        assert interpreter.running_kernels() == 2
        assert interpreter.kernel_pid("a") is None  # least recently used
        assert interpreter.kernel_pid("b") is not None and interpreter.kernel_pid("c") is not None
        again = await interpreter.execute("a", "import os\nprint('v' in globals(), os.listdir())")
        assert "make room" in again.logs and "fresh kernel" in again.logs
        assert again.logs.endswith("False ['kept.txt']\n")
        assert interpreter.running_kernels() == 2
    finally:
        await interpreter.aclose()


async def test_delete_session_stops_the_kernel_and_removes_files(ci: CodeInterpreter) -> None:
    await ci.execute("gone", "open('f.txt', 'w').write('x')")
    pid = ci.kernel_pid("gone")
    folder = ci.workdir("gone")
    assert pid is not None and (folder / "f.txt").exists()
    await ci.delete_session("gone")
    assert ci.kernel_pid("gone") is None
    assert not folder.exists()
    await wait_until(lambda: not psutil.pid_exists(pid))


async def test_without_a_sandbox_the_interpreter_is_off_and_says_why(tmp_path: Path) -> None:
    off = Isolation(Mode.OFF, "The code interpreter is off because no sandbox is available.")
    interpreter = CodeInterpreter(tmp_path / "ci", limits=FAST, isolation=off)
    try:
        result = await interpreter.execute("t", "print(1)")
        assert result.error == off.description and interpreter.unavailable_reason
        assert kernel_children() == []
    finally:
        await interpreter.aclose()


# An absolute POSIX path of two or more parts, as a leaked server folder would appear.
_SERVER_PATH = re.compile(r"(?<![\w.~-])/[^\s'\"]+/[^\s'\"]*")


async def test_a_kernel_that_cannot_start_says_so_without_server_paths(tmp_path: Path) -> None:
    """The step error reaches the model and the user: it names the failure, not our folders.

    A folder planted where the kernels' log file goes makes every start fail with an
    ``OSError`` that carries the log's absolute path.
    """
    (tmp_path / "ci" / ".home" / "kernels.log").mkdir(parents=True)
    interpreter = CodeInterpreter(
        tmp_path / "ci", limits=FAST, isolation=choose_isolation(allow_unsafe=True)
    )
    try:
        result = await interpreter.execute("t", "print(1)")
    finally:
        await interpreter.aclose()
    assert result.error is not None
    assert result.error.startswith("The Python kernel could not be started: Is a directory")
    assert "kernels.log" in result.error  # which file, by name
    for text in (result.error, result.logs):
        assert str(tmp_path) not in text and not _SERVER_PATH.search(text), text
    assert kernel_children() == []


async def test_a_sandbox_failure_reason_carries_no_server_paths(tmp_path: Path) -> None:
    """bwrap's probe names its own path and stderr; the model sees only the reason."""
    helper = tmp_path / "venv" / "bin" / "bwrap"
    off = Isolation(
        Mode.OFF,
        "The code interpreter is off because no sandbox is available: bubblewrap cannot "
        f"create a sandbox on this system ({helper}: setting up uid map: Permission denied).",
    )
    interpreter = CodeInterpreter(tmp_path / "ci", limits=FAST, isolation=off)
    try:
        result = await interpreter.execute("t", "print(1)")
    finally:
        await interpreter.aclose()
    reason = interpreter.unavailable_reason
    assert reason is not None and "bwrap: setting up uid map: Permission denied" in reason
    for text in (reason, result.error or "", result.logs):
        assert str(tmp_path) not in text and not _SERVER_PATH.search(text), text


async def test_unsafe_mode_runs_code_without_isolation(tmp_path: Path) -> None:
    unsafe = Isolation(Mode.UNSAFE, "UNSAFE: no isolation")
    interpreter = CodeInterpreter(tmp_path / "ci", limits=FAST, isolation=unsafe)
    try:
        result = await interpreter.execute("t", "import os\nprint(os.getcwd())")
        assert result.error is None
        assert result.logs == f"{interpreter.workdir('t')}\n"  # the host path: no sandbox
        assert interpreter.unsafe and interpreter.unavailable_reason is None
    finally:
        await interpreter.aclose()


async def test_a_symlink_planted_under_an_input_name_is_replaced_not_followed(
    ci: CodeInterpreter, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("host file")
    await ci.execute("t", "x = 1")
    (ci.workdir("t") / "data.csv").symlink_to(outside)
    source = tmp_path / "upload.csv"
    source.write_text("a,b\n")
    await ci.add_file_from("t", "data.csv", source)
    assert outside.read_text() == "host file"
    assert (ci.workdir("t") / "data.csv").read_text() == "a,b\n"
