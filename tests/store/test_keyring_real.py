"""The real OS keyring: gnome-keyring's Secret Service inside a private D-Bus session.

Runs the store in child processes under ``dbus-run-session`` with a throw-away HOME, so the
developer's own keyring is never touched, and checks that a key written by one process is read
by another through the Secret Service while no file under the playground's folders holds it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store.conftest import files_containing

KEY = "sk-real-keyring-7e4f2a9c1d-should-stay-secret"

CHILD = r"""
import json, os, sys
import keyring
from playground.store.store import open_store
from playground.store.profiles import ConnectionProfile, ProfileKind

mode = sys.argv[1]
store = open_store()
if mode == "write":
    profile = store.profiles.save(ConnectionProfile(
        id="prof_real", name="Real", kind=ProfileKind.OPENAI, base_url="http://127.0.0.1:9/v1"))
    status = store.secrets.set(profile.id, os.environ["TEST_KEY"])
    print(json.dumps({"backend": status.backend, "persistent": status.persistent,
                      "reason": status.reason}))
else:
    # A new process has no session memory: this can only come from the keyring.
    print(json.dumps({"via_store": store.secrets.get("prof_real") == os.environ["TEST_KEY"],
                      "direct": keyring.get_password("assistants-playground", "prof_real")
                                == os.environ["TEST_KEY"]}))
"""


@pytest.mark.keyring_real
def test_real_keyring_roundtrip_and_no_key_in_files(tmp_path: Path, playground_home: Path) -> None:
    missing = [b for b in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(b) is None]
    if missing:
        pytest.skip(
            f"needs {' and '.join(missing)} (Debian: apt-get install -y dbus gnome-keyring)"
        )
    fake_home = tmp_path / "user-home"
    fake_home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(
        HOME=str(fake_home),
        XDG_DATA_HOME=str(fake_home / ".local" / "share"),
        XDG_CONFIG_HOME=str(fake_home / ".config"),
        XDG_RUNTIME_DIR=str(fake_home / "run"),
        ASSISTANTS_PLAYGROUND_HOME=str(playground_home),
        TEST_KEY=KEY,
        CHILD_SRC=CHILD,
        PY=sys.executable,
    )
    (fake_home / "run").mkdir(mode=0o700)
    shell = (
        "echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 90; "
        '"$PY" -c "$CHILD_SRC" write && "$PY" -c "$CHILD_SRC" read'
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=90,
    )
    if result.returncode == 90:
        pytest.skip(f"gnome-keyring-daemon could not start: {result.stderr[-500:]}")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2, result.stdout
    written, read = lines
    if "SecretService" not in written["backend"]:
        pytest.skip(f"the Secret Service was not reachable (backend {written['backend']})")
    assert written == {"backend": written["backend"], "persistent": True, "reason": ""}
    assert read == {"via_store": True, "direct": True}
    assert files_containing(playground_home, KEY) == []
    # gnome-keyring keeps its own (encrypted) file; the key must not be readable there either.
    assert files_containing(fake_home, KEY) == []
