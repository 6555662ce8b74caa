"""A client and driver for a saved connection profile, headless (no Qt, no window).

Mirrors what the window's connector does for each kind of profile, with two differences a
CI job needs: the embedded runtime is started here and stopped at the end, and a key can
come from an environment variable (CI machines rarely have a keyring).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from playground.api import AssistantsClient
from playground.api.auth import (
    AZURE_OPENAI_SCOPE,
    FOUNDRY_SCOPE,
    EntraTokenProvider,
    TokenProvider,
)
from playground.api.dialects import AzureDialect, Dialect, FoundryDialect, OpenAIDialect
from playground.connection.embedded import EmbeddedSettings, default_model_settings
from playground.runs import RunDriver
from playground.store.profiles import AuthMode, ConnectionProfile, ProfileKind
from playground.store.secrets import SecretPurpose
from playground.store.store import Store

from .embedded_runtime import HeadlessRuntime
from .errors import TestingError

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0


class ProfileError(TestingError):
    """The profile cannot be found or used as it stands (a setup problem, not a failure)."""


@dataclass(frozen=True)
class Connected:
    profile: ConnectionProfile
    client: AssistantsClient
    driver: RunDriver
    description: str


def find_profile(store: Store, name: str | None) -> ConnectionProfile:
    """By name (case-insensitive) or id; ``None`` means the last used (the embedded one at
    first start)."""
    if name is None:
        return store.profiles.ensure_default()
    profiles = store.profiles.list_all()
    for profile in profiles:
        if profile.id == name or profile.name.casefold() == name.casefold():
            return profile
    known = ", ".join(f"“{p.name}”" for p in profiles) or "none"
    raise ProfileError(f"There is no connection profile named “{name}” (saved: {known}).")


def _key(store: Store, profile: ConnectionProfile, env_name: str | None) -> str | None:
    if env_name:
        value = os.environ.get(env_name, "").strip()
        if not value:
            raise ProfileError(f"The environment variable {env_name} is empty or not set.")
        return value
    return store.secrets.get(profile.id, SecretPurpose.API_KEY)


def _entra(scope: str) -> TokenProvider:
    """Entra tokens from the Azure CLI's sign-in (``az login``), the one credential a
    headless CI job can use without a person at a browser."""
    return EntraTokenProvider("azure_cli", scope)


def remote_dialect(profile: ConnectionProfile, api_key: str | None) -> Dialect:
    """The dialect of a non-embedded profile (Entra through the Azure CLI's sign-in)."""
    needs_key = profile.auth_mode is AuthMode.API_KEY
    if needs_key and not api_key:
        raise ProfileError(
            f"“{profile.name}” needs an API key: save it in the window's Connections, or pass "
            "--api-key-env VARIABLE."
        )
    match profile.kind:
        case ProfileKind.OPENAI:
            return OpenAIDialect(profile.base_url, api_key, family=profile.api_family)
        case ProfileKind.AZURE:
            version = profile.api_version or ""
            if profile.auth_mode is AuthMode.ENTRA:
                provider = _entra(AZURE_OPENAI_SCOPE)
                return AzureDialect(profile.base_url, version, token_provider=provider)
            return AzureDialect(profile.base_url, version, api_key=api_key)
        case ProfileKind.FOUNDRY:
            provider = _entra(FOUNDRY_SCOPE)
            return FoundryDialect(
                profile.base_url,
                provider,
                api_version=profile.api_version or "v1",
            )
        case ProfileKind.EMBEDDED:
            raise AssertionError("the embedded profile is started, not dialled")


@contextlib.asynccontextmanager
async def connect(
    store: Store, profile: ConnectionProfile, *, api_key_env: str | None = None
) -> AsyncIterator[Connected]:
    problems = profile.problems()
    if problems:
        raise ProfileError(f"The profile “{profile.name}” is not usable: {' '.join(problems)}")
    async with contextlib.AsyncExitStack() as stack:
        if profile.kind is ProfileKind.EMBEDDED:
            env_url, env_model = default_model_settings()
            settings = EmbeddedSettings(
                data_dir=store.paths.data / "runtime",
                model_base_url=profile.model_base_url or env_url,
                model=profile.model_name or env_model,
                model_api_key=store.secrets.get(profile.id, SecretPurpose.MODEL_KEY),
            )
            running = await stack.enter_async_context(HeadlessRuntime(settings))
            dialect: Dialect = OpenAIDialect(running.api_base, running.token)
            description = f"the embedded runtime at {running.api_base} (model: {running.model})"
        else:
            dialect = remote_dialect(profile, _key(store, profile, api_key_env))
            description = f"{profile.name} ({profile.base_url})"
        http = await stack.enter_async_context(
            httpx.AsyncClient(
                timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
                follow_redirects=False,
            )
        )
        client = AssistantsClient(http, dialect)
        yield Connected(profile, client, RunDriver(client), description)
