"""API keys, kept in the OS keyring and nowhere else.

Service name ``assistants-playground``, username = the profile id (the embedded runtime's
model key uses ``<profile id>/model``). When no usable keyring exists — the ``fail`` or
``null`` backend, a chainer with nothing to chain, a plain-text file backend, or a store that
raises or silently drops the key — the key is kept in memory for this session only and the
result says ``persistent=False`` so the dialog can tell the person. A key is never written to
a file and never appears in a log message or exception text produced here.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "assistants-playground"

log = logging.getLogger(__name__)


class SecretPurpose(StrEnum):
    """Which secret of a profile: the server key, or the embedded runtime's model key."""

    API_KEY = "api_key"
    MODEL_KEY = "model_key"


def keyring_username(profile_id: str, purpose: SecretPurpose = SecretPurpose.API_KEY) -> str:
    return profile_id if purpose is SecretPurpose.API_KEY else f"{profile_id}/model"


@dataclass(frozen=True)
class SecretStatus:
    """Whether keys survive a restart, and in plain words why not."""

    persistent: bool
    backend: str
    reason: str = ""


# Session-only keys are process-wide so every SecretStore in the app sees the same ones.
_SESSION_KEYS: dict[tuple[str, str], str] = {}
_SESSION_LOCK = threading.Lock()

# Backends that "work" but would not keep a key safely or at all.
_REFUSED_BACKENDS = {
    "keyring.backends.fail.Keyring": "no keyring service is available on this computer",
    "keyring.backends.null.Keyring": "the keyring is switched off (null backend)",
    "keyrings.alt.file.PlaintextKeyring": "the only keyring writes keys to a plain-text file",
}


def _qualname(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _unusable_reason(backend: KeyringBackend) -> str:
    """Why this backend cannot hold keys, or "" when it can."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return "no keyring service is available on this computer"
        reasons = [_unusable_reason(b) for b in chained]
        return "" if any(r == "" for r in reasons) else reasons[0]
    return _REFUSED_BACKENDS.get(_qualname(backend), "")


class SecretStore:
    """Reads and writes profile keys; falls back to session memory when the keyring cannot."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend
        self._lock = threading.Lock()
        self._failure: str = ""

    def _keyring(self) -> KeyringBackend:
        if self._backend is None:
            # Imported lazily: keyring's backend discovery costs start-up time.
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def status(self) -> SecretStatus:
        """Whether keys saved now will still be there after a restart."""
        try:
            backend = self._keyring()
        except Exception as exc:
            return SecretStatus(
                False, "none", f"the keyring could not be loaded ({type(exc).__name__})"
            )
        name = _qualname(backend)
        reason = _unusable_reason(backend) or self._failure
        return SecretStatus(not reason, name, reason)

    @property
    def persistent(self) -> bool:
        return self.status().persistent

    def set(
        self, profile_id: str, secret: str, purpose: SecretPurpose = SecretPurpose.API_KEY
    ) -> SecretStatus:
        """Store a key; an empty key deletes it. Returns where it went."""
        if not secret:
            self.delete(profile_id, purpose)
            return self.status()
        user = keyring_username(profile_id, purpose)
        status = self.status()
        if status.persistent:
            try:
                backend = self._keyring()
                backend.set_password(SERVICE, user, secret)
                # Some stores accept a write and drop it; read back before trusting them.
                if backend.get_password(SERVICE, user) == secret:
                    with _SESSION_LOCK:
                        _SESSION_KEYS.pop((SERVICE, user), None)
                    return status
                self._note_failure("the keyring accepted the key but did not keep it")
            except Exception as exc:
                # Only the class name: a backend's message could in theory echo its input.
                self._note_failure(f"the keyring refused to store it ({type(exc).__name__})")
        with _SESSION_LOCK:
            _SESSION_KEYS[(SERVICE, user)] = secret
        return self.status()

    def get(self, profile_id: str, purpose: SecretPurpose = SecretPurpose.API_KEY) -> str | None:
        """The key for a profile, or None. Session keys win: they are the most recent."""
        user = keyring_username(profile_id, purpose)
        with _SESSION_LOCK:
            if (SERVICE, user) in _SESSION_KEYS:
                return _SESSION_KEYS[(SERVICE, user)]
        if not self.status().persistent:
            return None
        try:
            return self._keyring().get_password(SERVICE, user)
        except Exception as exc:
            self._note_failure(f"the keyring could not be read ({type(exc).__name__})")
            return None

    def delete(self, profile_id: str, purpose: SecretPurpose | None = None) -> None:
        """Forget a key (both purposes when ``purpose`` is None). Missing keys are fine."""
        purposes = list(SecretPurpose) if purpose is None else [purpose]
        for p in purposes:
            user = keyring_username(profile_id, p)
            with _SESSION_LOCK:
                _SESSION_KEYS.pop((SERVICE, user), None)
            if not self.status().persistent:
                continue
            try:
                backend = self._keyring()
                if backend.get_password(SERVICE, user) is not None:
                    backend.delete_password(SERVICE, user)
            except Exception as exc:
                self._note_failure(f"the keyring could not delete a key ({type(exc).__name__})")

    def _note_failure(self, reason: str) -> None:
        with self._lock:
            self._failure = reason
        log.warning("Keys are kept for this session only: %s", reason)


def forget_session_keys() -> None:
    """Drop every key held only in memory (at exit, and between tests)."""
    with _SESSION_LOCK:
        _SESSION_KEYS.clear()
