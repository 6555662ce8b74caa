"""Where the playground keeps its files.

Platform folders come from platformdirs so the app behaves like a native citizen; the
``ASSISTANTS_PLAYGROUND_HOME`` variable moves everything under one folder, which tests (and
portable installs) use to stay isolated from the user's real data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "assistants-playground"
HOME_ENV = "ASSISTANTS_PLAYGROUND_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The three folders the app writes to. ``ensure()`` creates them."""

    data: Path
    config: Path
    cache: Path

    @property
    def database(self) -> Path:
        """The single SQLite file holding profiles, the thread index, drafts and caches' index."""
        return self.data / "playground.sqlite3"

    @property
    def outputs(self) -> Path:
        """Folder of fetched files and images (the output cache)."""
        return self.cache / "outputs"

    def ensure(self) -> AppPaths:
        for folder in (self.data, self.config, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """Resolve the folders now (not at import) so a changed environment is honoured."""
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser()
        return AppPaths(data=root / "data", config=root / "config", cache=root / "cache")
    # Imported lazily: platformdirs is cheap, but the app's start-up time is measured.
    import platformdirs

    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )
