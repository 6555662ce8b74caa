"""The HTTP server under hostile connections, and where its token comes from.

Reproduces: 1,100 half-open connections locked real clients out (the process started with
the common 1,024-descriptor soft limit) and flooded the log with tracebacks; a slowloris
connection was kept forever; ``--token`` was the only way to choose the token.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest

from playground.runtime.log_dedupe import REPORT_EVERY_SECONDS, RepeatCollapser
from tests.helpers.runtime_process import RuntimeServer, sdk_client, start_runtime

TOKEN_ENV = "ASSISTANTS_PLAYGROUND_TOKEN"


def _address(server: RuntimeServer) -> tuple[str, int]:
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


@contextmanager
def _soft_file_limit(soft: int) -> Iterator[None]:
    """Start children with a low soft RLIMIT_NOFILE (as desktop sessions often do)."""
    import resource

    old_soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= soft:
        pytest.skip(f"the hard descriptor limit ({hard}) leaves no room to raise")
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (old_soft, hard))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptor limits")
def test_1100_half_open_connections_do_not_lock_out_real_clients(tmp_path: Path) -> None:
    import resource

    with _soft_file_limit(1024):
        runtime = start_runtime(
            tmp_path / "data", extra_args=["--no-local-model", "--header-timeout-seconds", "3"]
        )
        server = runtime.__enter__()
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 1300:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        idle: list[socket.socket] = []
        try:
            for _ in range(1100):
                idle.append(socket.create_connection(_address(server), timeout=30))
            idle[-1].sendall(b"GET /v1/assistants HTTP/1.1\r\nHost: x\r\n")  # slowloris
            with httpx.Client(base_url=server.api_base, headers=server.headers, timeout=30) as c:
                for _ in range(5):
                    # A fresh connection each time, as a new client would make.
                    response = c.get("/assistants", headers={"Connection": "close"})
                    assert response.status_code == 200, response.text
            # The server closes connections that never send a whole request.
            for sock in (idle[0], idle[-1]):
                sock.settimeout(60)
                assert sock.recv(1024) == b""
        finally:
            for sock in idle:
                sock.close()
        with httpx.Client(base_url=server.api_base, headers=server.headers, timeout=30) as c:
            assert c.get("/assistants").status_code == 200
        log = server.stderr()
        assert "Too many open files" not in log
        assert "Traceback" not in log
        limits = Path(f"/proc/{server.process.pid}/limits").read_text()
        assert any(
            line.startswith("Max open files") and int(line.split()[3]) > 1024
            for line in limits.splitlines()
        ), limits
    finally:
        runtime.__exit__(None, None, None)


def _held_request(server: RuntimeServer, body: bytes) -> socket.socket:
    """A POST the server is handling but cannot finish: its body is still to come.

    ``Expect: 100-continue`` makes uvicorn answer "100 Continue" exactly when the route
    first asks for the body, so once that line is read the request is in progress.
    """
    sock = socket.create_connection(_address(server), timeout=30)
    sock.sendall(
        b"POST /v1/assistants HTTP/1.1\r\nHost: x\r\n"
        + f"Authorization: Bearer {server.token}\r\n".encode()
        + b"OpenAI-Beta: assistants=v2\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"Expect: 100-continue\r\n\r\n"
    )
    seen = b""
    while not seen.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        assert chunk, f"connection closed before 100 Continue: {seen!r}"
        seen += chunk
    assert seen.startswith(b"HTTP/1.1 100"), seen
    return sock


def test_past_the_concurrency_cap_the_answer_is_an_api_error_with_retry_after(
    tmp_path: Path,
) -> None:
    """Two requests in progress, a cap of two: the third gets the OpenAI error shape."""
    body = json.dumps({"model": "m", "name": "held"}).encode()
    with start_runtime(
        tmp_path / "data", extra_args=["--no-local-model", "--max-concurrency", "2"]
    ) as server:
        held = [_held_request(server, body), _held_request(server, body)]
        try:
            with httpx.Client(base_url=server.api_base, headers=server.headers, timeout=30) as c:
                refused = c.get("/assistants")
                assert refused.status_code == 503, refused.text
                assert refused.headers["retry-after"] == "1"
                assert refused.headers["content-type"] == "application/json"
                error = refused.json()["error"]
                assert set(error) == {"message", "type", "param", "code"}
                assert error["type"] == "server_error" and error["code"] == "server_busy"
                assert "2 requests are already in progress" in error["message"]
                # The official SDK reads it as a server error with that message.
                sdk = sdk_client(server)
                try:
                    with pytest.raises(openai.InternalServerError, match="server is busy"):
                        sdk.beta.assistants.list()
                finally:
                    sdk.close()
                # A held request that finishes frees its place.
                held[0].sendall(body)
                reply = held[0].recv(65536)
                assert reply.startswith(b"HTTP/1.1 200"), reply
                assert c.get("/assistants").status_code == 200
        finally:
            for sock in held:
                sock.close()


def test_repeated_errors_are_logged_once_with_a_count() -> None:
    now = [0.0]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RepeatCollapser(clock=lambda: now[0]))
    log = logging.getLogger("tests.hostile.collapse")
    log.addHandler(handler)
    log.propagate = False
    try:
        for _ in range(10_000):
            try:
                raise OSError(24, "Too many open files")
            except OSError:
                log.exception("socket.accept() out of system resource")
        log.warning("something else")
        for _ in range(3):
            log.warning("steady drip")
            now[0] += REPORT_EVERY_SECONDS / 2 + 1
        log.warning("steady drip")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert text.count("Traceback") == 1
    assert text.count("OSError: [Errno 24] Too many open files") == 2  # traceback, summary
    assert "repeated 9999 more times" in text
    assert "something else" in text
    assert "steady drip (repeated 2 times in the last 62 s)" in text
    assert len(text) < 2000


def test_token_on_the_command_line_warns(tmp_path: Path) -> None:
    with start_runtime(tmp_path / "data", extra_args=["--no-local-model"]) as server:
        with httpx.Client(base_url=server.api_base, headers=server.headers) as client:
            assert client.get("/assistants").status_code == 200
        assert "other users of this machine can read it" in server.stderr()
        assert not any(line.startswith("token: ") for line in server.stdout_lines)


def _check_token(server: RuntimeServer, token: str) -> None:
    beta = {"OpenAI-Beta": "assistants=v2"}
    with httpx.Client(base_url=server.api_base, timeout=30, headers=beta) as client:
        good = client.get("/assistants", headers={"Authorization": f"Bearer {token}"})
        assert good.status_code == 200, good.text
        bad = client.get("/assistants", headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401
    assert not any(line.startswith("token: ") for line in server.stdout_lines)
    assert "can read it" not in server.stderr()
    cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
    assert token.encode() not in cmdline


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc cmdline")
def test_token_from_a_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("file-token-4242\n")
    token_file.chmod(0o600)
    with start_runtime(
        tmp_path / "data",
        token=None,
        extra_args=["--no-local-model", "--token-file", str(token_file)],
    ) as server:
        _check_token(server, "file-token-4242")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc cmdline")
def test_token_from_the_environment(tmp_path: Path) -> None:
    with start_runtime(
        tmp_path / "data",
        token=None,
        extra_args=["--no-local-model"],
        env={TOKEN_ENV: "env-token-4242"},
    ) as server:
        _check_token(server, "env-token-4242")


def test_token_sources_are_checked(tmp_path: Path) -> None:
    from playground.runtime.__main__ import build_config, parse_args

    empty = tmp_path / "empty"
    empty.write_text("\n")
    data = ["--data-dir", str(tmp_path / "d")]
    with pytest.raises(SystemExit, match="is empty"):
        build_config(parse_args([*data, "--token-file", str(empty)]))
    with pytest.raises(SystemExit, match="Cannot read the token file"):
        build_config(parse_args([*data, "--token-file", str(tmp_path / "missing")]))
    with pytest.raises(SystemExit, match="not both"):
        build_config(parse_args([*data, "--token", "a", "--token-file", str(empty)]))
    with pytest.raises(SystemExit, match="--max-body-bytes must be at least 1"):
        build_config(parse_args([*data, "--max-body-bytes", "0"]))
