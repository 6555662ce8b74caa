"""How the playground answers each function tool of an assistant.

Per (profile, assistant id, function name): *ask* (prompt the person, the default), *canned*
(send a saved output automatically) or *local_python* (call ``callable_name`` from a .py file
the person picked, off the Qt thread, with a timeout). Stored with the profile, not on the
server, because it is a property of this playground, not of the assistant.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from playground.store.db import Database
from playground.store.errors import InvalidInputError

DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 600.0


class FunctionModeKind(StrEnum):
    ASK = "ask"
    CANNED = "canned"
    LOCAL_PYTHON = "local_python"


class FunctionMode(BaseModel):
    """The mode of one function and the settings that mode needs."""

    model_config = ConfigDict(extra="ignore")

    kind: FunctionModeKind = FunctionModeKind.ASK
    canned_output: str = ""
    python_path: str = ""
    callable_name: str = ""
    timeout_s: float = Field(default=DEFAULT_TIMEOUT_S, gt=0, le=MAX_TIMEOUT_S)

    def problems(self) -> list[str]:
        """Plain-language reasons this mode cannot run (the prompt shows them live)."""
        found: list[str] = []
        if self.kind is FunctionModeKind.LOCAL_PYTHON:
            if not self.python_path:
                found.append("Choose the Python file to run.")
            elif Path(self.python_path).suffix.lower() != ".py":
                found.append("The local function must be a .py file.")
            elif not Path(self.python_path).is_file():
                found.append(f"The file {self.python_path} does not exist.")
            if not self.callable_name:
                found.append("Enter the name of the function to call in that file.")
            elif not self.callable_name.isidentifier():
                found.append(f"“{self.callable_name}” is not a valid Python function name.")
        return found


class FunctionModeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, profile_id: str, assistant_id: str, function_name: str) -> FunctionMode:
        """The saved mode, or *ask* when none was saved."""
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT data FROM function_modes WHERE profile_id = ? AND assistant_id = ? "
                "AND function_name = ?",
                (profile_id, assistant_id, function_name),
            ).fetchone()
        return self._parse(row["data"]) if row else FunctionMode()

    def set(
        self, profile_id: str, assistant_id: str, function_name: str, mode: FunctionMode
    ) -> None:
        """Save a mode; saving *ask* with nothing else removes the entry."""
        if not function_name:
            raise InvalidInputError("The function has no name.")
        with self._db.connect() as conn:
            if mode == FunctionMode():
                conn.execute(
                    "DELETE FROM function_modes WHERE profile_id = ? AND assistant_id = ? "
                    "AND function_name = ?",
                    (profile_id, assistant_id, function_name),
                )
                return
            conn.execute(
                "INSERT INTO function_modes (profile_id, assistant_id, function_name, data) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(profile_id, assistant_id, function_name) "
                "DO UPDATE SET data = excluded.data",
                (profile_id, assistant_id, function_name, mode.model_dump_json()),
            )

    def for_assistant(self, profile_id: str, assistant_id: str) -> dict[str, FunctionMode]:
        """Every saved (non-default) mode of one assistant, by function name."""
        with self._db.connect() as conn:
            rows = conn.execute(
                "SELECT function_name, data FROM function_modes "
                "WHERE profile_id = ? AND assistant_id = ? ORDER BY function_name",
                (profile_id, assistant_id),
            ).fetchall()
        return {r["function_name"]: self._parse(r["data"]) for r in rows}

    def rename_function(
        self, profile_id: str, assistant_id: str, old_name: str, new_name: str
    ) -> None:
        """Keep the mode when the person renames a function in the editor."""
        with self._db.connect() as conn:
            conn.execute(
                "DELETE FROM function_modes WHERE profile_id = ? AND assistant_id = ? "
                "AND function_name = ?",
                (profile_id, assistant_id, new_name),
            )
            conn.execute(
                "UPDATE function_modes SET function_name = ? WHERE profile_id = ? "
                "AND assistant_id = ? AND function_name = ?",
                (new_name, profile_id, assistant_id, old_name),
            )

    def delete_assistant(self, profile_id: str, assistant_id: str) -> None:
        with self._db.connect() as conn:
            conn.execute(
                "DELETE FROM function_modes WHERE profile_id = ? AND assistant_id = ?",
                (profile_id, assistant_id),
            )

    @staticmethod
    def _parse(data: str) -> FunctionMode:
        try:
            return FunctionMode.model_validate(json.loads(data))
        except (ValueError, ValidationError):
            return FunctionMode()  # unreadable entry: fall back to asking, the safe default
