"""An in-memory keyring backend for unit tests.

A real ``keyring.backend.KeyringBackend`` subclass, selected with
``PYTHON_KEYRING_BACKEND=tests.helpers.memory_keyring.MemoryKeyring`` (tests/conftest.py), so
unit tests exercise the keyring code path without touching the developer's real keyring.
The real OS keyring is covered by the ``keyring_real`` test.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Keeps passwords in a class-level dict shared by all instances (like one OS keyring)."""

    priority = 1  # type: ignore[assignment]  # keyring declares it as a classproperty

    _passwords: ClassVar[dict[tuple[str, str], str]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._passwords.pop((service, username), None) is None:
                raise PasswordDeleteError(f"No password for {username!r} in {service!r}")

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._passwords.clear()

    @classmethod
    def snapshot(cls) -> dict[tuple[str, str], str]:
        with cls._lock:
            return dict(cls._passwords)
