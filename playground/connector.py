"""Turns a connection profile into a live api client + run driver.

This lives beside the composition root, outside ``ui``: it joins the store, the api client,
the run driver and the embedded runtime's process. It imports neither ``ui`` nor httpx (the
api package builds its own ``httpx.AsyncClient``); what it hands the window — a
:class:`~playground.connection.contract.Connection` — and the runtime it starts come from the
Qt-free ``playground.connection`` package, so composition code never depends on the window
(an import contract in ``pyproject.toml`` keeps it so). Everything heavy is imported inside
``connect`` so the window can paint before httpx, the api package and pydantic models load.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playground.connection.contract import Connection, ProfileKeys
from playground.connection.embedded import (
    EmbeddedRuntime,
    EmbeddedSettings,
    ModelSource,
    default_model_settings,
)

if TYPE_CHECKING:
    from playground.api.auth import TokenProvider
    from playground.api.dialects import Dialect, OpenAIDialect
    from playground.api.request_log import RequestLogEntry
    from playground.store.profiles import ConnectionProfile
    from playground.store.store import Store

log = logging.getLogger(__name__)

#: Seconds the first real request (a one-item assistants list) may take before a remote
#: server counts as unreachable: "Connected" is said only after a real answer, and a server
#: that accepts TCP and never answers is reported within this, not after minutes.
PROBE_DEADLINE_S = 20.0


#: Where a person can point the embedded runtime instead, named as they know them.
MODEL_SERVERS = "Ollama, vLLM, LM Studio, llama.cpp server, OpenAI, Azure"


def embedded_description(root: str, source: ModelSource, model: str | None) -> str:
    """The status-line words for the embedded runtime, saying plainly who answers.

    The tiny offline model answers anything, but badly; people must know that and how to get
    real answers, or they will judge the playground by SmolLM2-135M's replies.
    """
    where = f"Connected to the embedded runtime at {root}"
    if source is ModelSource.OFFLINE:
        return (
            f"{where}. A tiny offline model (SmolLM2-135M) is answering — set a model endpoint "
            f"({MODEL_SERVERS}) in Connections… for real answers."
        )
    if source is ModelSource.NONE:
        return (
            f"{where}, but no model can answer (no model endpoint set and the offline model is "
            f"not installed), so runs will fail. Set a model endpoint ({MODEL_SERVERS}) in "
            "Connections…, or install the offline model with “make local-model” (it needs a C "
            "compiler such as gcc or clang) and restart."
        )
    if source is ModelSource.ENDPOINT and model:
        return f"{where} (model: {model})"
    return where


class ConnectionProblem(Exception):
    """A profile cannot be used as it stands; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AppConnector:
    """The :class:`~playground.connection.contract.Connector` the app uses."""

    def __init__(
        self,
        store: Store,
        embedded: EmbeddedRuntime,
        *,
        credential_prompt: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._embedded = embedded
        self._running_settings: EmbeddedSettings | None = None
        # Device-code sign-in shows its code through this (the message bridge).
        self._credential_prompt = credential_prompt

    @property
    def embedded(self) -> EmbeddedRuntime:
        return self._embedded

    def embedded_settings(
        self, profile: ConnectionProfile, model_key: str | None
    ) -> EmbeddedSettings:
        env_url, env_model = default_model_settings()
        return EmbeddedSettings(
            data_dir=self._store.paths.data / "runtime",
            model_base_url=profile.model_base_url or env_url,
            model=profile.model_name or env_model,
            model_api_key=model_key,
        )

    async def connect(
        self,
        profile: ConnectionProfile,
        *,
        on_request: Callable[[RequestLogEntry], None] | None = None,
        keys: ProfileKeys | None = None,
        probe: bool = False,
    ) -> Connection:
        from playground.store.profiles import ProfileKind

        problems = profile.problems()
        if problems:
            raise ConnectionProblem(" ".join(problems))
        api_key, model_key = await asyncio.to_thread(self._keys, profile, keys)
        if profile.kind is ProfileKind.EMBEDDED and probe:
            settings = self.embedded_settings(profile, model_key)
            if not (self._embedded.is_running and self._running_settings == settings):
                return await self._probe_embedded(profile, settings, on_request)
        if profile.kind is ProfileKind.EMBEDDED:
            settings = self.embedded_settings(profile, model_key)
            if self._embedded.is_running and self._running_settings == settings:
                base = self._embedded.api_base
            elif self._embedded.is_running:
                base = await self._embedded.restart(settings)
            else:
                base = await self._embedded.ensure_started(settings)
            self._running_settings = settings
            assert base is not None
            dialect: Dialect = _openai_dialect(
                base, self._embedded.token, "v2", honours_idempotency_key=True
            )
            description = embedded_description(
                base.rsplit("/v1", 1)[0],
                self._embedded.model_source,
                self._embedded.model_description,
            )
            text_only = self._embedded.model_source is not ModelSource.ENDPOINT
            return await self._open(
                profile, dialect, description, on_request, text_only_model=text_only
            )
        dialect = self._remote_dialect(profile, api_key)
        description = f"Connected to {profile.name} ({dialect.base_url})"
        connection = await self._open(profile, dialect, description, on_request)
        try:
            await self._probe(connection)
        except BaseException:
            if connection.aclose is not None:
                await connection.aclose()
            raise
        return connection

    #: Overridable per instance (tests use a short one).
    probe_deadline_s = PROBE_DEADLINE_S

    async def _probe(self, connection: Connection) -> None:
        """One real request before the window says "Connected"."""
        try:
            async with asyncio.timeout(self.probe_deadline_s):
                await connection.client.assistants.list(limit=1).page()
        except TimeoutError:
            raise ConnectionProblem(
                f"The server accepted the connection but did not answer within "
                f"{self.probe_deadline_s:.0f} s."
            ) from None

    # -- internals ------------------------------------------------------------------------

    async def _probe_embedded(
        self,
        profile: ConnectionProfile,
        settings: EmbeddedSettings,
        on_request: Callable[[RequestLogEntry], None] | None,
    ) -> Connection:
        """Try embedded settings on a throwaway runtime (own port, own temporary data folder).

        "Test connection" must never restart the live runtime: runs on it would be cut off
        and the window would move to a new port before anything was saved.
        """
        import dataclasses
        import shutil
        import tempfile

        folder = await asyncio.to_thread(tempfile.mkdtemp, prefix="playground-probe-")
        probe = EmbeddedRuntime()
        try:
            base = await probe.ensure_started(
                dataclasses.replace(settings, data_dir=Path(folder) / "runtime")
            )
        except BaseException:
            await probe.stop()
            await asyncio.to_thread(shutil.rmtree, folder, True)
            raise
        description = "A test runtime " + embedded_description(
            base.rsplit("/v1", 1)[0], probe.model_source, probe.model_description
        ).removeprefix("Connected to the embedded runtime ")
        connection = await self._open(
            profile,
            _openai_dialect(base, probe.token, "v2"),
            description,
            on_request,
            text_only_model=probe.model_source is not ModelSource.ENDPOINT,
        )
        close_client = connection.aclose

        async def aclose() -> None:
            try:
                if close_client is not None:
                    await close_client()
            finally:
                await probe.stop()
                await asyncio.to_thread(shutil.rmtree, folder, True)

        connection.aclose = aclose
        return connection

    def _keys(
        self, profile: ConnectionProfile, keys: ProfileKeys | None
    ) -> tuple[str | None, str | None]:
        from playground.store.secrets import SecretPurpose

        api_key = keys.api_key if keys and keys.api_key else None
        model_key = keys.model_key if keys and keys.model_key else None
        secrets = self._store.secrets
        if api_key is None and profile.uses_key:
            api_key = secrets.get(profile.id, SecretPurpose.API_KEY)
        if model_key is None:
            model_key = secrets.get(profile.id, SecretPurpose.MODEL_KEY)
        return api_key, model_key

    def _remote_dialect(self, profile: ConnectionProfile, api_key: str | None) -> Dialect:
        from playground.api.auth import AZURE_OPENAI_SCOPE, FOUNDRY_SCOPE
        from playground.api.dialects import AzureDialect, FoundryDialect
        from playground.store.profiles import AuthMode, ProfileKind

        if profile.kind is ProfileKind.OPENAI:
            if profile.uses_key and not api_key:
                raise ConnectionProblem(
                    f"“{profile.name}” needs an API key; add it in Connections."
                )
            return _openai_dialect(profile.base_url, api_key, profile.api_family)
        if profile.kind is ProfileKind.AZURE:
            if profile.auth_mode is AuthMode.ENTRA:
                return AzureDialect(
                    profile.base_url,
                    profile.api_version or "",
                    token_provider=self._entra(profile, AZURE_OPENAI_SCOPE),
                )
            if not api_key:
                raise ConnectionProblem(
                    f"“{profile.name}” needs an API key; add it in Connections."
                )
            return AzureDialect(profile.base_url, profile.api_version or "", api_key=api_key)
        return FoundryDialect(
            profile.base_url,
            self._entra(profile, FOUNDRY_SCOPE),
            api_version=profile.api_version or "v1",
        )

    def _entra(self, profile: ConnectionProfile, scope: str) -> TokenProvider:
        from playground.api.auth import EntraTokenProvider

        return EntraTokenProvider(
            profile.foundry_credential.value, scope, prompt=self._credential_prompt
        )

    async def _open(
        self,
        profile: ConnectionProfile,
        dialect: Dialect,
        description: str,
        on_request: Callable[[RequestLogEntry], None] | None,
        *,
        text_only_model: bool = False,
    ) -> Connection:
        from playground.api.client import AssistantsClient, open_http_client
        from playground.runs.driver import RunDriver

        http = open_http_client()
        client = AssistantsClient(http, dialect, on_request=on_request)
        driver = RunDriver(client)

        async def aclose() -> None:
            await http.aclose()

        return Connection(
            profile=profile,
            client=client,
            driver=driver,
            description=description,
            can_list_threads=bool(dialect.can_list_threads),
            api_family=str(dialect.family),
            text_only_model=text_only_model,
            aclose=aclose,
        )


def _openai_dialect(
    base_url: str, api_key: str | None, family: str, *, honours_idempotency_key: bool = False
) -> OpenAIDialect:
    from playground.api.dialects import OpenAIDialect

    return OpenAIDialect(
        base_url,
        api_key,
        family="v1" if family == "v1" else "v2",
        honours_idempotency_key=honours_idempotency_key,
    )
