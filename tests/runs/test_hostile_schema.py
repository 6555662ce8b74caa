"""Function schemas from a hostile server: ``$ref`` never fetches, ``pattern`` cannot hang."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from playground.runs.tool_outputs import check_arguments, check_arguments_bounded
from tests.helpers.hostile_server import HostileServer, reply_json


def test_a_remote_ref_is_never_fetched() -> None:
    with HostileServer() as server:
        server.route("GET", "/schema.json", reply_json({"type": "string"}))
        url = server.base_url.removesuffix("/v1") + "/schema.json"
        schema = {"type": "object", "properties": {"a": {"$ref": url}}}
        problems = check_arguments(json.dumps({"a": 1}), schema)
        assert server.requests == []
    assert len(problems) == 1 and "never fetched" in problems[0]


def test_a_file_ref_is_never_read(tmp_path: Path) -> None:
    local = tmp_path / "secret.json"
    local.write_text(json.dumps({"type": "string", "title": "local secret"}))
    schema = {"type": "object", "properties": {"a": {"$ref": local.as_uri()}}}
    problems = check_arguments(json.dumps({"a": 1}), schema)
    assert len(problems) == 1 and "never fetched" in problems[0]


def test_refs_inside_the_schema_still_work() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "$defs": {"city": {"type": "string"}},
        "properties": {"a": {"$ref": "#/$defs/city"}},
    }
    assert check_arguments(json.dumps({"a": "Paris"}), schema) == []
    assert "should be string" in check_arguments(json.dumps({"a": 1}), schema)[0]


async def test_catastrophic_pattern_is_stopped_and_the_loop_keeps_running() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}
    arguments = json.dumps({"a": "a" * 64 + "!"})  # 2^64 steps for re: never finishes
    ticks = 0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        async with asyncio.timeout(60):  # guard only
            problems = await check_arguments_bounded(arguments, schema, time_s=2.0)
    finally:
        stop.set()
        await ticker
    assert len(problems) == 1 and "longer than 2 s" in problems[0]
    assert ticks > 1  # the event loop (the UI thread in the app) kept running meanwhile


async def test_ordinary_patterns_are_checked_in_the_child() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-z]+$"}}}
    assert await check_arguments_bounded(json.dumps({"a": "abc"}), schema) == []
    problems = await check_arguments_bounded(json.dumps({"a": "abc1"}), schema)
    assert len(problems) == 1 and "does not match" in problems[0]
