"""Server settings, built from the command line (see ``__main__``)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024
DEFAULT_RUN_EXPIRY_SECONDS = 600


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
