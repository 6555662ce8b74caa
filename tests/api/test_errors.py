"""Error mapping: JSON error bodies, proxy HTML pages, wrong shapes, invalid JSON."""

from __future__ import annotations

import httpx
import pytest

from playground.api import (
    APIResponseValidationError,
    APIStatusError,
    AssistantsError,
    AuthenticationError,
    InternalServerError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)

HTML_502 = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


def always(response: httpx.Response):
    async def handler(request: httpx.Request) -> httpx.Response:
        return response

    return handler


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
    ],
)
async def test_json_error_body_fields(make, status: int, cls: type[APIStatusError]) -> None:
    body = {
        "error": {
            "message": "No assistant found with id 'asst_x'.",
            "type": "invalid_request_error",
            "param": "assistant_id",
            "code": "not_found",
        }
    }
    h = make(always(httpx.Response(status, json=body, headers={"x-request-id": "req_42"})))
    with pytest.raises(cls) as caught:
        await h.client.assistants.retrieve("asst_x")
    err = caught.value
    assert type(err) is cls
    assert err.status == status
    assert err.type == "invalid_request_error"
    assert err.param == "assistant_id"
    assert err.code == "not_found"
    assert err.request_id == "req_42"
    assert err.body == body
    assert "No assistant found" in err.message and f"({status})" in err.message


async def test_html_502_from_a_proxy_is_explained(make) -> None:
    h = make(always(httpx.Response(502, text=HTML_502, headers={"content-type": "text/html"})))
    with pytest.raises(InternalServerError) as caught:
        await h.client.assistants.retrieve("asst_1")
    message = caught.value.message
    assert "HTML page" in message and "502 Bad Gateway" in message and "proxy" in message
    assert len(h.server.seen) == 3  # 502 on a read is retried


async def test_200_with_the_wrong_shape(make) -> None:
    h = make(always(httpx.Response(200, json={"object": "assistant", "name": "no id"})))
    with pytest.raises(APIResponseValidationError, match="not a valid assistant") as caught:
        await h.client.assistants.retrieve("asst_1")
    assert caught.value.body == {"object": "assistant", "name": "no id"}


async def test_200_with_invalid_json(make) -> None:
    h = make(
        always(
            httpx.Response(
                200, text='{"id": "asst_1", ', headers={"content-type": "application/json"}
            )
        )
    )
    with pytest.raises(MalformedResponseError, match="not valid JSON"):
        await h.client.assistants.retrieve("asst_1")


async def test_200_with_an_html_page(make) -> None:
    page = "<html><head><title>Sign in to your network</title></head><body>portal</body></html>"
    h = make(always(httpx.Response(200, text=page, headers={"content-type": "text/html"})))
    with pytest.raises(MalformedResponseError) as caught:
        await h.client.assistants.retrieve("asst_1")
    assert "web page" in caught.value.message and "Sign in to your network" in caught.value.message


async def test_error_with_plain_text_body(make) -> None:
    h = make(always(httpx.Response(400, text="missing field model")))
    with pytest.raises(APIStatusError, match="missing field model"):
        await h.client.assistants.retrieve("asst_1")


async def test_bad_arguments_fail_before_sending(make) -> None:
    h = make(always(httpx.Response(200, json={})))
    with pytest.raises(InvalidRequestError, match="not a valid thread id"):
        await h.client.messages.retrieve("../etc", "msg_1")
    with pytest.raises(InvalidRequestError, match="CreateAssistant"):
        await h.client.assistants.create({"name": "no model"})
    with pytest.raises(ValueError, match="order"):
        h.client.assistants.list(order="sideways")
    assert h.server.seen == []


def test_every_error_is_an_assistants_error_with_a_message() -> None:
    import playground.api.errors as errors

    classes = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert len(classes) >= 20
    for cls in classes:
        assert issubclass(cls, AssistantsError) or cls is AssistantsError
