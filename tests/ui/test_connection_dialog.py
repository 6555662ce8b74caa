"""The Connections dialog over the real view model and the real runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from playground.api.dialects import AZURE_ASSISTANTS_API_VERSIONS
from playground.store.profiles import ProfileKind
from playground.store.secrets import SecretPurpose
from playground.ui.dialogs.connection_dialog import ConnectionDialog
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SECRET = "azure-key-SECRET-91c2e"


async def test_dialog_edits_saves_and_keeps_keys_out_of_files(
    qtbot: Any, model_env: ScriptedLLM, playground_home: Path
) -> None:
    async with running_app(qtbot) as app:
        app.window.connections_button.click()
        dialog = app.app._dialog
        assert isinstance(dialog, ConnectionDialog) and dialog.isVisible()
        assert dialog.name.text() == "Embedded runtime"
        assert dialog.current_kind() is ProfileKind.EMBEDDED
        vm = app.parts.connection_vm
        await until(lambda: dialog.key_note.text(), [vm.key_storage_changed])
        assert "system keyring" in dialog.key_note.text()

        dialog.on_new_clicked()
        dialog.kind.setCurrentIndex(dialog.kind.findData(ProfileKind.AZURE.value))
        assert dialog.pages.currentIndex() == 1
        # Every Assistants-capable api-version is offered, newest first.
        offered = [dialog.azure_version.itemData(i) for i in range(dialog.azure_version.count())]
        assert offered == [v.version for v in reversed(AZURE_ASSISTANTS_API_VERSIONS)]
        assert "Enter the endpoint." in dialog.problems.text()
        assert not dialog.save_button.isEnabled()
        dialog.name.setText("My Azure")
        dialog.azure_endpoint.setText("ftp://nope")
        assert "must be an http" in dialog.problems.text()
        dialog.azure_endpoint.setText("http://127.0.0.1:9")
        assert dialog.problems.text() == "" and dialog.save_button.isEnabled()
        dialog.azure_key.setText(SECRET)
        dialog.save_button.click()
        await until(lambda: any(p.name == "My Azure" for p in vm.profiles), [vm.profiles_changed])
        saved = next(p for p in vm.profiles if p.name == "My Azure")
        assert saved.kind is ProfileKind.AZURE and saved.api_version == offered[0]
        assert dialog.azure_key.text() == ""  # never shown again
        assert app.parts.store.secrets.get(saved.id, SecretPurpose.API_KEY) == SECRET
        session = app.parts.session
        await until(
            lambda: (
                session.state.value in ("failed", "connected") and session.profile_id == saved.id
            ),
            [session.state_changed],
        )

        dialog.on_test_clicked()
        await until(lambda: "Connect" in dialog.result_label.text(), [vm.test_finished])
        assert "Could not reach the server" in dialog.result_label.text()

        dialog.kind.setCurrentIndex(dialog.kind.findData(ProfileKind.FOUNDRY.value))
        page = dialog.pages.currentWidget()
        assert page is not None
        assert "2027-03-31" in page.findChildren(type(dialog.problems))[-1].text()
    assert _files_containing(playground_home, SECRET) == []


def _files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]
