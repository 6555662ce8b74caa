"""Async client for the Assistants wire protocol (OpenAI, Azure OpenAI, Foundry, local).

The only client-side package that imports httpx. Start at :class:`AssistantsClient`
and a dialect from :mod:`.dialects`; errors are in :mod:`.errors`.
"""

from __future__ import annotations

from .auth import (
    AZURE_OPENAI_SCOPE,
    FOUNDRY_SCOPE,
    AccessToken,
    EntraTokenProvider,
    TokenProvider,
)
from .client import AssistantsClient
from .constants import CLIENT_ID_METADATA_KEY
from .dialects import (
    AZURE_ASSISTANTS_API_VERSIONS,
    DEFAULT_AZURE_API_VERSION,
    FOUNDRY_API_VERSIONS,
    ApiFamily,
    AzureApiVersion,
    AzureDialect,
    Dialect,
    FoundryDialect,
    OpenAIDialect,
    azure_api_family,
)
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AssistantsError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    StreamDecodeFailed,
    StreamError,
    StreamEventError,
    StreamInterrupted,
    UnprocessableEntityError,
    UnsupportedFeatureError,
)
from .pagination import AsyncPager
from .request_log import RequestLogEntry, as_curl
from .resources.base import FILE_SEARCH_CONTENT
from .resources.files import Progress
from .streaming import RunStream
from .wire_extras import AssistantFile, Fetched, MessageFile, ModelInfo

__all__ = [
    "AZURE_ASSISTANTS_API_VERSIONS",
    "AZURE_OPENAI_SCOPE",
    "CLIENT_ID_METADATA_KEY",
    "DEFAULT_AZURE_API_VERSION",
    "FILE_SEARCH_CONTENT",
    "FOUNDRY_API_VERSIONS",
    "FOUNDRY_SCOPE",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AccessToken",
    "ApiFamily",
    "AssistantFile",
    "AssistantsClient",
    "AssistantsError",
    "AsyncPager",
    "AuthenticationError",
    "AzureApiVersion",
    "AzureDialect",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "Dialect",
    "EntraTokenProvider",
    "Fetched",
    "FoundryDialect",
    "InternalServerError",
    "InvalidRequestError",
    "MalformedResponseError",
    "MessageFile",
    "ModelInfo",
    "NotFoundError",
    "OpenAIDialect",
    "PermissionDeniedError",
    "Progress",
    "RateLimitError",
    "RequestLogEntry",
    "ResponseTooLargeError",
    "RunStream",
    "StreamDecodeFailed",
    "StreamError",
    "StreamEventError",
    "StreamInterrupted",
    "TokenProvider",
    "UnprocessableEntityError",
    "UnsupportedFeatureError",
    "as_curl",
    "azure_api_family",
]
