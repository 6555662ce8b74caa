"""The run driver's share of a stream: folding deltas into snapshots and reporting events.

Run: ``.venv/bin/python -m benchmarks.bench_tracker [--kb 200] [--chunk 20] [--repeat 5]``.

The driver does this on the window's thread (the qasync loop) for every SSE event, before
the chat or the inspector sees anything, so its cost adds to theirs. The case that grows is
a long function-arguments stream: one step whose ``arguments`` get ``--chunk`` characters a
delta until they are ``--kb`` KB long. Printed: the median CPU time per delta over the last
tenth of the stream (where the step is largest) and for the whole stream, next to the goal.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

#: A stream at 500 deltas a second must leave the window most of each 2 ms.
GOAL_MS_PER_DELTA = 0.2


def _one_stream(kb: int, chunk: int) -> tuple[float, float]:
    """(median ms per delta over the last tenth, total seconds) for one stream."""
    from playground.protocol import RunStep
    from playground.protocol.deltas import RunStepDelta
    from playground.runs.tracker import RunTracker

    tracker = RunTracker()
    call: dict[str, Any] = {"id": "call_1", "type": "function"}
    call["function"] = {"name": "f", "arguments": "", "output": None}
    step = RunStep.model_validate(
        {
            "id": "step_1",
            "run_id": "run_1",
            "thread_id": "thread_1",
            "type": "tool_calls",
            "status": "in_progress",
            "step_details": {"type": "tool_calls", "tool_calls": [call]},
        }
    )
    tracker.on_step(step)
    count = kb * 1000 // chunk
    deltas = [
        RunStepDelta.model_validate(
            {
                "id": "step_1",
                "delta": {
                    "step_details": {
                        "type": "tool_calls",
                        "tool_calls": [
                            {"index": 0, "type": "function", "function": {"arguments": "x" * chunk}}
                        ],
                    }
                },
            }
        )
        for _ in range(count)
    ]
    times: list[float] = []
    for delta in deltas:
        start = time.process_time()
        tracker.on_step_delta(delta)
        times.append(time.process_time() - start)
    tail = times[-max(1, count // 10) :]
    # process_time ticks coarsely on some systems: the tail's mean is the honest median.
    return statistics.fmean(tail) * 1000, sum(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kb", type=int, default=200, help="argument size at the end")
    parser.add_argument("--chunk", type=int, default=20, help="characters per delta")
    parser.add_argument("--repeat", type=int, default=5, help="streams; medians are printed")
    args = parser.parse_args()
    results = [_one_stream(args.kb, args.chunk) for _ in range(args.repeat)]
    tail_ms = statistics.median(r[0] for r in results)
    total_s = statistics.median(r[1] for r in results)
    count = args.kb * 1000 // args.chunk
    print(f"{count} deltas of {args.chunk} characters to {args.kb} KB of arguments")
    print(f"  per delta, last tenth: {tail_ms:.3f} ms (goal {GOAL_MS_PER_DELTA} ms, ", end="")
    print(f"ratio {tail_ms / GOAL_MS_PER_DELTA:.2f})")
    print(f"  whole stream: {total_s:.2f} s of CPU ({total_s / count * 1000:.3f} ms per delta)")
    print("goal met" if tail_ms <= GOAL_MS_PER_DELTA else "GOAL MISSED")


if __name__ == "__main__":
    main()
