"""A remote server is "Connected" only after it really answered; a silent one is reported."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from playground.connection.embedded import EmbeddedRuntime
from playground.connector import AppConnector, ConnectionProblem
from playground.store.profiles import ConnectionProfile, ProfileKind
from playground.store.store import open_store
from tests.helpers.hostile_server import HostileServer, accept_and_hang, reply_json


def profile_for(server: HostileServer) -> ConnectionProfile:
    return ConnectionProfile(
        name="Hostile", kind=ProfileKind.OPENAI, base_url=server.base_url, auth_mode="none"
    )


async def test_a_server_that_never_answers_fails_the_connect(qapp: Any) -> None:
    with HostileServer() as server:
        server.route("GET", "/assistants", accept_and_hang())
        connector = AppConnector(open_store(), EmbeddedRuntime())
        connector.probe_deadline_s = 1.0
        async with asyncio.timeout(60):  # guard only: turns a hang into a failure
            with pytest.raises(ConnectionProblem) as caught:
                await connector.connect(profile_for(server))
        assert "did not answer within 1 s" in caught.value.message
        assert server.seen("GET", "/assistants")


async def test_a_server_that_answers_connects(qapp: Any) -> None:
    with HostileServer() as server:
        server.route(
            "GET", "/assistants", reply_json({"object": "list", "data": [], "has_more": False})
        )
        connector = AppConnector(open_store(), EmbeddedRuntime())
        connection = await connector.connect(profile_for(server))
        try:
            assert connection.description.startswith("Connected to Hostile")
        finally:
            assert connection.aclose is not None
            await connection.aclose()
