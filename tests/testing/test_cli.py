"""The ``assistants-playground test`` command in a real subprocess: exit codes, reports, no Qt.

Against a connection profile (the module's runtime, key from an environment variable) and
against the embedded runtime, which the command starts on demand and stops at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx

from playground.store.profiles import AuthMode, ConnectionProfile, ProfileKind
from playground.store.store import open_store
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, text

REPO = Path(__file__).resolve().parents[2]

#: Runs the app's entry point as the gui-script does, then proves Qt never loaded.
LAUNCH = (
    "import sys\n"
    "from playground.app import main\n"
    "code = main(sys.argv[1:])\n"
    "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync'))\n"
    "print('QT-MODULES:' + ','.join(loaded), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _cli(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, "test", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "ASSISTANTS_PLAYGROUND_HOME": str(home), **env},
        timeout=240,
    )


def _suite(path: Path, assistant_id: str | None, *, contains: str) -> Path:
    data: dict[str, object] = {
        "name": "Echo",
        "cases": [
            {
                "name": "echo",
                "turns": [
                    {
                        "user": "ping",
                        "checks": [
                            {"type": "run_completed"},
                            {"type": "answer_contains", "text": contains},
                        ],
                    }
                ],
            }
        ],
    }
    if assistant_id:
        data["assistants"] = [assistant_id]
    path.write_text(json.dumps(data))
    return path


def _assistant(rt: RuntimeServer) -> str:
    with httpx.Client(base_url=rt.api_base, headers=rt.headers, timeout=30) as http:
        made = http.post("/assistants", json={"model": "scripted-model", "name": "Echoer"})
        made.raise_for_status()
        return str(made.json()["id"])


def _profile(home: Path, rt_base: str) -> None:
    store = open_store()
    store.profiles.save(
        ConnectionProfile(
            name="Loopback", kind=ProfileKind.OPENAI, base_url=rt_base, auth_mode=AuthMode.API_KEY
        )
    )


def test_exit_codes_reports_and_no_qt_against_a_profile(
    tmp_path: Path, playground_home: Path
) -> None:
    with ScriptedLLM() as llm, start_runtime(tmp_path / "rt", model_base_url=llm.base_url) as rt:
        assistant_id = _assistant(rt)
        _profile(playground_home, rt.api_base)
        key = {"LOOPBACK_KEY": rt.token}
        common = ["--profile", "loopback", "--api-key-env", "LOOPBACK_KEY"]

        passing = _suite(tmp_path / "pass.json", assistant_id, contains="You said: ping")
        junit, page = tmp_path / "r" / "junit.xml", tmp_path / "r" / "report.html"
        done = _cli(
            [str(passing), *common, "--junit", str(junit), "--html", str(page), "--repeat", "2"],
            playground_home,
            **key,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "QT-MODULES:\n" in done.stderr
        assert "PASSED: 2/2 case runs passed, 4/4 checks passed" in done.stdout
        root = ET.parse(junit).getroot()
        assert root.get("tests") == "4" and root.get("failures") == "0"
        assert "<script" not in page.read_text()

        failing = _suite(tmp_path / "fail.json", None, contains="Paris")
        llm.queue(text("Rome"))
        done = _cli([str(failing), *common, "--assistant", assistant_id], playground_home, **key)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "FAIL  Echoer · echo [1]" in done.stdout
        assert "answer contains 'Paris' — Not in the answer: “Rome”" in done.stdout
        assert "FAILED: 0/1 case runs passed, 1/2 checks passed" in done.stdout

        usage = [
            ([str(tmp_path / "missing.json"), *common], "cannot be read"),
            ([str(failing), *common], "No assistant to test"),
            ([str(passing), "--profile", "nope"], "no connection profile named “nope”"),
            ([str(passing), *common, "--assistant", "asst_nope"], "no assistant asst_nope"),
            ([str(passing), *common, "--repeat", "0"], "--repeat must be between"),
            ([str(passing), "--bogus"], "unrecognized arguments"),
            ([str(passing), "--profile", "loopback"], "needs an API key"),
        ]
        for args, words in usage:
            done = _cli(args, playground_home, **key)
            assert done.returncode == 2, (args, done.stdout, done.stderr)
            assert words in done.stderr, (args, done.stderr)
    # The server is gone now: a connection problem is a setup error, not a test failure.
    done = _cli([str(passing), *common], playground_home, **key)
    assert done.returncode == 2 and "Could not reach the server" in done.stderr, done.stderr
    assert llm.pending == 0


def test_the_embedded_runtime_starts_on_demand_with_the_default_profile(
    tmp_path: Path, playground_home: Path
) -> None:
    store = open_store()
    data_dir = store.paths.data / "runtime"
    with ScriptedLLM() as llm:
        # The window made the assistant in the embedded runtime's data folder earlier.
        with start_runtime(data_dir, model_base_url=llm.base_url) as rt:
            assistant_id = _assistant(rt)
        suite = _suite(tmp_path / "s.json", assistant_id, contains="You said: ping")
        done = _cli(
            [str(suite)],
            playground_home,
            PLAYGROUND_MODEL_BASE_URL=llm.base_url,
            PLAYGROUND_MODEL="scripted-model",
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on the embedded runtime at http://127.0.0.1:" in done.stdout
    assert "QT-MODULES:\n" in done.stderr
    assert len(llm.requests) == 1


def test_the_embedded_runtime_in_use_by_the_window_is_a_setup_error_saying_what_to_do(
    tmp_path: Path, playground_home: Path
) -> None:
    """The window's runtime holds the data folder: the command stops and says what to close,
    instead of a second runtime writing the same database."""
    store = open_store()
    data_dir = store.paths.data / "runtime"
    with ScriptedLLM() as llm, start_runtime(data_dir, model_base_url=llm.base_url) as window:
        suite = _suite(tmp_path / "s.json", _assistant(window), contains="You said: ping")
        done = _cli([str(suite)], playground_home, PLAYGROUND_MODEL_BASE_URL=llm.base_url)
        # The window's runtime is untouched and still serving.
        assert httpx.get(window.api_base + "/assistants", headers=window.headers).is_success
        assert llm.requests == []
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"data folder {data_dir} is in use by another runtime" in done.stderr
    assert done.stderr.count("is in use by another runtime") == 1, done.stderr  # said once
    assert f"(process {window.process.pid})" in done.stderr
    assert "Close it or let it finish" in done.stderr
