"""A model endpoint that refuses or rate-limits: the run fails naming the cause.

Reproduces: "Could not reach the model at …: ." with an empty reason and no retry.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from playground.protocol.runtime_errors import MODEL_UNREACHABLE_PREFIX
from tests.helpers.runtime_process import RuntimeServer, http_client, start_runtime, wait_until
from tests.helpers.scripted_llm import ScriptedLLM, error, text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_to_end(http: httpx.Client) -> dict[str, object]:
    assistant = http.post("/assistants", json={"model": "m"}).json()
    run = http.post(
        "/threads/runs",
        json={
            "assistant_id": assistant["id"],
            "thread": {"messages": [{"role": "user", "content": "hello"}]},
        },
    ).json()
    assert "id" in run, run

    def ended() -> dict[str, object] | None:
        body = http.get(f"/threads/{run['thread_id']}/runs/{run['id']}").json()
        return body if body["status"] in ("failed", "completed") else None

    result = wait_until(ended, timeout=60, interval=0.1)
    assert isinstance(result, dict)
    return result


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RuntimeServer, str]]:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with start_runtime(tmp_path_factory.mktemp("refused") / "data", model_base_url=url) as server:
        yield server, url


def test_refused_endpoint_fails_the_run_naming_url_and_cause(
    refused: tuple[RuntimeServer, str],
) -> None:
    server, url = refused
    with http_client(server) as http:
        run = _run_to_end(http)
    assert run["status"] == "failed"
    error_body = run["last_error"]
    assert isinstance(error_body, dict)
    assert error_body["code"] == "server_error"
    assert error_body["message"].startswith(
        f"{MODEL_UNREACHABLE_PREFIX}: {url}: connection refused"
    )
    assert "tried 3 times" in error_body["message"]


def test_rate_limited_endpoint_is_retried_then_reported(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with ScriptedLLM() as llm:
        with (
            start_runtime(
                tmp_path_factory.mktemp("limited") / "data", model_base_url=llm.base_url
            ) as server,
            http_client(server) as http,
        ):
            llm.queue(error(429, "slow down"), text("Recovered."))
            recovered = _run_to_end(http)
            assert recovered["status"] == "completed", recovered
            llm.queue(*(error(429, "still too many requests") for _ in range(3)))
            limited = _run_to_end(http)
    assert limited["status"] == "failed"
    error_body = limited["last_error"]
    assert isinstance(error_body, dict)
    assert error_body["code"] == "rate_limit_exceeded"
    assert "still too many requests" in error_body["message"]
