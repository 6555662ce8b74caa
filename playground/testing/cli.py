"""``assistants-playground test SUITE.json`` — run a suite headless, for CI.

Exit codes: 0 every check passed; 1 a check failed or a run could not finish; 2 the command
could not test anything (bad arguments, an unreadable suite, an unknown profile or
assistant, no connection).

No Qt is imported on this path (a test runs it in a subprocess and checks ``sys.modules``),
so it works on a machine without a display.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from playground.api import APIConnectionError, AssistantsError

from .errors import TestingError
from .results import CaseRun, SuiteReport
from .suite import Suite, load_suite

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="assistants-playground test",
        description="Run a test suite against assistants, without the window.",
    )
    parser.add_argument("suite", type=Path, help="the suite file (JSON)")
    parser.add_argument(
        "--profile", help="connection profile name or id (default: the last used one)"
    )
    parser.add_argument(
        "--assistant",
        action="append",
        default=[],
        metavar="ID",
        help="assistant to test (repeatable; default: the suite's list)",
    )
    parser.add_argument("--repeat", type=int, metavar="K", help="run each case K times")
    parser.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report")
    parser.add_argument("--html", type=Path, metavar="PATH", help="write an HTML report")
    parser.add_argument(
        "--api-key-env",
        metavar="VARIABLE",
        help="read the profile's API key from this environment variable (not the keyring)",
    )
    parser.add_argument(
        "--log-level",
        default="ERROR",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="what the libraries log to stderr (default: ERROR; the command reports "
        "failures itself)",
    )
    return parser


def _configure_logging(level: str) -> None:
    """Log to stderr at ``level`` unless the caller (a test, an embedding program) set up
    logging already.

    Without this, Python's last-resort handler printed every warning, so a runtime that
    could not start was reported twice: the library's warning, then the command's message.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _line(run: CaseRun) -> str:
    mark = "PASS" if run.passed else "FAIL"
    head = f"{mark}  {run.assistant_name} · {run.case} [{run.repeat}]"
    lines = [head]
    for index, turn in enumerate(run.turns, start=1):
        for check in turn.checks:
            if not check.passed:
                lines.append(f"        turn {index}: {check.check} — {check.detail}")
        if turn.error:
            lines.append(f"        turn {index}: {turn.error}")
        if not turn.passed and turn.run_id:
            lines.append(f"        run {turn.run_id}")
    if run.error:
        lines.append(f"        {run.error}")
    return "\n".join(lines)


async def _run(args: argparse.Namespace, suite: Suite, out: TextIO) -> SuiteReport:
    from playground.store.store import open_store

    from .connect import connect, find_profile
    from .runner import SuiteRunner
    from .tool_answers import SavedFunctionModes

    store = await asyncio.to_thread(open_store)
    profile = find_profile(store, args.profile)
    async with connect(store, profile, api_key_env=args.api_key_env) as connected:
        print(f"Testing “{suite.name}” on {connected.description}", file=out, flush=True)
        modes = SavedFunctionModes(store.function_modes, profile.id)
        runner = SuiteRunner(connected.client, connected.driver, extra_sources=[modes])

        def progress(done: int, total: int, run: CaseRun) -> None:
            print(f"[{done}/{total}] {_line(run)}", file=out, flush=True)

        return await runner.run(
            suite, args.assistant or suite.assistants, repeat=args.repeat, on_progress=progress
        )


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_PASSED
    _configure_logging(args.log_level)
    if args.repeat is not None and not 1 <= args.repeat <= 100:
        print("--repeat must be between 1 and 100.", file=sys.stderr)
        return EXIT_USAGE
    try:
        suite = load_suite(args.suite)
        report = asyncio.run(_run(args, suite, stream))
    except APIConnectionError as exc:
        print(f"Could not reach the server: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except (TestingError, AssistantsError) as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_USAGE
    from .reports import html_report, junit_xml, write_report

    try:
        if args.junit:
            write_report(junit_xml(report), args.junit)
            print(f"JUnit report: {args.junit}", file=stream)
        if args.html:
            write_report(html_report(report), args.html)
            print(f"HTML report: {args.html}", file=stream)
    except TestingError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    print(report.summary(), file=stream, flush=True)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def console_main() -> int:
    """The ``assistants-playground-test`` console script (same as ``... test``)."""
    return main()


if __name__ == "__main__":
    sys.exit(main())
