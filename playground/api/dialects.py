"""Dialects: how one kind of server wants its URLs, versions and credentials.

Three kinds speak the Assistants protocol (wire reference §1.1, §8):

* :class:`OpenAIDialect`  — ``{base}/v1/...``, ``Authorization: Bearer KEY``,
  ``OpenAI-Beta: assistants=v1|v2`` (not on ``/files``, as the SDK does). Also the
  embedded runtime and any compatible server.
* :class:`AzureDialect`   — ``https://RES.openai.azure.com/openai/...?api-version=...``,
  ``api-key: KEY`` or an Entra bearer token; the api-version picks v1 or v2.
* :class:`FoundryDialect` — Azure AI Foundry Agent Service (classic, retiring
  2027-03-31): ``https://ACCOUNT.services.ai.azure.com/api/projects/PROJECT/...``
  ``?api-version=v1``, Entra token for ``https://ai.azure.com/.default``; can list threads.

A dialect knows nothing about retries or parsing; the client asks it for a URL, query
parameters and headers for each request.
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlsplit

from .auth import AZURE_OPENAI_SCOPE, FOUNDRY_SCOPE, CachedToken, Clock, TokenProvider
from .errors import ConfigurationError

ApiFamily = Literal["v1", "v2"]


@dataclass(frozen=True, slots=True)
class AzureApiVersion:
    """An Azure OpenAI api-version that carries the Assistants API."""

    version: str
    family: ApiFamily


#: Azure api-versions with Assistants, oldest first (wire reference §8.3). The UI offers
#: these; GA versions (2024-02-01, 2024-06-01, 2024-10-21) have no Assistants at all.
AZURE_ASSISTANTS_API_VERSIONS: Final[tuple[AzureApiVersion, ...]] = (
    AzureApiVersion("2024-02-15-preview", "v1"),
    AzureApiVersion("2024-03-01-preview", "v1"),
    AzureApiVersion("2024-04-01-preview", "v1"),
    AzureApiVersion("2024-05-01-preview", "v2"),
    AzureApiVersion("2024-07-01-preview", "v2"),
    AzureApiVersion("2024-08-01-preview", "v2"),
    AzureApiVersion("2024-09-01-preview", "v2"),
    AzureApiVersion("2024-10-01-preview", "v2"),
    AzureApiVersion("2024-12-01-preview", "v2"),
    AzureApiVersion("2025-01-01-preview", "v2"),
    AzureApiVersion("2025-03-01-preview", "v2"),
    AzureApiVersion("2025-04-01-preview", "v2"),
)
DEFAULT_AZURE_API_VERSION: Final = "2025-04-01-preview"

#: api-versions of the Foundry Agent Service (classic).
FOUNDRY_API_VERSIONS: Final = ("v1", "2025-05-01", "2025-05-15-preview")

_DATED_PREVIEW = re.compile(r"^(\d{4}-\d{2}-\d{2})-preview$")
_FIRST_ASSISTANTS_PREVIEW: Final = "2024-02-15"
_FIRST_V2_PREVIEW: Final = "2024-05-01"


def azure_api_family(api_version: str) -> ApiFamily:
    """Which Assistants surface an Azure api-version speaks.

    Previews newer than the known list are assumed to stay v2, so a new Azure release
    does not need a code change; GA and pre-Assistants versions are refused in words.
    """
    for known in AZURE_ASSISTANTS_API_VERSIONS:
        if known.version == api_version:
            return known.family
    match = _DATED_PREVIEW.match(api_version.strip())
    if match is None:
        raise ConfigurationError(
            f"The Azure api-version {api_version!r} does not offer the Assistants API. "
            f"Pick a preview version such as {DEFAULT_AZURE_API_VERSION}."
        )
    date = match.group(1)
    if date < _FIRST_ASSISTANTS_PREVIEW:
        raise ConfigurationError(
            f"The Azure api-version {api_version!r} is older than the Assistants API "
            "(the first was 2024-02-15-preview)."
        )
    return "v2" if date >= _FIRST_V2_PREVIEW else "v1"


def _clean_base(url: str, what: str) -> str:
    """Validate an http(s) URL and drop a trailing slash, or say what is wrong."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"The {what} {url!r} is not a web address; it should look like https://host/..."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"The {what} {url!r} should not contain '?' or '#'; enter only the address."
        )
    return text.rstrip("/")


class Dialect(ABC):
    """How to address one server: URL, per-call query, headers, capabilities."""

    #: Short name for profiles and logs: ``openai``, ``azure`` or ``foundry``.
    name: str
    #: Which Assistants surface the server speaks.
    family: ApiFamily
    #: Everything before the resource path (``/assistants``...).
    base_url: str

    @property
    def can_list_threads(self) -> bool:
        """Whether ``GET /threads`` exists (only Foundry in the hosted world)."""
        return False

    @property
    def supports_streaming(self) -> bool:
        """Whether ``stream: true`` runs are available (v2, and late v1 on OpenAI)."""
        return self.family == "v2"

    def url(self, path: str) -> str:
        """The absolute URL of a resource path such as ``/threads/t1/runs``."""
        return self.base_url + path

    def query(self) -> list[tuple[str, str]]:
        """Query parameters every request carries (Azure's ``api-version``)."""
        return []

    @abstractmethod
    async def headers(self, path: str) -> dict[str, str]:
        """Auth and version headers for a request to ``path``."""

    def secrets(self) -> list[str]:
        """Secret strings that must never appear in logs (keys, current tokens)."""
        return []

    #: The header carrying the client's id of a request, which the server echoes and logs
    #: (Azure and Foundry: ``x-ms-client-request-id``; OpenAI: ``X-Client-Request-Id``).
    client_request_id_header: str = "X-Client-Request-Id"

    def credentials_expired(self) -> bool:
        """Drop cached credentials after a 401; True if a retry could now succeed."""
        return False


class OpenAIDialect(Dialect):
    """OpenAI-style servers, including the embedded runtime."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        family: ApiFamily = "v2",
        organization: str | None = None,
        project: str | None = None,
        can_list_threads: bool = False,
        supports_streaming: bool = True,
        honours_idempotency_key: bool = False,
    ) -> None:
        if family not in ("v1", "v2"):
            raise ConfigurationError(f"Unknown Assistants API version {family!r}; use v1 or v2.")
        self.base_url = _clean_base(base_url, "base URL")
        self.family = family
        self._api_key = api_key or None
        self._organization = organization
        self._project = project
        self._can_list_threads = can_list_threads
        # Streaming arrived in March 2024, while v1 was still current.
        self._supports_streaming = supports_streaming
        #: True for a server known to deduplicate message posts by ``Idempotency-Key``
        #: (the embedded runtime); others are learned from their answers.
        self.honours_idempotency_key = honours_idempotency_key

    @property
    def can_list_threads(self) -> bool:
        return self._can_list_threads

    @property
    def supports_streaming(self) -> bool:
        return self._supports_streaming

    async def headers(self, path: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if self._organization:
            headers["OpenAI-Organization"] = self._organization
        if self._project:
            headers["OpenAI-Project"] = self._project
        if not path.startswith(("/files", "/models")):
            headers["OpenAI-Beta"] = f"assistants={self.family}"
        return headers

    def secrets(self) -> list[str]:
        return [self._api_key] if self._api_key else []


class AzureDialect(Dialect):
    """Azure OpenAI: ``/openai`` + ``?api-version=``; key or Entra token."""

    name = "azure"
    client_request_id_header = "x-ms-client-request-id"

    def __init__(
        self,
        endpoint: str,
        api_version: str = DEFAULT_AZURE_API_VERSION,
        *,
        api_key: str | None = None,
        token_provider: TokenProvider | None = None,
        clock: Clock = time.time,
    ) -> None:
        if not api_key and token_provider is None:
            raise ConfigurationError("Azure OpenAI needs either an API key or an Entra ID sign-in.")
        base = _clean_base(endpoint, "Azure endpoint")
        self.base_url = base if base.endswith("/openai") else base + "/openai"
        self.api_version = api_version.strip()
        self.family = azure_api_family(self.api_version)
        self._api_key = api_key or None
        self._token = CachedToken(token_provider, clock=clock) if token_provider else None

    @property
    def supports_streaming(self) -> bool:
        # Azure's v1 previews never documented streaming; it came with 2024-05-01-preview.
        return self.family == "v2"

    def query(self) -> list[tuple[str, str]]:
        return [("api-version", self.api_version)]

    async def headers(self, path: str) -> dict[str, str]:
        if self._api_key:
            return {"api-key": self._api_key}
        assert self._token is not None
        return {"Authorization": f"Bearer {await self._token.get()}"}

    def secrets(self) -> list[str]:
        found = [self._api_key] if self._api_key else []
        if self._token is not None and self._token.current:
            found.append(self._token.current)
        return found

    def credentials_expired(self) -> bool:
        if self._token is None:
            return False
        self._token.invalidate()
        return True

    #: The scope a token provider for this dialect must ask for.
    scope: Final = AZURE_OPENAI_SCOPE


class FoundryDialect(Dialect):
    """Azure AI Foundry Agent Service (classic) on a project endpoint."""

    name = "foundry"
    client_request_id_header = "x-ms-client-request-id"
    family: ApiFamily = "v2"

    def __init__(
        self,
        project_endpoint: str,
        token_provider: TokenProvider,
        *,
        api_version: str = FOUNDRY_API_VERSIONS[0],
        clock: Clock = time.time,
    ) -> None:
        base = _clean_base(project_endpoint, "Foundry project endpoint")
        if "/api/projects/" not in base:
            raise ConfigurationError(
                f"The Foundry project endpoint {project_endpoint!r} should look like "
                "https://ACCOUNT.services.ai.azure.com/api/projects/PROJECT."
            )
        if not api_version.strip():
            raise ConfigurationError("The Foundry api-version is empty; use v1.")
        self.base_url = base
        self.api_version = api_version.strip()
        self._token = CachedToken(token_provider, clock=clock)

    @property
    def can_list_threads(self) -> bool:
        return True

    def query(self) -> list[tuple[str, str]]:
        return [("api-version", self.api_version)]

    async def headers(self, path: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self._token.get()}"}

    def secrets(self) -> list[str]:
        return [self._token.current] if self._token.current else []

    def credentials_expired(self) -> bool:
        self._token.invalidate()
        return True

    #: The scope a token provider for this dialect must ask for.
    scope: Final = FOUNDRY_SCOPE
