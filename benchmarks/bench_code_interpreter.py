"""Code-interpreter cost, sandboxed: cold starts, a warm cell, memory after 50 threads.

Run on demand: ``python -m benchmarks.bench_code_interpreter [--rounds N] [--threads N]``.

* first cell of a new session with the spare kernel warm (how the server runs: one
  spare is always pre-started), goal <= 100 ms;
* first cell with no spare at all (a full bubblewrap + kernel start), goal <= 1.5 s;
* warm cell: ``1 + 1`` in a session whose kernel is running, goal <= 50 ms;
* a real runtime process after ``--threads`` (50) threads each ran a cell through the
  API: the server's RSS and the total RSS of its kernel processes, which the cap on
  running kernels (4, plus the spare) keeps bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from playground.runtime.code_interpreter import MIB, CodeInterpreter, Limits
from tests.helpers.runtime_process import start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, code, text

COLD_GOAL_S = 1.5
SPARE_GOAL_S = 0.100
WARM_GOAL_S = 0.050


def _report(name: str, samples: list[float], goal: float) -> None:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))]
    print(
        f"{name:<28} n={len(ordered):<3} median={median * 1000:8.1f} ms  "
        f"p90={p90 * 1000:8.1f} ms  goal={goal * 1000:.0f} ms  "
        f"median/goal={median / goal:.2f}"
    )


async def _timed(ci: CodeInterpreter, session: str, code: str) -> float:
    started = time.perf_counter()
    result = await ci.execute(session, code)
    elapsed = time.perf_counter() - started
    if result.error:
        raise RuntimeError(f"benchmark cell failed: {result.error}")
    return elapsed


async def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ci = CodeInterpreter(Path(tmp) / "warm", limits=Limits(prewarm=True))
        try:
            await ci.warm_up()
            cold: list[float] = []
            for index in range(rounds):
                await ci.warm_up()  # the spare is ready again, as between real threads
                cold.append(await _timed(ci, f"cold_{index}", "1 + 1"))
                await ci.shutdown_session(f"cold_{index}")
            for _ in range(3):  # the first cells of a session pay one-off import costs
                await _timed(ci, "cold_warm", "1 + 1")
            warm = [await _timed(ci, "cold_warm", "1 + 1") for _ in range(rounds * 10)]
        finally:
            await ci.aclose()

        bare = CodeInterpreter(Path(tmp) / "bare", limits=Limits(prewarm=False))
        try:
            no_spare = []
            for index in range(max(3, rounds // 2)):
                no_spare.append(await _timed(bare, f"bare_{index}", "1 + 1"))
                await bare.shutdown_session(f"bare_{index}")
        finally:
            await bare.aclose()

    print(f"code interpreter sandbox: {ci.sandbox_description}")
    _report("first cell (spare warm)", cold, SPARE_GOAL_S)
    _report("cold start (no spare)", no_spare, COLD_GOAL_S)
    _report("warm trivial cell", warm, WARM_GOAL_S)


def _kernel_rss(server_pid: int) -> tuple[int, int]:
    """(number of kernel sandboxes, total RSS in bytes of every process in them)."""
    total, sandboxes = 0, 0
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            total += child.memory_info().rss
            if child.ppid() == server_pid:
                sandboxes += 1
        except psutil.NoSuchProcess:
            continue
    return sandboxes, total


def memory_after_threads(threads: int) -> None:
    """A real runtime: ``threads`` threads each run one cell; then measure RSS."""
    with tempfile.TemporaryDirectory() as tmp, ScriptedLLM() as llm:
        with start_runtime(Path(tmp) / "data", model_base_url=llm.base_url) as server:
            headers = {**server.headers, "OpenAI-Beta": "assistants=v2"}
            with httpx.Client(base_url=server.api_base, headers=headers, timeout=120) as http:
                assistant = http.post(
                    "/assistants", json={"model": "m", "tools": [{"type": "code_interpreter"}]}
                ).json()["id"]
                started = time.perf_counter()
                for index in range(threads):
                    llm.queue(code(f"import numpy\nx = numpy.ones(10**6) * {index}"), text("ok"))
                    thread = http.post("/threads", json={}).json()["id"]
                    run = http.post(
                        f"/threads/{thread}/runs", json={"assistant_id": assistant}
                    ).json()
                    while run["status"] in ("queued", "in_progress"):
                        time.sleep(0.05)
                        run = http.get(f"/threads/{thread}/runs/{run['id']}").json()
                    if run["status"] != "completed":
                        raise RuntimeError(f"run failed: {run.get('last_error')}")
                elapsed = time.perf_counter() - started
            server_rss = psutil.Process(server.process.pid).memory_info().rss
            sandboxes, kernel_rss = _kernel_rss(server.process.pid)
    print(
        f"{threads} threads ran code in {elapsed:.1f} s: server RSS {server_rss / MIB:.0f} MiB, "
        f"{sandboxes} kernel sandboxes alive (cap {Limits().max_kernels} + 1 spare), "
        f"kernel RSS total {kernel_rss / MIB:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="cold starts to time")
    parser.add_argument("--threads", type=int, default=50, help="threads for the RSS figure")
    args = parser.parse_args()
    asyncio.run(run(max(1, args.rounds)))
    memory_after_threads(max(1, args.threads))


if __name__ == "__main__":
    main()
