"""The one exception tree of :mod:`playground.testing`; ``message`` is plain words."""

from __future__ import annotations


class TestingError(Exception):
    """Base of every error this package raises on purpose."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SuiteFileError(TestingError):
    """A suite file cannot be read, parsed or validated (nothing was run)."""


class NoToolOutputError(TestingError):
    """A run asked for a function output the case (and the function's mode) cannot give."""


class RuntimeStartError(TestingError):
    """The embedded runtime could not be started for a headless run."""
