"""Connection profiles against the real embedded runtime: reopen, test, keys, failures."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest

from playground.connection.contract import ProfileKeys
from playground.store.profiles import AuthMode, ConnectionProfile, ProfileKind
from playground.store.secrets import SecretPurpose, SecretStore
from playground.store.store import open_store
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]  # fixtures used by name

# The offscreen platform cannot resize top-level windows to their size hints and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SECRET = "sk-test-SECRET-4d1f9c0a7b"


def _files_containing(root: Path, needle: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            try:
                if needle.encode() in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


async def test_first_start_opens_the_embedded_runtime(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        session = app.parts.session
        assert session.profile is not None
        assert session.profile.kind is ProfileKind.EMBEDDED
        assert "embedded runtime at http://127.0.0.1:" in session.state_detail
        page = await session.client.assistants.list(limit=5).page()
        assert page.data == []
        # The window shows the profile and the connection.
        assert app.window.profile_combo.currentText() == "Embedded runtime"
        assert "127.0.0.1" in app.window.connection_label.text()


async def test_test_connection_reports_each_check(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        vm = app.parts.connection_vm
        profile = app.parts.session.profile
        assert profile is not None
        report = await vm.test_async(profile)
        names = [c.name for c in report.checks]
        assert names == ["Connect", "List assistants", "List files", "Streaming"]
        assert report.ok, report.text()
        assert "0 assistant(s) found" in report.text()


async def test_test_connection_failure_is_in_plain_words(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        vm = app.parts.connection_vm
        nowhere = ConnectionProfile(
            name="Nowhere", kind=ProfileKind.OPENAI, base_url="http://127.0.0.1:9/v1"
        )
        report = await vm.test_async(nowhere, ProfileKeys(api_key="k-123456"))
        assert not report.ok
        text = report.text()
        assert "Could not reach the server" in text
        assert "Traceback" not in text
        missing_key = await vm.test_async(nowhere)
        assert "needs an API key" in missing_key.text()


async def test_keys_go_to_the_keyring_never_to_files(
    qtbot: Any, model_env: ScriptedLLM, playground_home: Path
) -> None:
    async with running_app(qtbot) as app:
        vm = app.parts.connection_vm
        remote = ConnectionProfile(
            name="Remote", kind=ProfileKind.OPENAI, base_url="http://127.0.0.1:9/v1"
        )
        note = await vm.save_async(remote, ProfileKeys(api_key=SECRET), connect=False)
        assert note == "The key is saved in the system keyring."
        store = app.parts.store
        got = await asyncio.to_thread(store.secrets.get, remote.id, SecretPurpose.API_KEY)
        assert got == SECRET
        # An embedded profile's model key travels to the runtime by environment, not argv.
        embedded = app.parts.session.profile
        assert embedded is not None
        await vm.save_async(embedded, ProfileKeys(model_key=SECRET + "-model"), connect=True)
        await app.connected()
        assert [p.name for p in vm.profiles] == ["Embedded runtime", "Remote"]
        # Write a request log, drafts, everything that could leak, then search every file.
        app.parts.chat_vm.set_draft("hello")
        await app.parts.chat_vm.flush_draft()
    assert _files_containing(playground_home, SECRET) == []


async def test_without_keyring_keys_are_kept_for_this_session_only(
    qtbot: Any, model_env: ScriptedLLM, playground_home: Path
) -> None:
    store = await asyncio.to_thread(
        open_store, None, SecretStore(backend=keyring.backends.fail.Keyring())
    )
    async with running_app(qtbot, store=store) as app:
        vm = app.parts.connection_vm
        assert "for this session only" in await vm.key_storage_status()
        remote = ConnectionProfile(
            name="Remote", kind=ProfileKind.OPENAI, base_url="http://127.0.0.1:9/v1"
        )
        note = await vm.save_async(remote, ProfileKeys(api_key=SECRET), connect=False)
        assert note.startswith("The key is kept for this session only")
        assert vm.key_storage_note == note
        assert store.secrets.get(remote.id) == SECRET
    assert _files_containing(playground_home, SECRET) == []


async def test_last_profile_is_reopened(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        vm = app.parts.connection_vm
        second = ConnectionProfile(
            name="Second embedded", kind=ProfileKind.EMBEDDED, auth_mode=AuthMode.NONE
        )
        await vm.save_async(second, connect=True)
        await app.connected()
        assert app.parts.session.profile_id == second.id
    async with running_app(qtbot) as again:
        assert again.parts.session.profile_id == second.id
        assert again.window.profile_combo.currentText() == "Second embedded"


async def test_switching_profile_from_the_selector(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        vm = app.parts.connection_vm
        other = ConnectionProfile(
            name="Broken", kind=ProfileKind.OPENAI, base_url="http://127.0.0.1:9/v1"
        )
        await vm.save_async(other, connect=False)
        combo = app.window.profile_combo
        await until(lambda: combo.count() == 2, [vm.profiles_changed])
        session = app.parts.session
        combo.setCurrentIndex(combo.findData(other.id))
        await until(lambda: session.state.value == "failed", [session.state_changed])
        assert "needs an API key" in session.state_detail
        assert app.window.banner.isVisible()
        assert "needs an API key" in app.window.banner.text


@pytest.mark.parametrize("kind", [ProfileKind.AZURE, ProfileKind.FOUNDRY])
def test_profiles_that_need_more_say_what(kind: ProfileKind) -> None:
    profile = ConnectionProfile(name="x", kind=kind)
    assert any("Enter the" in p for p in profile.problems())
