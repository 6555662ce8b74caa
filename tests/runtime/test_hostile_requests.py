"""Hostile request bodies and file names against the real runtime process.

Each case reproduces a finding of issue 14: unbounded JSON bodies (also chunked), deep
nesting and lone surrogates answered with 500, and file names such as ``..`` accepted.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.runtime_process import RuntimeServer, http_client, start_runtime

CAP = 1024 * 1024


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    """A server whose JSON body cap is 1 MiB (set with --max-body-bytes)."""
    with start_runtime(
        tmp_path_factory.mktemp("capped") / "data",
        extra_args=["--no-local-model", "--max-body-bytes", str(CAP)],
    ) as server:
        yield server


@pytest.fixture
def capped_http(capped: RuntimeServer) -> Iterator[httpx.Client]:
    with http_client(capped) as client:
        yield client


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def test_body_over_the_cap_is_413(capped_http: httpx.Client) -> None:
    big = {"model": "m", "instructions": "x" * (CAP + 10)}
    response = capped_http.post("/assistants", json=big)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert str(CAP) in error["message"]
    # Just under the cap the body is read and judged on its content instead.
    read = capped_http.post("/assistants", json={"model": "m", "instructions": "y" * (CAP - 100)})
    assert read.status_code == 400, read.text
    assert read.json()["error"]["param"] == "instructions"


def _chunked_flood(server: RuntimeServer, total: int) -> tuple[bytes, int]:
    """Send a chunked body of up to ``total`` bytes; returns (response bytes, bytes sent)."""
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=60)
    head = (
        "POST /v1/assistants HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {server.token}\r\n"
        "OpenAI-Beta: assistants=v2\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    piece = b'{"model": "m", "instructions": "' + b"z" * (256 * 1024)
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    sent = 0
    response = b""
    sock.setblocking(False)
    try:
        while sent < total:
            try:
                response += sock.recv(65536)
                if response:
                    break
            except BlockingIOError:
                pass
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                time.sleep(0.001)  # the server is not reading: wait for its answer instead
    except (BrokenPipeError, ConnectionResetError):
        pass
    sock.setblocking(True)
    sock.settimeout(60)
    try:
        # The head and the body may come in separate segments: read the whole answer.
        while not _complete(response):
            data = sock.recv(65536)
            if not data:
                break
            response += data
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    return response, sent


def _complete(response: bytes) -> bool:
    """Whether ``response`` holds the head and as many body bytes as it announced."""
    head, found, body = response.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads RSS from /proc")
def test_chunked_body_stops_being_read_at_the_cap(capped: RuntimeServer) -> None:
    before = rss_bytes(capped.process.pid)
    response, sent = _chunked_flood(capped, 200 * 1024 * 1024)
    after = rss_bytes(capped.process.pid)
    assert response.startswith(b"HTTP/1.1 413"), response[:200]
    assert b"request_too_large" in response
    assert sent < 100 * 1024 * 1024, f"the client could push {sent} bytes"
    assert after - before < 30 * 1024 * 1024
    with http_client(capped) as http:
        assert http.get("/assistants").status_code == 200


@pytest.mark.parametrize(
    ("body", "param_start"),
    [
        ('{"model": "m", "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}", "metadata"),
        ('{"model": "m", "tools": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}", "tools"),
        ('{"model": "m", "metadata": ' + '{"k": [' * 40 + "1" + "]}" * 40 + "}", "metadata"),
    ],
    ids=["100k-arrays", "5k-objects", "80-levels"],
)
def test_deep_nesting_is_400_with_param(http: httpx.Client, body: str, param_start: str) -> None:
    response = http.post(
        "/assistants", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert "nested more than" in error["message"]
    assert error["param"] and error["param"].startswith(param_start)


def test_lone_surrogate_is_400_naming_the_field(http: httpx.Client) -> None:
    body = '{"model": "m", "name": "bad \\ud800 text"}'
    response = http.post(
        "/assistants", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == "name"
    assert "surrogate" in error["message"]
    nested = '{"model": "m", "metadata": {"k": "\\udfff"}}'
    response = http.post(
        "/assistants", content=nested.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "metadata.k"
    # A proper pair (an emoji written as escapes) is fine.
    pair = '{"model": "m", "name": "ok \\ud83d\\ude00"}'
    ok = http.post(
        "/assistants", content=pair.encode(), headers={"Content-Type": "application/json"}
    )
    assert ok.status_code == 200 and ok.json()["name"] == "ok \N{GRINNING FACE}"


def test_invalid_utf8_body_is_400(http: httpx.Client) -> None:
    body = b'{"model": "m", "name": "\xed\xa0\x80"}'  # a surrogate encoded as UTF-8
    response = http.post("/assistants", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "not valid UTF-8" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("..", "'.' and '..'"),
        (".", "'.' and '..'"),
        ("a\\..", "without folders"),
        ("../../etc/passwd", "without folders"),
        ("dir/a.txt", "without folders"),
        ("x" * 300 + ".txt", "the limit is 255 bytes"),
        ("é" * 130 + ".txt", "the limit is 255 bytes"),
        ("bell\x07.txt", "control"),
        ("invoice\u202egnp.exe", "text-direction"),
        ("   ", "empty"),
    ],
)
def test_bad_file_names_are_refused_with_the_rule(
    runtime: RuntimeServer, http: httpx.Client, name: str, rule: str
) -> None:
    response = http.post(
        "/files",
        files={"file": ("placeholder.txt", b"hello")},
        data={"purpose": "assistants", "filename": name},
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == "filename"
    assert rule in error["message"]
    assert str(runtime.data_dir) not in error["message"]


def test_bad_name_in_the_file_part_itself(http: httpx.Client) -> None:
    response = http.post("/files", files={"file": ("..", b"hello")}, data={"purpose": "assistants"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_unusual_but_valid_names_are_kept_exactly(http: httpx.Client) -> None:
    for name in ("résumé 2024 (final).pdf", "数据.csv", ".env", "a" * 250 + ".md", "x..y.txt"):
        response = http.post(
            "/files",
            files={"file": ("f", b"hello")},
            data={"purpose": "assistants", "filename": name},
        )
        assert response.status_code == 200, (name, response.text)
        assert response.json()["filename"] == name
        content = http.get(f"/files/{response.json()['id']}/content")
        assert content.status_code == 200 and content.content == b"hello"


def test_errors_json_is_never_a_500(http: httpx.Client) -> None:
    for body in (b"[1, 2", b'"just a string"', b"\xff\xfe", b"{" * 10, b"null"):
        response = http.post(
            "/assistants", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, (body, response.text)
        assert json.loads(response.text)["error"]["type"] == "invalid_request_error"


def test_client_visible_reasons_never_carry_server_paths() -> None:
    from playground.runtime.errors import public_reason

    too_long = OSError(36, "File name too long", "/srv/data/code_interpreter/thread_1/" + "x" * 300)
    assert public_reason(too_long) == f"File name too long ('{'x' * 300}')"
    missing = FileNotFoundError(2, "No such file or directory", "/srv/data/files/file_1")
    assert public_reason(missing) == "No such file or directory ('file_1')"
    assert (
        public_reason(ValueError("cannot open /srv/data/a/b.txt: bad")) == "cannot open b.txt: bad"
    )
    assert public_reason(ValueError(r"C:\Users\me\data\b.txt broke")) == "b.txt broke"
    assert public_reason(ValueError("a ratio of 1/2 stays")) == "a ratio of 1/2 stays"
    assert public_reason(ValueError("use and/or/not")) == "use and/or/not"
    assert public_reason(RuntimeError()) == "RuntimeError"


def test_body_rules_are_exact_at_the_edges() -> None:
    from playground.runtime.body import MAX_DEPTH, parse_json
    from playground.runtime.errors import ApiError

    deepest = '[{"a":' * (MAX_DEPTH // 2) + "1" + "}]" * (MAX_DEPTH // 2)
    assert parse_json(deepest.encode()) is not None
    with pytest.raises(ApiError, match="nested more than"):
        parse_json(("[" + deepest + "]").encode())
    # Brackets inside strings are text, not nesting.
    assert parse_json(json.dumps({"s": "[" * 500}).encode()) == {"s": "[" * 500}
    # An escaped backslash before "ud800" is plain text, and a pair written as escapes is fine.
    assert parse_json(b'{"s": "a\\\\ud800", "e": "\\ud83d\\ude00"}') == {
        "s": "a\\ud800",
        "e": "\N{GRINNING FACE}",
    }
    with pytest.raises(ApiError) as info:
        parse_json(b'{"list": ["fine", {"deep": "\\udc00 low alone"}]}')
    assert info.value.param == "list[1].deep"
