from __future__ import annotations

from pathlib import Path

import pytest

from playground.store.paths import APP_NAME, HOME_ENV, app_paths


def test_home_env_moves_everything_under_one_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "h"))
    paths = app_paths()
    assert paths.data == tmp_path / "h" / "data"
    assert paths.config == tmp_path / "h" / "config"
    assert paths.cache == tmp_path / "h" / "cache"
    assert paths.database.parent == paths.data
    assert not paths.data.exists()  # resolving creates nothing
    paths.ensure()
    assert paths.data.is_dir() and paths.config.is_dir() and paths.cache.is_dir()


def test_without_env_uses_platform_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)
    paths = app_paths()
    for folder in (paths.data, paths.config, paths.cache):
        assert APP_NAME in folder.parts
