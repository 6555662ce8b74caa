"""Errors raised by the local store.

Every message is written for a person: the UI shows ``str(exc)`` as-is, so it must say what went
wrong in plain words and never contain a secret.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: local data could not be read or written, or the input is not acceptable."""


class InvalidInputError(StoreError, ValueError):
    """The caller passed something the store refuses (blank name, malformed id, ...)."""


class UnsafePathError(StoreError, ValueError):
    """A file name or path would escape the folder it is meant to stay in."""


class MissingRecordError(StoreError, KeyError):
    """The requested record does not exist."""

    def __str__(self) -> str:
        # KeyError.__str__ quotes its argument; keep the plain sentence instead.
        return str(self.args[0]) if self.args else "Not found."
