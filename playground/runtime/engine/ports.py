"""What the engine needs from its collaborators, as structural types.

The code interpreter and file search are separate components with their own packages;
describing only the calls the engine makes keeps it testable without them and keeps
mypy honest about the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class ExecutionOutcome(Protocol):
    # Read-only properties so frozen dataclasses satisfy the protocol too.
    @property
    def logs(self) -> str: ...

    @property
    def images(self) -> list[bytes]: ...

    @property
    def new_files(self) -> list[Path]: ...

    @property
    def error(self) -> str | None: ...

    @property
    def timed_out(self) -> bool: ...


class CodeRunner(Protocol):
    """The subset of ``code_interpreter.CodeInterpreter`` the engine uses."""

    def workdir(self, session_id: str) -> Path: ...

    async def add_file(self, session_id: str, name: str, data: bytes) -> Path: ...

    async def add_file_from(self, session_id: str, name: str, source: Path) -> Path: ...

    def open_output(self, session_id: str, path: Path) -> int: ...

    @property
    def unavailable_reason(self) -> str | None: ...

    async def execute(self, session_id: str, code: str) -> ExecutionOutcome: ...


class Hit(Protocol):
    @property
    def file_id(self) -> str: ...

    @property
    def filename(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def text(self) -> str: ...


class Searcher(Protocol):
    """The subset of ``file_search.SearchIndex`` the engine uses."""

    async def search(
        self,
        vector_store_ids: list[str],
        query: str,
        *,
        max_results: int = 20,
        score_threshold: float = 0.0,
    ) -> Sequence[Hit]: ...
