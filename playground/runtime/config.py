"""Server settings, built from the command line (see ``__main__``)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024
DEFAULT_RUN_EXPIRY_SECONDS = 600

# -- hostile-input limits (issue 14) --------------------------------------------------------
#: Environment variable the server token may come from (instead of the visible argv).
TOKEN_ENV = "ASSISTANTS_PLAYGROUND_TOKEN"
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
#: Requests in progress (streams included); beyond it the app answers 503 with Retry-After
#: at once (see ``concurrency``). Lowered to the descriptor limit less a margin at start-up.
DEFAULT_MAX_CONCURRENCY = 2048
#: Seconds an idle keep-alive connection stays open.
DEFAULT_KEEP_ALIVE_SECONDS = 5
#: Seconds a connection may take to send its request headers (slow clients, half-open).
DEFAULT_HEADER_TIMEOUT_SECONDS = 10
#: Bytes of free disk kept in reserve so deletes still work on a full disk.
DEFAULT_DISK_RESERVE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class RuntimeConfig:
    """Everything the app factory needs; the API key is held here only in memory."""

    data_dir: Path
    token: str
    host: str = "127.0.0.1"
    port: int = 0
    model_base_url: str | None = None
    model: str | None = None
    model_api_key: str | None = None
    allow_remote: bool = False
    #: Without a model endpoint, answer with the bundled offline model (when installed).
    use_local_model: bool = True
    run_expiry_seconds: int = DEFAULT_RUN_EXPIRY_SECONDS
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # -- hostile-input limits (issue 14)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    keep_alive_seconds: int = DEFAULT_KEEP_ALIVE_SECONDS
    header_timeout_seconds: int = DEFAULT_HEADER_TIMEOUT_SECONDS
    disk_reserve_bytes: int = DEFAULT_DISK_RESERVE_BYTES
    #: Run the code interpreter without isolation where no sandbox works (issue 9).
    unsafe_code_interpreter: bool = False

    def __repr__(self) -> str:
        # Keep secrets out of any log line that prints the config.
        return (
            f"RuntimeConfig(data_dir={self.data_dir!r}, host={self.host!r}, port={self.port}, "
            f"model_base_url={self.model_base_url!r}, model={self.model!r}, "
            f"allow_remote={self.allow_remote}, use_local_model={self.use_local_model}, "
            f"run_expiry_seconds={self.run_expiry_seconds})"
        )

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "runtime.sqlite3"

    @property
    def search_db_path(self) -> Path:
        return self.data_dir / "search.sqlite3"

    @property
    def workspaces_dir(self) -> Path:
        return self.data_dir / "code_interpreter"


def is_loopback_host(host: str) -> bool:
    """True for 'localhost' and any loopback IP (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
