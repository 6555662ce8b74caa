"""Every retry, timeout and logging number of the client, in one place.

Values follow the openai-python SDK (see wire reference §7.2) so the playground behaves
like the programs people will later run against the same server. Tests inject a fake
``sleep``/``clock``, so nothing here has to be small for the suite to be fast.
"""

from __future__ import annotations

from typing import Final

from ..protocol.limits import MAX_METADATA_PAIRS

#: Retries after the first attempt (SDK default: 2, i.e. three attempts in all).
DEFAULT_MAX_RETRIES: Final = 2
#: First backoff delay in seconds; doubles per attempt.
INITIAL_RETRY_DELAY: Final = 0.5
#: Backoff never waits longer than this (seconds) unless the server says so.
MAX_RETRY_DELAY: Final = 8.0
#: Backoff is multiplied by a factor drawn uniformly from (JITTER_MIN, 1].
JITTER_MIN: Final = 0.75
#: A server's Retry-After is honoured only if 0 < delay <= this many seconds.
MAX_RETRY_AFTER: Final = 60.0
#: Statuses retried by default (``x-should-retry`` overrides).
RETRYABLE_STATUSES: Final = frozenset({408, 409, 429})
#: Statuses at or above this are server errors and retried (unless ambiguous, see client).
SERVER_ERROR_FLOOR: Final = 500

#: Bearer tokens are refreshed this many seconds before they expire.
TOKEN_REFRESH_MARGIN: Final = 300.0

#: Request and response bodies in the request log are cut after this many characters.
LOG_BODY_LIMIT: Final = 64 * 1024

#: Metadata key carrying the client-made id of a message, used to find it after a
#: timeout instead of posting it twice.
CLIENT_ID_METADATA_KEY: Final = "playground_client_id"
#: How many of a thread's newest messages are searched for that id.
RECOVERY_LIST_LIMIT: Final = 20
#: The wire limit on metadata pairs; with this many already set there is no room for the id.
METADATA_MAX_PAIRS: Final = MAX_METADATA_PAIRS

#: Request header that makes a create idempotent on servers that honour it (the embedded
#: runtime does, for messages); the same key within a day returns the first result.
IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"
#: Response header a server sets when it honoured ``Idempotency-Key``.
IDEMPOTENCY_HONOURED_HEADER: Final = "x-idempotency-key-honoured"


def _app_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - always there on 3.11
        return "0"
    try:
        return version("assistants-playground")
    except PackageNotFoundError:
        return "0"


#: Names the app to servers (support teams read it in their logs).
USER_AGENT: Final = f"assistants-playground/{_app_version()}"

#: Download chunk size (bytes) and upload read size.
TRANSFER_CHUNK_SIZE: Final = 64 * 1024

#: Response headers naming the request, in order of preference.
REQUEST_ID_HEADERS: Final = ("x-request-id", "apim-request-id")
#: Header with the server's suggested poll interval for runs and vector-store files.
POLL_AFTER_HEADER: Final = "openai-poll-after-ms"

#: Largest JSON (non-streamed) answer read, in bytes; a 300 MB answer once aborted the window.
MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
#: Seconds one call may take in all (connect, retries, the whole body), whatever the per-read
#: timeouts: a server sending 1 byte/s never trips a read timeout.
REQUEST_DEADLINE_S: Final = 150.0
#: Longest line and longest event of an event stream, in bytes (an endless line once took
#: 4.85 GB in 30 s).
MAX_SSE_LINE_BYTES: Final = 8 * 1024 * 1024
MAX_SSE_EVENT_BYTES: Final = 16 * 1024 * 1024
#: Pages one listing follows at most; a server saying ``has_more`` forever is cut off here.
MAX_LIST_PAGES: Final = 200
