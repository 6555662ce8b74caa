"""What one HTTP exchange looked like, with every secret taken out.

The UI's request log and "copy as curl" are built from :class:`RequestLogEntry`. Keys
are redacted at the moment the entry is made (headers by name, and any known secret
string anywhere in the URL or bodies), so an entry can be shown, saved or pasted freely.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .constants import LOG_BODY_LIMIT

REDACTED: Final = "***"
#: Request headers whose value is a credential.
SECRET_HEADERS: Final = frozenset({"authorization", "api-key", "ocp-apim-subscription-key"})
#: Query parameters that some gateways accept as credentials.
SECRET_QUERY_KEYS: Final = frozenset({"api-key", "api_key", "key", "token", "sig", "code"})


@dataclass(frozen=True, slots=True)
class RequestLogEntry:
    """One attempt of one request, safe to display."""

    method: str
    url: str
    status: int | None
    duration_ms: float
    request_id: str | None
    request_headers: dict[str, str]
    request_body: str | None
    response_body: str | None
    error: str | None = None
    #: 0 for the first attempt, 1 for the first retry...
    attempt: int = 0
    #: True for event streams and downloads, whose bodies are noted, not captured.
    streamed: bool = False
    response_headers: dict[str, str] = field(default_factory=dict)
    #: The id the client sent (``x-ms-client-request-id`` / ``X-Client-Request-Id``).
    client_request_id: str | None = None


def truncate(text: str, limit: int = LOG_BODY_LIMIT) -> str:
    """Cut long bodies so one big file listing cannot swamp the log."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… [{len(text) - limit} more characters not shown]"


def scrub(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of a secret string (ignoring very short ones)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def redact_headers(headers: dict[str, str], secrets: list[str]) -> dict[str, str]:
    """Copy of ``headers`` with credential values replaced, keeping the scheme word."""
    result: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme, space, _ = value.partition(" ")
            result[name] = (
                f"{scheme} {REDACTED}" if space and name.lower() == "authorization" else REDACTED
            )
        else:
            result[name] = scrub(value, secrets)
    return result


def redact_url(url: str, secrets: list[str]) -> str:
    """URL with credential-like query values replaced."""
    parts = urlsplit(url)
    if parts.query:
        pairs = [
            (k, REDACTED if k.lower() in SECRET_QUERY_KEYS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="[]*:/")
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return scrub(url, secrets)


def as_curl(entry: RequestLogEntry, key_env_var: str = "ASSISTANTS_API_KEY") -> str:
    """A runnable curl command for ``entry``; the credential reads ``$key_env_var``.

    Credential headers are double-quoted so the shell expands the variable; everything
    else is single-quoted. Streamed or multipart bodies cannot be replayed from the log,
    which a trailing comment says.
    """
    parts = ["curl", "-X", entry.method, shlex.quote(entry.url)]
    for name, value in entry.request_headers.items():
        if name.lower() in ("content-length", "host", "accept-encoding", "connection"):
            continue
        if REDACTED in value and name.lower() in SECRET_HEADERS:
            filled = value.replace(REDACTED, f"${{{key_env_var}}}")
            parts += ["-H", f'"{name}: {filled}"']
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    note = ""
    body = entry.request_body
    if body is not None:
        if body.startswith("<") and body.endswith(">"):
            note = f"  # body not replayable: {body}"
        else:
            parts += ["--data-raw", shlex.quote(body)]
    if entry.streamed and entry.method == "POST":
        parts.insert(1, "-N")  # show events as they arrive
    return " ".join(parts) + note
