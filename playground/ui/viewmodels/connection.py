"""Connection profiles: the list, the one in use, saving keys, and "Test connection".

Keys go to ``playground.store.secrets`` only (the OS keyring, or this session's memory when no
keyring works — and then the dialog says so). All store calls run in worker threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.connection.contract import ProfileKeys
from playground.ui.messages import describe_exception
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.store.profiles import ConnectionProfile

log = logging.getLogger(__name__)

#: Shown in the window for Foundry profiles.
FOUNDRY_RETIREMENT_NOTE = (
    "Azure AI Foundry Agents (classic) is the last hosted service speaking this protocol; "
    "Microsoft retires it on 2027-03-31."
)


@dataclass
class CheckResult:
    """One line of a connection test."""

    name: str
    ok: bool
    detail: str


@dataclass
class TestReport:
    """What "Test connection" found, in plain words."""

    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def text(self) -> str:
        return "\n".join(f"{'✔' if c.ok else '✘'} {c.name}: {c.detail}" for c in self.checks)


class ConnectionViewModel(QObject):
    """Signals: ``profiles_changed()``, ``current_changed(object)`` (profile id or None),
    ``key_storage_changed(str)`` (where the last saved key went, in words),
    ``test_finished(object)`` (a :class:`TestReport`)."""

    profiles_changed = Signal()
    current_changed = Signal(object)
    key_storage_changed = Signal(str)
    test_finished = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._profiles: list[ConnectionProfile] = []
        self._last_key_note = ""
        session.profile_changed.connect(self.on_session_profile_changed)

    # -- state ----------------------------------------------------------------------------

    @property
    def profiles(self) -> list[ConnectionProfile]:
        return list(self._profiles)

    @property
    def current_id(self) -> str | None:
        return self._session.profile_id

    @property
    def key_storage_note(self) -> str:
        return self._last_key_note

    def profile(self, profile_id: str) -> ConnectionProfile | None:
        return next((p for p in self._profiles if p.id == profile_id), None)

    # -- intents --------------------------------------------------------------------------

    def load(self) -> None:
        self._session.runner.start(
            "connection.load", self.load_async(), label="Loading connections"
        )

    async def load_async(self) -> list[ConnectionProfile]:
        store = self._session.store
        self._profiles = await self._session.runner.run_blocking(store.profiles.list_all)
        self.profiles_changed.emit()
        return self.profiles

    async def open_last(self) -> ConnectionProfile:
        """At start: the last profile (an embedded one is created the first time); connect."""
        store = self._session.store
        profile = await self._session.runner.run_blocking(store.profiles.ensure_default)
        await self.load_async()
        self._session.connect_profile(profile)
        return profile

    def select(self, profile_id: str) -> None:
        profile = self.profile(profile_id)
        if profile is None:
            self._session.bridge.post_error(
                "Not found in the local data", "That connection is gone."
            )
            return
        if profile_id != self._session.profile_id or not self._session.is_connected:
            self._session.connect_profile(profile)

    def save(
        self, profile: ConnectionProfile, keys: ProfileKeys | None = None, *, connect: bool = True
    ) -> None:
        self._session.runner.start(
            "connection.save",
            self.save_async(profile, keys, connect=connect),
            label="Saving the connection",
        )

    async def save_async(
        self, profile: ConnectionProfile, keys: ProfileKeys | None = None, *, connect: bool = True
    ) -> str:
        """Save the profile, put keys in the keyring; returns where the keys went, in words.

        A key left empty keeps the saved one (the dialog never shows saved keys).
        """
        from playground.store.secrets import SecretPurpose

        store = self._session.store
        saved = await self._session.runner.run_blocking(store.profiles.save, profile)
        note = ""
        for purpose, value in (
            (SecretPurpose.API_KEY, keys.api_key if keys else None),
            (SecretPurpose.MODEL_KEY, keys.model_key if keys else None),
        ):
            if value:
                status = await self._session.runner.run_blocking(
                    store.secrets.set, saved.id, value, purpose
                )
                note = (
                    "The key is saved in the system keyring."
                    if status.persistent
                    else f"The key is kept for this session only: {status.reason}."
                )
        if note:
            self._last_key_note = note
            self.key_storage_changed.emit(note)
        await self.load_async()
        if connect:
            await self._session.connect_async(saved)
        return note

    def check_key_storage(self) -> None:
        """Say (``key_storage_changed``) where keys would be saved, before any is typed."""
        self._session.runner.start(
            "connection.keyring", self._announce_key_storage(), label="Checking the keyring"
        )

    async def _announce_key_storage(self) -> None:
        self.key_storage_changed.emit(await self.key_storage_status())

    async def key_storage_status(self) -> str:
        """Where a key saved now would go, for the dialog to say up front."""
        status = await self._session.runner.run_blocking(self._session.store.secrets.status)
        if status.persistent:
            return "Keys are saved in the system keyring."
        return f"Keys will be kept for this session only: {status.reason}."

    def delete(self, profile_id: str) -> None:
        self._session.runner.start(
            None, self.delete_async(profile_id), label="Deleting the connection"
        )

    async def delete_async(self, profile_id: str) -> None:
        store = self._session.store
        if profile_id == self._session.profile_id:
            await self._session.close_connection()
        await self._session.runner.run_blocking(store.delete_profile, profile_id)
        await self.load_async()

    def test(self, profile: ConnectionProfile, keys: ProfileKeys | None = None) -> None:
        self._session.runner.start(
            "connection.test", self.test_async(profile, keys), label="Testing the connection"
        )

    async def test_async(
        self, profile: ConnectionProfile, keys: ProfileKeys | None = None
    ) -> TestReport:
        """Connect with these settings (without switching to them) and try what matters."""
        report = TestReport()
        connector = self._session.connector
        if connector is None:
            report.checks.append(CheckResult("Connect", False, "No way to connect is configured."))
            self.test_finished.emit(report)
            return report
        try:
            connection = await connector.connect(profile, keys=keys, probe=True)
        except Exception as exc:
            message = describe_exception(exc)
            report.checks.append(
                CheckResult("Connect", False, f"{message.title}: {message.detail}")
            )
            self.test_finished.emit(report)
            return report
        try:
            report.checks.append(CheckResult("Connect", True, connection.description))
            client: AssistantsClient = connection.client
            try:
                page = await client.assistants.list(limit=20).page()
                n = len(page.data)
                more = " or more" if page.has_more else ""
                report.checks.append(
                    CheckResult("List assistants", True, f"{n}{more} assistant(s) found.")
                )
            except Exception as exc:
                report.checks.append(_failed("List assistants", exc))
            try:
                files = await client.files.list().page()
                report.checks.append(
                    CheckResult("List files", True, f"{len(files.data)} file(s) found.")
                )
            except Exception as exc:
                report.checks.append(_failed("List files", exc))
            streams = bool(client.dialect.supports_streaming)
            report.checks.append(
                CheckResult(
                    "Streaming",
                    True,
                    "Runs stream their replies as they are written."
                    if streams
                    else "This API version does not stream; runs are polled instead.",
                )
            )
        finally:
            if connection.aclose is not None:
                await connection.aclose()
        self.test_finished.emit(report)
        return report

    # -- slots ----------------------------------------------------------------------------

    def on_session_profile_changed(self, profile: object) -> None:
        self.current_changed.emit(self._session.profile_id)


def _failed(name: str, exc: BaseException) -> CheckResult:
    message = describe_exception(exc)
    return CheckResult(name, False, f"{message.title}: {message.detail}")
