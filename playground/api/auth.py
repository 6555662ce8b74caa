"""Credentials: API keys and Entra bearer tokens from a pluggable async provider.

Tokens are cached and fetched again :data:`~.constants.TOKEN_REFRESH_MARGIN` seconds
before they expire, so a request never leaves with a token that dies in flight. The
provider is a protocol rather than azure-identity itself, so the client works (and is
tested) without that optional package; :class:`EntraTokenProvider` creates an
azure-identity credential on first use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol, runtime_checkable

from .constants import TOKEN_REFRESH_MARGIN
from .errors import AuthenticationError, ConfigurationError

#: Entra scope for Azure OpenAI resources.
AZURE_OPENAI_SCOPE: Final = "https://cognitiveservices.azure.com/.default"
#: Entra scope for Azure AI Foundry projects (Agent Service).
FOUNDRY_SCOPE: Final = "https://ai.azure.com/.default"

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and when it expires (Unix seconds)."""

    token: str
    expires_on: float

    def __repr__(self) -> str:  # never show the secret in tracebacks or logs
        return f"AccessToken(token='***', expires_on={self.expires_on})"


@runtime_checkable
class TokenProvider(Protocol):
    """Anything that can fetch a fresh bearer token."""

    async def get_token(self) -> AccessToken: ...


class CachedToken:
    """Caches a provider's token and refreshes it shortly before expiry.

    One lock makes concurrent requests share one refresh instead of each asking the
    identity service.
    """

    def __init__(
        self,
        provider: TokenProvider,
        *,
        clock: Clock = time.time,
        margin: float = TOKEN_REFRESH_MARGIN,
    ) -> None:
        self._provider = provider
        self._clock = clock
        self._margin = margin
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    @property
    def current(self) -> str | None:
        """The cached token text, if any (used to redact it from logs)."""
        return self._token.token if self._token else None

    def invalidate(self) -> None:
        """Forget the cached token (after a 401) so the next call fetches a new one."""
        self._token = None

    def _fresh(self) -> bool:
        return self._token is not None and self._clock() < self._token.expires_on - self._margin

    async def get(self) -> str:
        if self._fresh():
            assert self._token is not None
            return self._token.token
        async with self._lock:
            if not self._fresh():
                try:
                    token = await self._provider.get_token()
                except Exception as exc:  # the provider is third-party code
                    raise AuthenticationError(
                        f"Could not get a sign-in token: {exc}", status=401
                    ) from exc
                if not token.token:
                    raise AuthenticationError(
                        "The sign-in token provider returned an empty token.", status=401
                    )
                self._token = token
            assert self._token is not None
            return self._token.token


class EntraTokenProvider:
    """Entra ID tokens from azure-identity (optional extra ``foundry``) for one scope.

    azure-identity's interactive credentials are synchronous (a browser window, a device
    code to type), so ``get_token`` runs them in a worker thread; the credential is created
    on first use so a profile can be saved and listed without the package installed.
    ``credential`` names the kind: ``device_code``, ``interactive_browser`` or (anything
    else) the Azure CLI's sign-in.
    """

    def __init__(
        self, credential: str, scope: str, *, prompt: Callable[[str], None] | None = None
    ) -> None:
        self._kind = credential
        self._scope = scope
        self._prompt = prompt
        self._credential: Any = None

    def _make(self) -> Any:
        try:
            import azure.identity as identity
        except ImportError:
            raise ConfigurationError(
                "Signing in with Microsoft Entra ID needs the azure-identity package: "
                "pip install 'assistants-playground[foundry]'."
            ) from None
        if self._kind == "device_code":
            prompt = self._prompt

            def show_code(verification_uri: str, user_code: str, expires_on: Any) -> None:
                if prompt is not None:
                    prompt(f"To sign in, open {verification_uri} and enter the code {user_code}.")

            return identity.DeviceCodeCredential(prompt_callback=show_code)
        if self._kind == "interactive_browser":
            return identity.InteractiveBrowserCredential()
        return identity.AzureCliCredential()

    async def get_token(self) -> AccessToken:
        if self._credential is None:
            self._credential = self._make()
        result = await asyncio.to_thread(self._credential.get_token, self._scope)
        return AccessToken(str(result.token), float(result.expires_on))
