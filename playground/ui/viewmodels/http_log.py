"""The HTTP log: every request the app made on the current connection, safe to show.

The api client builds one ``RequestLogEntry`` per attempt and hands it to the Session's
``request_logged`` signal; this view model keeps a bounded list of them for the HTTP log tab.
Entries arrive already redacted by ``playground.api.request_log``; the credential headers are
redacted once more here because this is the last stop before pixels and the clipboard, and a
log that leaks a key once has leaked it for good.
"""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from playground.api.request_log import REDACTED, SECRET_HEADERS, RequestLogEntry, as_curl

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.ui.viewmodels.session import Session

#: Entries kept; older ones drop off so a long session cannot grow without bound.
DEFAULT_MAX_ENTRIES = 2000
#: Characters of a body shown in the detail pane (the api already cuts at 64 K).
DISPLAY_BODY_LIMIT = 16 * 1024
#: Bodies up to this size are re-indented when they are JSON, for reading.
PRETTY_JSON_LIMIT = 256 * 1024

#: Environment variable a copied curl command reads the credential from, per profile kind.
KEY_ENV_VARS: dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "azure": "AZURE_OPENAI_API_KEY",
    "foundry": "AZURE_AI_AGENTS_TOKEN",
    "embedded": "PLAYGROUND_RUNTIME_TOKEN",
}
DEFAULT_KEY_ENV_VAR = "ASSISTANTS_API_KEY"


@dataclass(frozen=True)
class HttpLogRow:
    """One line of the log table, derived once from an entry."""

    method: str
    path: str
    status: str
    duration: str
    request_id: str
    failed: bool


def redact_entry_headers(headers: dict[str, str]) -> dict[str, str]:
    """Credential headers replaced by ``***`` whatever the api layer did."""
    safe: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS and REDACTED not in value:
            scheme, space, _ = value.partition(" ")
            is_bearer = space and name.lower() == "authorization"
            safe[name] = f"{scheme} {REDACTED}" if is_bearer else REDACTED
        else:
            safe[name] = value
    return safe


def path_of(url: str) -> str:
    """What the table shows: path and query, without scheme and host."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def display_body(body: str | None, limit: int = DISPLAY_BODY_LIMIT) -> str:
    """A body made readable: JSON re-indented, long text cut with a note saying how much."""
    if body is None:
        return "(none)"
    if not body:
        return "(empty)"
    text = body
    if len(body) <= PRETTY_JSON_LIMIT and body[:1] in "{[":
        try:
            text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            text = body  # cut by the api's own limit, or not JSON after all
    if len(text) > limit:
        hidden = len(text) - limit
        text = text[:limit] + f"\n… [{hidden:,} more characters not shown]"
    return text


def row_for(entry: RequestLogEntry) -> HttpLogRow:
    status = entry.status
    error = entry.error
    if status is None:
        status_text = "failed" if error else "—"
    else:
        status_text = str(status)
    if entry.attempt:
        status_text += f" (retry {entry.attempt})"
    return HttpLogRow(
        method=str(entry.method),
        path=path_of(str(entry.url)),
        status=status_text,
        duration=f"{float(entry.duration_ms):.0f} ms",
        request_id=str(entry.request_id or ""),
        failed=bool(error) or (isinstance(status, int) and status >= 400),
    )


class HttpLogViewModel(QObject):
    """Bounded list of request-log entries for the current connection.

    Signals: ``entry_added(int)`` (index of the new entry), ``entries_reset()`` (cleared or
    trimmed: re-read everything).
    """

    entry_added = Signal(int)
    entries_reset = Signal()

    def __init__(
        self,
        session: Session | None = None,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._max = max(1, max_entries)
        self._entries: deque[RequestLogEntry] = deque()
        self._rows: deque[HttpLogRow] = deque()
        if session is not None:
            session.request_logged.connect(self.append)
            session.client_changed.connect(self.on_session_client_changed)

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, index: int) -> RequestLogEntry:
        return self._entries[index]

    def row(self, index: int) -> HttpLogRow:
        return self._rows[index]

    def detail_text(self, index: int) -> str:
        """Everything about one exchange, as plain text for the detail pane."""
        entry = self._entries[index]
        lines = [f"{entry.method} {entry.url}"]
        status = entry.status if entry.status is not None else "no response"
        lines.append(f"Status: {status}    Duration: {float(entry.duration_ms):.1f} ms")
        if entry.request_id:
            lines.append(f"Request id: {entry.request_id}")
        if entry.attempt:
            lines.append(f"Attempt: {entry.attempt + 1}")
        if entry.error:
            lines.append(f"Error: {entry.error}")
        lines.append("")
        lines.append("Request headers:")
        for name, value in redact_entry_headers(dict(entry.request_headers)).items():
            lines.append(f"  {name}: {value}")
        lines.append("")
        lines.append("Request body:")
        lines.append(display_body(entry.request_body))
        response_headers = dict(entry.response_headers or {})
        if response_headers:
            lines.append("")
            lines.append("Response headers:")
            for name, value in response_headers.items():
                lines.append(f"  {name}: {value}")
        lines.append("")
        if entry.streamed:
            lines.append("Response body: (streamed — events and downloads are not captured)")
        else:
            lines.append("Response body:")
            lines.append(display_body(entry.response_body))
        return "\n".join(lines)

    def key_env_var(self) -> str:
        profile = self._session.profile if self._session is not None else None
        kind = str(getattr(getattr(profile, "kind", None), "value", "") or "")
        return KEY_ENV_VARS.get(kind, DEFAULT_KEY_ENV_VAR)

    def runtime_token(self) -> str | None:
        """The embedded runtime's token (new at every start), for "Copy token"; else None.

        It is never written anywhere: it goes to the clipboard only when asked.
        """
        profile = self._session.profile if self._session is not None else None
        client: AssistantsClient | None = (
            self._session.client if self._session is not None else None
        )
        if str(getattr(getattr(profile, "kind", None), "value", "")) != "embedded" or not client:
            return None
        secrets = client.dialect.secrets()
        return str(secrets[0]) if secrets else None

    def announce(self, text: str) -> None:
        """Confirm an action in the window's status bar."""
        if self._session is not None:
            self._session.bridge.post_notice(text)

    def curl_note(self) -> str:
        """Where the copied command's key comes from, in words (tooltip and confirmation)."""
        var = self.key_env_var()
        if var == KEY_ENV_VARS["embedded"]:
            return (
                f"The command reads the runtime's token from ${var}; the token is new at each "
                "start of the playground — “Copy token” puts the current one on the clipboard."
            )
        return f"The command reads the key from ${var}; set it in your shell first."

    def curl_for(self, index: int) -> str:
        """A runnable curl command; the key is read from an environment variable."""
        entry = self._entries[index]
        safe = _with_headers(entry, redact_entry_headers(dict(entry.request_headers)))
        return as_curl(safe, key_env_var=self.key_env_var())

    # -- changing --------------------------------------------------------------------------

    def append(self, entry: object) -> None:
        """Add one entry (the Session's ``request_logged`` slot)."""
        if not isinstance(entry, RequestLogEntry):
            return  # not a request-log entry; nothing sensible to show
        self._entries.append(entry)
        self._rows.append(row_for(entry))
        if len(self._entries) > self._max:
            self._entries.popleft()
            self._rows.popleft()
            self.entries_reset.emit()
            return
        self.entry_added.emit(len(self._entries) - 1)

    def clear(self) -> None:
        self._entries.clear()
        self._rows.clear()
        self.entries_reset.emit()

    def on_session_client_changed(self) -> None:
        # "This connection" only: a new connection starts a fresh log.
        if self._session is not None and self._session.client is not None:
            self.clear()


def _with_headers(entry: RequestLogEntry, headers: dict[str, str]) -> RequestLogEntry:
    """A copy of ``entry`` with other headers (entries are frozen dataclasses)."""
    return dataclasses.replace(entry, request_headers=headers)
