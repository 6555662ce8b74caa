"""Images in user messages reach the model as ``image_url`` parts, or as notes saying why not.

Through the real runtime process with the official SDK; the model is the scripted Chat
Completions server, whose recorded requests show exactly what a vision model would be sent.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from playground.runtime.engine.images import PromptImage
from playground.runtime.engine.prompt import build_request
from playground.runtime.model.openai_chat import says_no_images
from tests.helpers.images import png_bytes as png
from tests.helpers.runtime_process import start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, error, text
from tests.runtime.conftest import sdk_client

REFUSAL = "Invalid content type. image_url is only supported by certain models."


def _ask_about(client: Any, data: bytes, name: str, detail: str | None = "low") -> Any:
    """A thread whose user message is a question and one image file; returns the run."""
    uploaded = client.files.create(file=(name, data), purpose="vision")
    image: dict[str, Any] = {"file_id": uploaded.id}
    if detail:
        image["detail"] = detail
    assistant = client.beta.assistants.create(model="scripted-model", instructions="Look.")
    thread = client.beta.threads.create(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this picture?"},
                    {"type": "image_file", "image_file": image},
                ],
            }
        ]
    )
    return client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )


def _user_content(request: dict[str, Any]) -> Any:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def test_a_user_image_reaches_the_model_as_a_data_url(client: Any, module_llm: ScriptedLLM) -> None:
    module_llm.queue(text("A grey square."))
    before = len(module_llm.requests)
    data = png()
    run = _ask_about(client, data, "square.png")
    assert run.status == "completed", run.last_error
    (request,) = module_llm.requests[before:]
    content = _user_content(request)
    assert content[0] == {"type": "text", "text": "What is in this picture?"}
    assert content[1]["type"] == "image_url"
    assert content[1]["image_url"]["detail"] == "low"
    url = content[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == data
    # Never a link back to the runtime (the model server could not reach it, and must not
    # be handed a token).
    assert "127.0.0.1" not in url


def test_a_file_named_png_that_is_not_an_image_is_a_note(
    client: Any, module_llm: ScriptedLLM
) -> None:
    module_llm.queue(text("I cannot see it."))
    before = len(module_llm.requests)
    run = _ask_about(client, b"<script>alert(1)</script> not an image", "holiday.png")
    assert run.status == "completed", run.last_error
    (request,) = module_llm.requests[before:]
    content = _user_content(request)
    assert isinstance(content, str)
    assert "What is in this picture?" in content
    assert (
        "[image file holiday.png: not shown to the model, it is not a PNG, JPEG, GIF or WEBP "
        "image]" in content
    )


def test_a_model_that_refuses_images_gets_notes_then_no_images_again(tmp_path: Path) -> None:
    with (
        ScriptedLLM() as llm,
        start_runtime(tmp_path / "data", model_base_url=llm.base_url) as runtime,
    ):
        sdk = sdk_client(runtime)
        try:
            llm.queue(error(400, REFUSAL), text("I cannot see pictures."))
            run = _ask_about(sdk, png(), "cat.png")
            assert run.status == "completed", run.last_error
            first, second = llm.requests
            assert isinstance(_user_content(first), list)  # tried with the image
            retried = _user_content(second)
            assert isinstance(retried, str)
            assert "[image file cat.png: this model cannot see images]" in retried
            # The server said why: later runs send the note straight away.
            llm.queue(text("Still no."))
            run = _ask_about(sdk, png(), "dog.png")
            assert run.status == "completed", run.last_error
            assert len(llm.requests) == 3
            assert "[image file dog.png: this model cannot see images]" in _user_content(
                llm.requests[2]
            )
        finally:
            sdk.close()


def test_an_error_that_is_not_about_images_fails_the_run_with_its_own_words(
    tmp_path: Path,
) -> None:
    """The text-only retry is tried once; its own failure is the run's reason, and the
    model is not marked as blind (a later run sends images again)."""
    with (
        ScriptedLLM() as llm,
        start_runtime(tmp_path / "data", model_base_url=llm.base_url) as runtime,
    ):
        sdk = sdk_client(runtime)
        try:
            llm.queue(
                error(400, "max_tokens is too large for this deployment"),
                error(400, "max_tokens is too large for this deployment"),
            )
            run = _ask_about(sdk, png(), "cat.png")
            assert run.status == "failed"
            assert run.last_error is not None
            assert "max_tokens is too large" in run.last_error.message
            assert len(llm.requests) == 2
            llm.queue(text("A cat."))
            run = _ask_about(sdk, png(), "cat.png")
            assert run.status == "completed", run.last_error
            assert isinstance(_user_content(llm.requests[-1]), list)
        finally:
            sdk.close()


# -- the prompt rules, without a server ---------------------------------------------------

RUN = {"id": "run_1", "instructions": "", "tools": []}
NAMES = {"file_a": "a.png", "file_b": "b.png", "file_chart": "chart.png"}


def _image_message(file_id: str, role: str = "user") -> dict[str, Any]:
    return {
        "role": role,
        "run_id": None,
        "content": [
            {"type": "text", "text": {"value": f"look at {file_id}"}},
            {"type": "image_file", "image_file": {"file_id": file_id}},
        ],
    }


def _request(messages: list[dict[str, Any]], images: dict[str, PromptImage] | None) -> Any:
    return build_request(
        RUN,
        messages,
        [],
        NAMES,
        code_available=False,
        search_available=False,
        first_turn=True,
        remaining_completion_tokens=None,
        images=images,
    )


def test_the_newest_images_get_the_request_budget_and_older_ones_say_so() -> None:
    big = 30 * 1024 * 1024  # two of these exceed the 50 MB a request may carry
    images = {
        "file_a": PromptImage("a.png", url="data:image/png;base64,AAAA", size=big),
        "file_b": PromptImage("b.png", url="data:image/png;base64,BBBB", size=big),
    }
    request = _request([_image_message("file_a"), _image_message("file_b")], images)
    older, newer = request.messages
    assert isinstance(newer["content"], list)
    assert newer["content"][1]["image_url"]["url"].endswith("BBBB")
    assert isinstance(older["content"], str)
    assert (
        "[image file a.png: not shown to the model, the request already carries"
        in (older["content"])
    )
    # The copy for a model without eyes says so for every image.
    alternative = request.messages_without_images
    assert alternative is not None
    assert all(isinstance(m["content"], str) for m in alternative)
    assert "[image file b.png: this model cannot see images]" in alternative[1]["content"]


def test_assistant_images_and_a_blind_model_stay_notes() -> None:
    chart = {"file_chart": PromptImage("chart.png", url="data:image/png;base64,CCCC", size=4)}
    request = _request([_image_message("file_chart", role="assistant")], chart)
    (message,) = request.messages
    assert message["content"] == "look at file_chart\n[image file chart.png]"
    assert request.messages_without_images is None
    blind = _request([_image_message("file_a")], None)
    assert blind.messages[0]["content"] == (
        "look at file_a\n[image file a.png: this model cannot see images]"
    )
    assert blind.messages_without_images is None


def test_an_image_url_passes_through_with_its_detail() -> None:
    message = {
        "role": "user",
        "run_id": None,
        "content": [
            {
                "type": "image_url",
                "image_url": {"url": "https://example.com/x.png", "detail": "high"},
            }
        ],
    }
    request = _request([message], {})
    assert request.messages[0]["content"] == [
        {"type": "image_url", "image_url": {"url": "https://example.com/x.png", "detail": "high"}}
    ]
    alternative = request.messages_without_images
    assert alternative is not None
    assert alternative[0]["content"] == (
        "[image https://example.com/x.png: this model cannot see images]"
    )


@pytest.mark.parametrize(
    ("detail", "no_images"),
    [
        ("Invalid content type. image_url is only supported by certain models.", True),
        ("The model llama3.1 is not a multimodal model", True),
        ("Model does not support images. Please use a model that does.", True),
        ("vision is not enabled for this deployment", True),
        ("Failed to download image from https://example.com/x.png", False),
        ("Could not decode the image data", False),
        ("max_tokens is too large", False),
    ],
)
def test_only_a_model_without_image_input_is_remembered_as_such(
    detail: str, no_images: bool
) -> None:
    assert says_no_images(detail) is no_images
