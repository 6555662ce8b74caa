"""Timestamps from a hostile server: milliseconds, 10^20 and 10^400 neither hang nor hide runs."""

from __future__ import annotations

from typing import Any

import pytest

from playground.ui.viewmodels.inspector import InspectorViewModel
from playground.ui.viewmodels.run_records import build_timeline
from playground.ui.viewmodels.timestamps import epoch
from playground.ui.widgets.step_tree import StepTree
from playground.ui.widgets.timeline import MAX_TICKS, RunTimeline, ticks
from tests.helpers.hostile_server import HostileServer, reply_json
from tests.helpers.qt_wait import until
from tests.ui.hostile_env import hostile_env

NOW = 1_764_000_000
THREAD = "thread_hostile"


def run(run_id: str, **stamps: int) -> dict[str, Any]:
    return {
        "id": run_id,
        "object": "thread.run",
        "thread_id": THREAD,
        "assistant_id": "asst_1",
        "status": "completed",
        "model": "m",
        "created_at": NOW,
        "started_at": NOW + 1,
        **stamps,
    }


def step(run_id: str, index: int, **stamps: int) -> dict[str, Any]:
    return {
        "id": f"step_{run_id}_{index}",
        "object": "thread.run.step",
        "thread_id": THREAD,
        "run_id": run_id,
        "assistant_id": "asst_1",
        "type": "message_creation",
        "status": "completed",
        "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1"}},
        "created_at": NOW + 1,
        **stamps,
    }


RUNS = {
    "run_ms": run("run_ms", completed_at=(NOW + 3) * 1000),  # milliseconds: a real server bug
    "run_huge": run("run_huge", completed_at=10**400, created_at=10**400),
    "run_e20": run("run_e20", completed_at=10**20),
}


def page(data: list[Any]) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": False}


def test_epoch_scales_and_rejects() -> None:
    assert epoch(NOW) == NOW
    assert epoch(NOW * 1000) == NOW  # milliseconds
    assert epoch(NOW * 1_000_000_000) == NOW  # nanoseconds
    assert epoch(10**400) is None and epoch(float("inf")) is None and epoch(0) is None
    assert epoch(-5) is None and epoch(True) is None and epoch("x") is None


def test_ticks_are_bounded_for_any_span() -> None:
    for span in (0.0, 0.5, 3, 400, 86_400, 2.5e8, 1e11, 1e300, float("inf")):
        assert 1 <= len(ticks(span)) <= MAX_TICKS, span


@pytest.fixture
def server() -> Any:
    with HostileServer() as hostile:
        hostile.route("GET", f"/threads/{THREAD}/runs", reply_json(page(list(RUNS.values()))))
        for run_id in RUNS:
            steps = [step(run_id, 0, completed_at=10**400), step(run_id, 1, completed_at=10**20)]
            hostile.route("GET", f"/threads/{THREAD}/runs/{run_id}/steps", reply_json(page(steps)))
        hostile.route("GET", f"/threads/{THREAD}/messages", reply_json(page([])))
        yield hostile


async def test_runs_with_hostile_timestamps_stay_and_draw(qapp: Any, server: HostileServer) -> None:
    async with hostile_env(server) as env:
        vm = InspectorViewModel(env.session)
        tree = StepTree(vm)
        timeline = RunTimeline(vm)
        timeline.resize(600, 200)
        vm.set_thread(THREAD)
        await until(lambda: len(vm.run_ids()) == 3, [vm.runs_reset], what="runs loaded")
        await env.idle()
        assert env.errors == []
        assert sorted(vm.run_ids()) == sorted(RUNS)
        # Every run and both of its steps are in the tree.
        assert tree.topLevelItemCount() == 3
        assert [tree.topLevelItem(i).childCount() for i in range(3)] == [2, 2, 2]
        for run_id in RUNS:
            record = vm.record(run_id)
            assert record is not None
            line = build_timeline(record, NOW + 10)
            assert 0 <= line.end - line.start < 60
            timeline.set_run(run_id)
            timeline.grab()  # paints; before the fix this hung (ms) or raised (10^400)
        ms = vm.timeline("run_ms")
        assert ms is not None and ms.end - ms.start == pytest.approx(3.0)


async def test_listed_threads_with_huge_timestamps_are_kept(qapp: Any) -> None:
    import time

    import httpx

    from playground.api import AssistantsClient, FoundryDialect
    from playground.api.auth import AccessToken
    from playground.connection.contract import Connection
    from playground.store.profiles import ConnectionProfile, ProfileKind
    from playground.ui.viewmodels.threads import ThreadsViewModel
    from tests.ui.support import make_env

    threads = [
        {"id": "thread_huge", "object": "thread", "created_at": 10**400},
        {"id": "thread_ms", "object": "thread", "created_at": NOW * 1000},
    ]
    with HostileServer() as server:
        project = f"http://127.0.0.1:{server.port}/api/projects/p"
        server.route("GET", "/api/projects/p/threads", reply_json(page(threads)))
        env = make_env()
        async with httpx.AsyncClient(timeout=10) as http:
            profile = ConnectionProfile(name="Lists threads", kind=ProfileKind.EMBEDDED)
            env.store.profiles.save(profile)

            class FixedToken:  # Entra stands outside this test: any token will do
                async def get_token(self) -> AccessToken:
                    return AccessToken("token", time.time() + 3600)

            tokens = FixedToken()
            client = AssistantsClient(http, FoundryDialect(project, tokens))
            env.session.set_connection(
                Connection(profile=profile, client=client, driver=None, can_list_threads=True)
            )
            vm = ThreadsViewModel(env.session)
            vm.reload()
            await env.idle()
            assert env.errors == []
            assert {t.thread_id for t in vm.threads} == {"thread_huge", "thread_ms"}
            env.runner.cancel_all()
            await env.runner.shutdown()
