from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringError

from playground.store.secrets import SERVICE, SecretPurpose, SecretStore
from tests.helpers.memory_keyring import MemoryKeyring

KEY = "sk-unit-3c1b9d7e-not-a-real-key"


class RaisingKeyring(KeyringBackend):
    """A keyring that exists but fails every call (a locked or broken Secret Service)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("dbus said no")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("dbus said no")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("dbus said no")


def test_unit_tests_use_the_memory_backend() -> None:
    assert isinstance(keyring.get_keyring(), MemoryKeyring)


def test_keys_go_to_the_keyring_under_service_and_profile_id() -> None:
    secrets = SecretStore()
    status = secrets.set("prof_1", KEY)
    secrets.set("prof_1", "model-key", SecretPurpose.MODEL_KEY)
    assert status.persistent and status.reason == ""
    assert MemoryKeyring.snapshot() == {
        (SERVICE, "prof_1"): KEY,
        (SERVICE, "prof_1/model"): "model-key",
    }
    # A second store (another part of the app) reads the same key.
    assert SecretStore().get("prof_1") == KEY
    assert SecretStore().get("prof_1", SecretPurpose.MODEL_KEY) == "model-key"


def test_empty_key_and_delete_remove_it() -> None:
    secrets = SecretStore()
    secrets.set("prof_1", KEY)
    secrets.set("prof_1", "")
    assert secrets.get("prof_1") is None
    secrets.set("prof_1", KEY)
    secrets.set("prof_1", "m", SecretPurpose.MODEL_KEY)
    secrets.delete("prof_1")
    assert MemoryKeyring.snapshot() == {}
    secrets.delete("prof_never")  # missing keys are fine


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "no keyring service"),
        (null.Keyring(), "switched off"),
    ],
)
def test_unusable_backends_keep_the_key_for_this_session(
    backend: KeyringBackend, reason: str
) -> None:
    secrets = SecretStore(backend)
    assert not secrets.persistent
    status = secrets.set("prof_1", KEY)
    assert status.persistent is False
    assert reason in status.reason
    assert secrets.get("prof_1") == KEY
    # Every store in this process sees the session key, even one with a working keyring.
    assert SecretStore().get("prof_1") == KEY
    assert MemoryKeyring.snapshot() == {}


def test_empty_chainer_is_not_a_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChainerBackend, "backends", [])
    secrets = SecretStore(ChainerBackend())
    status = secrets.set("prof_1", KEY)
    assert not status.persistent
    assert secrets.get("prof_1") == KEY


def test_chainer_with_a_real_backend_is_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChainerBackend, "backends", [MemoryKeyring()])
    assert SecretStore(ChainerBackend()).set("prof_1", KEY).persistent


def test_raising_keyring_falls_back_without_leaking_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secrets = SecretStore(RaisingKeyring())
    assert secrets.persistent  # looks fine until used
    with caplog.at_level(logging.DEBUG):
        status = secrets.set("prof_1", KEY)
    assert status.persistent is False
    assert "refused to store it (KeyringError)" in status.reason
    assert secrets.get("prof_1") == KEY
    assert KEY not in caplog.text
    assert "session only" in caplog.text


def test_keyring_that_drops_writes_is_detected() -> None:
    class Forgetful(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            return None  # accepts and forgets

    status = SecretStore(Forgetful()).set("prof_1", KEY)
    assert status.persistent is False
    assert "did not keep it" in status.reason
