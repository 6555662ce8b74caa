"""How quickly the run driver sees a run finish, polling versus streaming, and at what cost.

Run: ``.venv/bin/python -m benchmarks.bench_polling [--runs 5]``.

Starts the real runtime and the scripted Chat Completions server. For model "thinking"
times of 0.05 s, 0.5 s and 3 s it follows runs with the driver in both modes and reports
the median time from ``create_run`` to the terminal event, the extra latency polling adds
over streaming, and how many HTTP requests the poller made (each poll is three: the run,
its steps, its messages). The driver honours the server's ``openai-poll-after-ms`` (the
embedded runtime says 200 ms), so polling should add about one such interval, never
more than ~0.3 s, however long the run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from playground.api import AssistantsClient, OpenAIDialect, RequestLogEntry
from playground.runs import RunDriver
from tests.helpers.runtime_process import start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, text

DELAYS = (0.05, 0.5, 3.0)


async def _one(
    client: AssistantsClient, llm: ScriptedLLM, delay: float, stream: bool, log: list[object]
) -> tuple[float, int]:
    assistant = await client.assistants.create({"model": "bench", "name": "bench"})
    thread = await client.threads.create()
    await client.messages.create(thread.id, {"role": "user", "content": "hi"})
    llm.queue(text("done", delay=delay))
    log.clear()
    started = time.perf_counter()
    session = await RunDriver(client, prefer_stream=stream).create_run(thread.id, assistant.id)
    async for _ in session.events():
        pass
    return time.perf_counter() - started, len(log)


async def _measure(api_base: str, token: str, llm: ScriptedLLM, runs: int) -> None:
    log: list[RequestLogEntry] = []
    async with httpx.AsyncClient(timeout=30) as http:
        client = AssistantsClient(http, OpenAIDialect(api_base, token), on_request=log.append)
        print(
            f"{'model delay':>11}  {'stream':>9}  {'poll':>9}  {'extra':>8}  {'poll requests':>13}"
        )
        for delay in DELAYS:
            streamed: list[float] = []
            polled: list[float] = []
            requests: list[int] = []
            for _ in range(runs):
                streamed.append((await _one(client, llm, delay, True, log))[0])  # type: ignore[arg-type]
                seconds, count = await _one(client, llm, delay, False, log)  # type: ignore[arg-type]
                polled.append(seconds)
                requests.append(count)
            s_ms = statistics.median(streamed) * 1000
            p_ms = statistics.median(polled) * 1000
            print(
                f"{delay:>10.2f}s  {s_ms:>7.0f}ms  {p_ms:>7.0f}ms  {p_ms - s_ms:>6.0f}ms  "
                f"{statistics.median(requests):>13.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with (
            ScriptedLLM() as llm,
            start_runtime(Path(tmp) / "data", model_base_url=llm.base_url) as rt,
        ):
            asyncio.run(_measure(rt.api_base, rt.token or "", llm, args.runs))


if __name__ == "__main__":
    main()
