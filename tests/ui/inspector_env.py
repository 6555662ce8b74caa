"""Fixtures and data for the inspector, outputs and HTTP-log tests.

A real runtime process backed by the scripted model (only the model is scripted, as
everywhere else); the environment itself comes from ``tests.ui.support``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.support import MODEL, Env, connected_env


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as server:
        yield server


@pytest.fixture(scope="module")
def runtime(llm: ScriptedLLM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    data = tmp_path_factory.mktemp("inspector-runtime") / "data"
    with start_runtime(data, model_base_url=llm.base_url, model=MODEL) as server:
        yield server


@pytest.fixture
async def env(qapp: object, runtime: RuntimeServer) -> AsyncIterator[Env]:
    """A connected Session on the real runtime; ``env.logged`` collects its requests."""
    async with connected_env(runtime) as made:
        yield made


def png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real, valid PNG (written by hand so the test controls every byte)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return _png(width, height, zlib.compress(raw))


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims a huge image (the pixel data is a stub)."""
    return _png(width, height, zlib.compress(b"\x00" * 64))


def _png(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


async def upload(env: Env, name: str, data: bytes) -> str:
    file = await env.client.files.upload(data, filename=name, purpose="assistants")
    return file.id
