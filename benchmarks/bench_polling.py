"""How quickly a finished run is noticed, and at what cost: the run driver polling, the
driver streaming, and the official SDK's ``create_and_poll``, all on the real runtime.

Run: ``.venv/bin/python -m benchmarks.bench_polling [--runs 5] [--delay 2] [--hints 200,150,100]``

Starts the real runtime process and the scripted Chat Completions server (tests/helpers).
Each run's model reply is scripted to take ``--delay`` seconds plus a random
0..``--jitter`` (so the end falls anywhere between two polls, as in real use), so every
run lasts about that long. Per run and per client it measures:

* **detection latency**: from the moment the scripted model finished sending its reply to
  the moment the client knows the run is over (the driver yields ``RunCompleted``;
  ``create_and_poll`` returns). The server's ``completed_at`` has whole-second resolution,
  useless at this scale, and the model's last byte is the last thing the run waits on, so
  it is the honest start of the clock. The latency therefore includes the runtime's own
  work after the reply (saving the message and step, completing the run): the streamed
  figure shows that floor, since a stream is told at once.
* **requests**: every HTTP request the client sent for the run, creation included
  (counted in the transport, so retries would count too).

The runtime answers ``openai-poll-after-ms: 200`` and both pollers honour it. To see what
another value would give without touching the runtime, ``--hints`` rewrites the header in
both clients' transports (``served`` = leave it as the runtime sent it); the table then
shows, per hint, the medians and the driver-to-SDK request ratio. The goals (issue #4): median
latency ≤ 100 ms after completion, requests ≤ 1.5x the SDK's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import httpx2
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from playground.api import AssistantsClient, OpenAIDialect
from playground.runs import RunCompleted, RunDriver
from tests.helpers.runtime_process import start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, text

HINT_HEADER = "openai-poll-after-ms"
_RUN_PATH = re.compile(r"/runs/run_[^/]+$")


class TimedLLM(ScriptedLLM):
    """The scripted model, noting when each reply's last byte was handed to the server."""

    def __init__(self) -> None:
        super().__init__()
        self.reply_ends: list[float] = []

    def __enter__(self) -> TimedLLM:
        self.start()
        return self

    async def _chat(self, request: Request) -> Response:
        response = await super()._chat(request)
        if isinstance(response, StreamingResponse):
            response.body_iterator = self._timed(response.body_iterator)
        else:
            self.reply_ends.append(time.perf_counter())
        return response

    async def _timed(self, chunks: Any) -> Any:
        async for chunk in chunks:
            yield chunk
        self.reply_ends.append(time.perf_counter())


@dataclass
class Counter:
    """Requests seen by a transport; ``hint_ms`` replaces the server's poll hint if set."""

    hint_ms: int | None = None
    requests: int = 0
    #: When the last answer to ``GET .../runs/{id}`` (a poll of the run) arrived.
    last_run_read: float = 0.0

    def rewrite(self, headers: Any) -> None:
        if self.hint_ms is not None and HINT_HEADER in headers:
            headers[HINT_HEADER] = str(self.hint_ms)


class AsyncCounting(httpx.AsyncBaseTransport):
    def __init__(self, counter: Counter) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._counter = counter

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._counter.requests += 1
        response = await self._inner.handle_async_request(request)
        self._counter.rewrite(response.headers)
        if request.method == "GET" and _RUN_PATH.search(request.url.path):
            self._counter.last_run_read = time.perf_counter()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class SyncCounting(httpx2.BaseTransport):
    """The same for the SDK, which ships its own httpx fork (``httpx2``)."""

    def __init__(self, counter: Counter) -> None:
        self._inner = httpx2.HTTPTransport()
        self._counter = counter

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self._counter.requests += 1
        response = self._inner.handle_request(request)
        self._counter.rewrite(response.headers)
        return response

    def close(self) -> None:
        self._inner.close()


@dataclass
class Samples:
    latency_ms: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)

    def add(self, latency_s: float, requests: int) -> None:
        self.latency_ms.append(latency_s * 1000)
        self.requests.append(requests)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latency_ms)

    @property
    def median_requests(self) -> float:
        return statistics.median(self.requests)


@dataclass
class Bench:
    llm: TimedLLM
    client: AssistantsClient
    sdk: Any
    counter: Counter
    delay: float
    assistant_id: str = ""
    #: Driver polling only: from the run read that saw the end to the terminal event
    #: (the steps and messages read the driver does before reporting the end).
    finish_ms: list[float] = field(default_factory=list)

    async def thread(self) -> str:
        thread = await self.client.threads.create()
        await self.client.messages.create(thread.id, {"role": "user", "content": "hi"})
        return thread.id

    def _reply_end(self, before: int) -> float:
        if len(self.llm.reply_ends) != before + 1:
            raise RuntimeError("the run did not make exactly one model call")
        return self.llm.reply_ends[-1]

    async def driver_run(self, stream: bool) -> tuple[float, int]:
        thread_id = await self.thread()
        self.llm.queue(text("done", delay=self.delay))
        before, self.counter.requests = len(self.llm.reply_ends), 0
        driver = RunDriver(self.client, prefer_stream=stream)
        session = await driver.create_run(thread_id, self.assistant_id)
        seen = 0.0
        async for event in session.events():
            if isinstance(event, RunCompleted):
                seen = time.perf_counter()
        if not seen:
            raise RuntimeError(f"the run ended as {session.run and session.run.status}")
        if not stream:
            self.finish_ms.append((seen - self.counter.last_run_read) * 1000)
        return seen - self._reply_end(before), self.counter.requests

    async def sdk_run(self) -> tuple[float, int]:
        thread_id = await self.thread()
        self.llm.queue(text("done", delay=self.delay))
        before, self.counter.requests = len(self.llm.reply_ends), 0
        run = await asyncio.to_thread(
            self.sdk.beta.threads.runs.create_and_poll,
            thread_id=thread_id,
            assistant_id=self.assistant_id,
        )
        seen = time.perf_counter()
        if run.status != "completed":
            raise RuntimeError(f"the SDK's run ended as {run.status}")
        return seen - self._reply_end(before), self.counter.requests


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


async def _measure(api_base: str, token: str, llm: TimedLLM, args: argparse.Namespace) -> None:
    import openai

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    counter = Counter()
    rng = random.Random(args.seed)
    async with httpx.AsyncClient(transport=AsyncCounting(counter), timeout=30) as http:
        sdk_http = httpx2.Client(transport=SyncCounting(counter), timeout=30)
        sdk = openai.OpenAI(base_url=api_base, api_key=token, max_retries=0, http_client=sdk_http)
        bench = Bench(
            llm, AssistantsClient(http, OpenAIDialect(api_base, token)), sdk, counter, args.delay
        )
        bench.assistant_id = (
            await bench.client.assistants.create({"model": "bench", "name": "bench"})
        ).id
        print(f"model reply takes {args.delay:.2f} s; {args.runs} runs per cell; medians\n")
        head = (
            f"{'hint':>7}  {'stream':>8}  {'driver':>8}  {'SDK':>8}  "
            f"{'driver req':>10}  {'SDK req':>7}  {'req ratio':>9}"
        )
        print(head)
        print("-" * len(head))
        for hint in args.hints:
            counter.hint_ms = hint
            streamed, polled, official = Samples(), Samples(), Samples()
            jobs: list[tuple[Samples, Callable[[], Any]]] = [
                (streamed, lambda: bench.driver_run(True)),
                (polled, lambda: bench.driver_run(False)),
                (official, bench.sdk_run),
            ]
            bench.finish_ms.clear()
            for _ in range(args.runs):
                # A random extra, the same for the three clients: real runs do not end in
                # step with the poll rhythm, and a fixed length would always end at the
                # same point between two polls.
                bench.delay = args.delay + rng.uniform(0, args.jitter)
                for samples, job in jobs:
                    samples.add(*await job())
            label = "served" if hint is None else f"{hint}ms"
            print(
                f"{label:>7}  {streamed.median_ms:>6.0f}ms  {polled.median_ms:>6.0f}ms  "
                f"{official.median_ms:>6.0f}ms  {polled.median_requests:>10.0f}  "
                f"{official.median_requests:>7.0f}  "
                f"{_ratio(polled.median_requests, official.median_requests):>9}"
            )
            if args.verbose:
                print(f"         driver latencies: {[round(x) for x in polled.latency_ms]}")
                print(f"         SDK latencies:    {[round(x) for x in official.latency_ms]}")
                print(f"         driver requests:  {polled.requests}  SDK: {official.requests}")
                print(f"         driver end-read:  {[round(x) for x in bench.finish_ms]} ms")
        sdk_http.close()
    print(
        "\nstream = the driver streaming (the runtime's own finishing time, the floor);"
        "\ndriver = the driver polling; SDK = openai create_and_poll (run only, no messages)."
        f"\ndriver end-read median: {statistics.median(bench.finish_ms):.0f} ms (last hint): "
        "the steps + messages read between seeing the end and reporting it."
    )


def _hints(value: str) -> list[int | None]:
    out: list[int | None] = []
    for part in value.split(","):
        part = part.strip()
        if part == "served":
            out.append(None)
        elif part.isdigit() and int(part) > 0:
            out.append(int(part))
        else:
            raise argparse.ArgumentTypeError(f"{part!r} is not a number of ms or 'served'")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per client and hint")
    parser.add_argument("--delay", type=float, default=2.0, help="model reply time (s)")
    parser.add_argument(
        "--hints",
        type=_hints,
        default=[None, 150, 100],
        help="comma-separated poll hints in ms to try, or 'served' (default: served,150,100)",
    )
    parser.add_argument(
        "--jitter", type=float, default=0.2, help="random extra reply time, 0..JITTER s"
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--verbose", action="store_true", help="print every sample")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        with (
            TimedLLM() as llm,
            start_runtime(Path(tmp) / "data", model_base_url=llm.base_url) as rt,
        ):
            asyncio.run(_measure(rt.api_base, rt.token, llm, args))


if __name__ == "__main__":
    main()
