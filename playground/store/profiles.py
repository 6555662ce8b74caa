"""Connection profiles: how to reach one Assistants server.

A profile holds everything needed to connect EXCEPT secrets; keys live in the OS keyring
(see ``secrets.py``) under the profile's id. ``extra="forbid"`` makes it impossible to smuggle
a key into the persisted JSON by accident.
"""

from __future__ import annotations

import json
import time
import uuid
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from playground.store.db import Database
from playground.store.errors import InvalidInputError, MissingRecordError

_LAST_USED_KEY = "last_profile_id"


class ProfileKind(StrEnum):
    """Which kind of server a profile talks to."""

    EMBEDDED = "embedded"
    AZURE = "azure"
    OPENAI = "openai"
    FOUNDRY = "foundry"


class AuthMode(StrEnum):
    """How requests are authenticated: a key from the keyring, an Entra token, or nothing."""

    API_KEY = "api_key"
    ENTRA = "entra"
    NONE = "none"


class FoundryCredential(StrEnum):
    """Which azure-identity credential signs in to Azure AI Foundry."""

    AZURE_CLI = "azure_cli"
    DEVICE_CODE = "device_code"
    INTERACTIVE_BROWSER = "interactive_browser"


ApiFamily = Literal["v1", "v2"]


def new_profile_id() -> str:
    return f"prof_{uuid.uuid4().hex[:16]}"


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class ConnectionProfile(BaseModel):
    """One saved connection. Never contains a key or token."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(default_factory=new_profile_id)
    name: str
    kind: ProfileKind
    # Base URL (openai), resource endpoint (azure) or project endpoint (foundry). For the
    # embedded runtime the app knows the URL at start-up, so this stays empty.
    base_url: str = ""
    api_version: str | None = None
    api_family: ApiFamily = "v2"
    auth_mode: AuthMode = AuthMode.API_KEY
    # Embedded runtime only: the Chat Completions endpoint its model runs behind.
    model_base_url: str = ""
    model_name: str = ""
    # Foundry only: which credential acquires the Entra token.
    foundry_credential: FoundryCredential = FoundryCredential.AZURE_CLI
    created_at: float = Field(default_factory=time.time)

    @field_validator("name", "base_url", "model_base_url", "model_name", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("api_version", mode="before")
    @classmethod
    def _blank_version_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def problems(self) -> list[str]:
        """Plain-language reasons this profile cannot be used yet (empty when it is fine).

        The connection dialog shows these live; ``ProfileStore.save`` refuses a profile with any.
        """
        found: list[str] = []
        if not self.name:
            found.append("Give the connection a name.")
        if self.kind is ProfileKind.EMBEDDED:
            if self.model_base_url and not _is_http_url(self.model_base_url):
                found.append("The model endpoint must be an http:// or https:// URL.")
        else:
            label = {
                ProfileKind.AZURE: "endpoint",
                ProfileKind.OPENAI: "base URL",
                ProfileKind.FOUNDRY: "project endpoint",
            }[self.kind]
            if not self.base_url:
                found.append(f"Enter the {label}.")
            elif not _is_http_url(self.base_url):
                found.append(f"The {label} must be an http:// or https:// URL.")
        if self.kind in (ProfileKind.AZURE, ProfileKind.FOUNDRY) and not self.api_version:
            found.append("Choose an API version.")
        if self.kind is ProfileKind.FOUNDRY and self.auth_mode is not AuthMode.ENTRA:
            found.append("Azure AI Foundry Agents sign in with Microsoft Entra ID only.")
        return found

    @property
    def uses_key(self) -> bool:
        """True when a key from the keyring goes with each request."""
        return self.auth_mode is AuthMode.API_KEY


class ProfileStore:
    """Saved connection profiles and the one used last."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list_all(self) -> list[ConnectionProfile]:
        with self._db.connect() as conn:
            rows = conn.execute("SELECT data FROM profiles ORDER BY position, rowid").fetchall()
        return [p for p in (self._parse(r["data"]) for r in rows) if p is not None]

    def get(self, profile_id: str) -> ConnectionProfile | None:
        with self._db.connect() as conn:
            row = conn.execute("SELECT data FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        return self._parse(row["data"]) if row else None

    def save(self, profile: ConnectionProfile) -> ConnectionProfile:
        """Insert or update; refuses a profile that still has ``problems()``."""
        problems = profile.problems()
        if problems:
            raise InvalidInputError(" ".join(problems))
        data = profile.model_dump_json()
        with self._db.connect() as conn:
            position = conn.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM profiles"
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO profiles (id, data, position) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (profile.id, data, position),
            )
        return profile

    def delete(self, profile_id: str) -> None:
        """Remove the profile and everything local that belongs to it (not its keyring entry:
        the caller deletes that through ``SecretStore`` so a failing keyring can be reported)."""
        with self._db.connect() as conn:
            cur = conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
            if cur.rowcount == 0:
                raise MissingRecordError(f"There is no saved connection with id {profile_id}.")
            for table in ("threads", "drafts", "function_modes"):
                conn.execute(f"DELETE FROM {table} WHERE profile_id = ?", (profile_id,))
            conn.execute(
                "DELETE FROM settings WHERE key = ? AND value = ?", (_LAST_USED_KEY, profile_id)
            )

    def set_last_used(self, profile_id: str) -> None:
        with self._db.connect() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (_LAST_USED_KEY, profile_id),
            )

    def last_used(self) -> ConnectionProfile | None:
        """The profile to reopen at start; falls back to the first one if the last was deleted."""
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = ?", (_LAST_USED_KEY,)
            ).fetchone()
        if row is not None:
            profile = self.get(row["value"])
            if profile is not None:
                return profile
        profiles = self.list_all()
        return profiles[0] if profiles else None

    def ensure_default(self) -> ConnectionProfile:
        """Return the last-used profile, creating an embedded-runtime one on first start."""
        existing = self.last_used()
        if existing is not None:
            return existing
        profile = self.save(
            ConnectionProfile(
                name="Embedded runtime", kind=ProfileKind.EMBEDDED, auth_mode=AuthMode.NONE
            )
        )
        self.set_last_used(profile.id)
        return profile

    @staticmethod
    def _parse(data: str) -> ConnectionProfile | None:
        # A row written by a newer/older app that no longer validates is skipped rather than
        # crashing the connection list.
        try:
            return ConnectionProfile.model_validate(json.loads(data))
        except (ValueError, ValidationError):
            return None
