"""One object holding every part of the local store, for the composition root to build once."""

from __future__ import annotations

from dataclasses import dataclass

from playground.store.db import Database
from playground.store.drafts import DraftStore
from playground.store.function_modes import FunctionModeStore
from playground.store.last_place import LastPlaceStore
from playground.store.outputs import OutputCache
from playground.store.paths import AppPaths, app_paths
from playground.store.profiles import ProfileStore
from playground.store.secrets import SecretStore
from playground.store.threads_index import ThreadIndex


@dataclass(frozen=True)
class Store:
    paths: AppPaths
    db: Database
    profiles: ProfileStore
    secrets: SecretStore
    threads: ThreadIndex
    drafts: DraftStore
    outputs: OutputCache
    function_modes: FunctionModeStore
    last_place: LastPlaceStore

    def delete_profile(self, profile_id: str) -> None:
        """Remove a profile with its local data and its keys (keyring and session memory)."""
        self.profiles.delete(profile_id)
        self.last_place.forget(profile_id)
        self.secrets.delete(profile_id)


def open_store(paths: AppPaths | None = None, secrets: SecretStore | None = None) -> Store:
    """Create folders and wire the parts onto one database. Does blocking I/O: call it off the
    Qt thread, or once at start-up before the window exists."""
    resolved = (paths or app_paths()).ensure()
    db = Database(resolved.database)
    return Store(
        paths=resolved,
        db=db,
        profiles=ProfileStore(db),
        secrets=secrets or SecretStore(),
        threads=ThreadIndex(db),
        drafts=DraftStore(db),
        outputs=OutputCache(db, resolved.outputs),
        function_modes=FunctionModeStore(db),
        last_place=LastPlaceStore(db),
    )
