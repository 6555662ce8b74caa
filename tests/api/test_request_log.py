"""The request log: every attempt logged, secrets never present, curl export runnable."""

from __future__ import annotations

import dataclasses
import json
import shlex

import httpx
import pytest

from playground.api import (
    AccessToken,
    AzureDialect,
    FoundryDialect,
    NotFoundError,
    OpenAIDialect,
    as_curl,
)
from playground.api.constants import LOG_BODY_LIMIT

from .conftest import KEY, FakeClock, error, ok

ASSISTANT = {"id": "asst_1", "object": "assistant", "model": "m"}


def no_secret_anywhere(entries, *secrets: str) -> None:
    for entry in entries:
        text = json.dumps(dataclasses.asdict(entry))
        for secret in secrets:
            assert secret not in text


async def test_entry_fields_and_redaction(make) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        # A careless server that echoes the key back must not leak it into the log.
        return ok(
            {**ASSISTANT, "description": f"you sent {KEY}"}, headers={"x-request-id": "req_1"}
        )

    h = make(handler)
    await h.client.assistants.update("asst_1", {"name": "n"})
    (entry,) = h.log
    assert entry.method == "POST"
    assert entry.url == "http://127.0.0.1:9999/v1/assistants/asst_1"
    assert entry.status == 200
    assert entry.request_id == "req_1"
    assert entry.duration_ms >= 0
    assert entry.request_headers["authorization"] == "Bearer ***"
    assert entry.request_body == '{"name":"n"}'
    assert entry.response_body is not None and "you sent ***" in entry.response_body
    no_secret_anywhere(h.log, KEY)


async def test_apim_request_id_and_errors_are_logged(make) -> None:
    calls: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return error(404, "No assistant", headers={"apim-request-id": "apim-7"})

    h = make(handler)
    with pytest.raises(NotFoundError):
        await h.client.assistants.retrieve("asst_1")
    first, second = h.log
    assert first.status is None and first.error is not None and "refused" in first.error
    assert second.status == 404 and second.request_id == "apim-7" and second.attempt == 1
    assert second.response_body is not None and "No assistant" in second.response_body


async def test_azure_key_and_tokens_never_logged(make) -> None:
    clock = FakeClock()

    class Provider:
        async def get_token(self) -> AccessToken:
            return AccessToken("eyJ-token-SECRET-value", clock.now + 3600)

    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(ASSISTANT)

    azure = make(handler, AzureDialect("https://r.openai.azure.com", api_key="azure-KEY-123456"))
    await azure.client.assistants.retrieve("asst_1")
    assert azure.log[0].request_headers["api-key"] == "***"
    assert "api-version=2025-04-01-preview" in azure.log[0].url
    no_secret_anywhere(azure.log, "azure-KEY-123456")

    foundry = make(
        handler,
        FoundryDialect("https://a.services.ai.azure.com/api/projects/p", Provider(), clock=clock),
        clock=clock,
    )
    await foundry.client.assistants.retrieve("asst_1")
    assert foundry.log[0].request_headers["authorization"] == "Bearer ***"
    no_secret_anywhere(foundry.log, "eyJ-token-SECRET-value")


async def test_long_bodies_are_truncated(make) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok({**ASSISTANT, "instructions": "x" * (LOG_BODY_LIMIT * 2)})

    h = make(handler)
    await h.client.assistants.retrieve("asst_1")
    body = h.log[0].response_body or ""
    assert len(body) < LOG_BODY_LIMIT + 200
    assert "more characters not shown" in body


async def test_as_curl_uses_the_env_var(make) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(ASSISTANT)

    h = make(handler, OpenAIDialect("http://127.0.0.1:9999/v1", KEY))
    await h.client.assistants.update("asst_1", {"name": "it's"})
    command = as_curl(h.log[0], key_env_var="MY_KEY")
    assert KEY not in command
    assert '"authorization: Bearer ${MY_KEY}"' in command
    words = shlex.split(command)  # a shell could run it: quoting is balanced
    assert words[:4] == ["curl", "-X", "POST", "http://127.0.0.1:9999/v1/assistants/asst_1"]
    assert words[words.index("--data-raw") + 1] == '{"name":"it\'s"}'
    assert "openai-beta: assistants=v2" in words

    azure = make(handler, AzureDialect("https://r.openai.azure.com", api_key="azure-KEY-123456"))
    await azure.client.assistants.retrieve("asst_1")
    command = as_curl(azure.log[0])
    assert '"api-key: ${ASSISTANTS_API_KEY}"' in command
    assert "azure-KEY-123456" not in command


async def test_a_failing_hook_does_not_break_requests(make) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(ASSISTANT)

    h = make(handler)

    def broken(entry) -> None:
        raise RuntimeError("log view crashed")

    h.client.on_request = broken
    assert (await h.client.assistants.retrieve("asst_1")).id == "asst_1"
