"""Errors of the run driver and the tool-output helpers; each has a plain ``message``."""

from __future__ import annotations


class RunDriverError(Exception):
    """A run could not be followed or steered; ``message`` is fit to show a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ToolOutputsError(RunDriverError):
    """Tool outputs were refused before sending (wrong batch, nothing pending...)."""


class LocalFunctionError(RunDriverError):
    """A local Python function could not produce an output (timeout, exception, bad file)."""


class CancelNotConfirmed(RunDriverError):
    """Cancel was asked for, but the server still did not end the run by the deadline."""
