"""Code-interpreter latency: cold start of a session and a warm trivial cell.

Run on demand: ``python -m benchmarks.bench_code_interpreter [--rounds N]``.

* cold start: the first ``execute`` in a new session, with the spare kernel warm (how
  the server runs: it pre-starts one spare), goal <= 1.5 s. A start with no spare at
  all is printed too, for information.
* warm cell: ``1 + 1`` in a session whose kernel is running, goal <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from playground.runtime.code_interpreter import CodeInterpreter, Limits

COLD_GOAL_S = 1.5
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
    _report("cold start (spare warm)", cold, COLD_GOAL_S)
    _report("cold start (no spare)", no_spare, COLD_GOAL_S)
    _report("warm trivial cell", warm, WARM_GOAL_S)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="cold starts to time")
    args = parser.parse_args()
    asyncio.run(run(max(1, args.rounds)))


if __name__ == "__main__":
    main()
