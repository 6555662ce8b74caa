"""Run every benchmark in turn: ``python -m benchmarks`` (or ``make bench``).

Each one prints its own figures and ratios to its goal; run one alone with
``python -m benchmarks.bench_NAME --help`` for its options.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "bench_runtime",
    "bench_polling",
    "bench_code_interpreter",
    "bench_file_search",
    "bench_startup",
    "bench_ingest_bomb",
    "bench_chat",
    "bench_inspector",
    "bench_tracker",
    "bench_hostile_client",
)


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        # Separate processes: each benchmark starts servers and kernels of its own, and a
        # start-up benchmark must not inherit modules another one imported.
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"])
        if code != 0:
            failed.append(f"{name} (exit {code})")
    if failed:
        print("\nfailed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
