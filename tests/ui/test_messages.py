"""The message bridge: plain-language text for exceptions, and the signals the window shows."""

from __future__ import annotations

import inspect

import pytest

from playground.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
)
from playground.ui.messages import MessageBridge, describe_exception, register_title


class SomeFutureStatusError(APIStatusError):
    """A subclass the bridge has never heard of falls back to its base's headline."""


class NotTheApiError(Exception):
    """Same NAME as an api class, another class: matched by class, it gets no api headline."""


NotTheApiError.__name__ = "NotFoundError"


def test_subclass_headline_wins_over_base() -> None:
    msg = describe_exception(APITimeoutError("No answer within 60 seconds."))
    assert msg.title == "The server took too long to answer"
    assert msg.detail == "No answer within 60 seconds."
    assert describe_exception(APIConnectionError("x")).title == "Could not reach the server"


def test_status_errors_show_status_and_request_id() -> None:
    msg = describe_exception(
        AuthenticationError("The key was not accepted.", status=401, request_id="req_123")
    )
    assert msg.title == "The server did not accept the key or token"
    assert msg.detail == "The key was not accepted. (HTTP 401, request id req_123)"


def test_headlines_follow_classes_not_names() -> None:
    assert describe_exception(NotTheApiError("x")).title == "Something went wrong"


def test_unknown_subclass_uses_nearest_known_base() -> None:
    msg = describe_exception(SomeFutureStatusError("Teapot.", status=418))
    assert msg.title == "The server returned an error"
    assert "HTTP 418" in msg.detail


def test_standard_and_unknown_exceptions() -> None:
    assert describe_exception(FileNotFoundError("no such file: a.py")).title == "File not found"
    msg = describe_exception(RuntimeError())
    assert msg.title == "Something went wrong"
    assert msg.detail == "RuntimeError (no further detail)."


def test_broken_str_does_not_raise() -> None:
    class Nasty(Exception):
        def __str__(self) -> str:
            raise RuntimeError("boom")

    assert describe_exception(Nasty()).detail == "Nasty"


def test_register_title() -> None:
    class DriverGaveUp(Exception):
        pass

    register_title(DriverGaveUp, "The run could not be followed")
    assert describe_exception(DriverGaveUp("lost")).title == "The run could not be followed"


def test_store_errors_have_headlines() -> None:
    from playground.store.errors import InvalidInputError, MissingRecordError, UnsafePathError

    assert describe_exception(UnsafePathError("x")).title == "Unsafe file name"
    assert describe_exception(InvalidInputError("x")).title == "Please check the input"
    missing = describe_exception(MissingRecordError("The thread t1 is not in the local list."))
    assert missing.title == "Not found in the local data"
    assert missing.detail == "The thread t1 is not in the local list."


def test_every_api_error_class_has_a_headline() -> None:
    errors = pytest.importorskip("playground.api.errors")
    base = getattr(errors, "AssistantsError", None)
    if base is None:
        pytest.skip("playground.api.errors has no AssistantsError yet")
    from playground.ui import messages

    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, base):
            # Own name or an ancestor's: at worst the tree's base, never the generic fallback.
            assert messages.title_for(cls) is not None, name


def test_bridge_signals(qapp: object) -> None:
    bridge = MessageBridge()
    notices: list[str] = []
    errors: list[tuple[str, str]] = []
    bridge.notice_posted.connect(notices.append)
    bridge.error_posted.connect(lambda t, d: errors.append((t, d)))

    bridge.post_notice("Saved.")
    shown = bridge.report_exception(APITimeoutError("No answer."), context="Sending the message")

    assert notices == ["Saved."]
    assert errors == [("The server took too long to answer", "Sending the message: No answer.")]
    assert shown.detail == "Sending the message: No answer."
