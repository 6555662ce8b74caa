"""The one error a model backend raises.

The engine turns it into the run's ``last_error`` without knowing anything about HTTP, so
the message must already be plain words a person can act on.
"""

from __future__ import annotations

from typing import Literal

ModelErrorCode = Literal["server_error", "rate_limit_exceeded", "invalid_prompt"]


class ModelError(Exception):
    """The model could not produce an answer.

    ``code`` is one of the run ``last_error`` codes the Assistants spec allows.
    """

    def __init__(self, message: str, *, code: ModelErrorCode = "server_error") -> None:
        super().__init__(message)
        self.message = message
        self.code: ModelErrorCode = code
