"""Runtime overhead per run, with a zero-latency scripted model.

Run: ``.venv/bin/python -m benchmarks.bench_runtime [--runs 50]``.

Starts the real runtime process on 127.0.0.1 and the scripted Chat Completions server, then
measures three things for each iteration:

- ``model``: one streamed chat completion straight to the scripted model (what the runtime
  itself must pay for the model call);
- ``stream run``: ``POST /threads/{id}/runs`` with ``stream: true`` until ``[DONE]``;
- ``create+poll``: ``POST /threads/{id}/runs`` then ``GET`` the run with no sleep until it
  is terminal (the fastest a polling client can observe completion).

Overhead = run time − model time (medians). Goal: ≤ 20 ms per run.

Wall-clock figures swing with whatever else the machine runs, so the server process's
CPU time per run (user + system, all threads) is printed too: it is the part of the
overhead the runtime itself spends, and it barely moves with machine load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tests.helpers.runtime_process import start_runtime
from tests.helpers.scripted_llm import ScriptedLLM

GOAL_MS = 20.0


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _p90_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1] * 1000


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _direct_model_call(llm: ScriptedLLM, client: httpx.Client) -> float:
    body = {
        "model": "bench",
        "stream": True,
        "messages": [{"role": "user", "content": "hello"}],
    }
    start = time.perf_counter()
    with client.stream("POST", llm.base_url + "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if line.strip() == "data: [DONE]":
                break
    return time.perf_counter() - start


def _stream_run(client: httpx.Client, thread_id: str, assistant_id: str) -> float:
    start = time.perf_counter()
    with client.stream(
        "POST",
        f"/threads/{thread_id}/runs",
        json={"assistant_id": assistant_id, "stream": True},
    ) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.strip() == "data: [DONE]":
                break
    return time.perf_counter() - start


def _poll_run(client: httpx.Client, thread_id: str, assistant_id: str) -> tuple[float, int]:
    start = time.perf_counter()
    run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    requests = 1
    while run["status"] in ("queued", "in_progress", "cancelling"):
        run = client.get(f"/threads/{thread_id}/runs/{run['id']}").json()
        requests += 1
    elapsed = time.perf_counter() - start
    if run["status"] != "completed":
        raise RuntimeError(f"run ended {run['status']}: {run.get('last_error')}")
    return elapsed, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        ScriptedLLM() as llm,
        start_runtime(Path(tmp) / "data", model_base_url=llm.base_url) as server,
        httpx.Client(
            base_url=server.api_base,
            headers={**server.headers, "OpenAI-Beta": "assistants=v2"},
            timeout=30,
        ) as client,
        httpx.Client(timeout=30) as raw,
    ):
        assistant = client.post("/assistants", json={"model": "bench", "name": "bench"}).json()
        server_process = psutil.Process(server.process.pid)
        model_times: list[float] = []
        stream_times: list[float] = []
        poll_times: list[float] = []
        poll_requests: list[int] = []
        stream_cpu: list[float] = []
        poll_cpu: list[float] = []
        for i in range(args.runs + 3):  # three warm-up iterations are discarded
            thread = client.post(
                "/threads", json={"messages": [{"role": "user", "content": f"hello {i}"}]}
            ).json()
            model = _direct_model_call(llm, raw)
            cpu_start = _cpu_seconds(server_process)
            streamed = _stream_run(client, thread["id"], assistant["id"])
            cpu_mid = _cpu_seconds(server_process)
            polled, requests = _poll_run(client, thread["id"], assistant["id"])
            cpu_end = _cpu_seconds(server_process)
            if i >= 3:
                model_times.append(model)
                stream_times.append(streamed)
                poll_times.append(polled)
                poll_requests.append(requests)
                stream_cpu.append(cpu_mid - cpu_start)
                poll_cpu.append(cpu_end - cpu_mid)

    model_ms = _median_ms(model_times)
    print(f"runs measured: {args.runs}")
    print(f"model call (direct)   median {model_ms:7.1f} ms   p90 {_p90_ms(model_times):7.1f} ms")
    for label, samples in (("stream run", stream_times), ("create+poll", poll_times)):
        overhead = _median_ms(samples) - model_ms
        print(
            f"{label:<21} median {_median_ms(samples):7.1f} ms   p90 {_p90_ms(samples):7.1f} ms"
            f"   overhead {overhead:6.1f} ms   ratio to goal {overhead / GOAL_MS:5.2f}"
        )
    print(f"create+poll requests per run: median {statistics.median(poll_requests):.0f}")
    # psutil's CPU clock ticks in 10 ms steps, so means (not medians) are meaningful here.
    print(
        f"server CPU per run (mean): stream run {statistics.fmean(stream_cpu) * 1000:.1f} ms, "
        f"create+poll {statistics.fmean(poll_cpu) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
