"""``assistants-playground-server``: run the embedded Assistants runtime as a process.

Takes the data folder's lock first (see ``playground.folder_lock``): when another runtime
holds it, says so on stderr and exits with status 3. Then prints ``token: ...`` (only when
it generated the token), then ``model: ...`` (which model answers runs: ``NAME at URL``,
``offline SmolLM2-135M-Instruct (llama.cpp)`` or ``none (why)``), and last exactly one
``listening on http://HOST:PORT`` line once startup has finished; then serves until
SIGTERM/SIGINT (or, with ``--exit-with-parent``, until the parent is gone). Readers wait
for ``listening on``, so it stays the last line.
The model API key is read from the environment variable named by
``--model-api-key-env``, never from the command line (argv is visible to other users).
The server token comes from ``--token-file``, else ``$ASSISTANTS_PLAYGROUND_TOKEN``, else is
generated; ``--token`` still works but warns, for the same reason.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn

from ..folder_lock import EXIT_FOLDER_IN_USE, FolderInUse, lock_folder
from .config import (
    DEFAULT_DISK_RESERVE_BYTES,
    DEFAULT_HEADER_TIMEOUT_SECONDS,
    DEFAULT_KEEP_ALIVE_SECONDS,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_RUN_EXPIRY_SECONDS,
    TOKEN_ENV,
    RuntimeConfig,
    is_loopback_host,
)
from .log_dedupe import RepeatCollapser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="assistants-playground-server",
        description="A local Assistants-v2-compatible HTTP server.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (loopback only unless --allow-remote)"
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument(
        "--data-dir", required=True, type=Path, help="folder for the database and files"
    )
    parser.add_argument(
        "--token",
        default=None,
        help="API token clients must send; visible to other users in ps, so prefer "
        f"--token-file or ${TOKEN_ENV} (random if none is given)",
    )
    parser.add_argument(
        "--model-base-url", default=None, help="OpenAI-compatible Chat Completions base URL"
    )
    parser.add_argument("--model", default=None, help="model name sent to the model endpoint")
    parser.add_argument(
        "--model-api-key-env",
        default=None,
        help="name of the environment variable holding the model API key",
    )
    parser.add_argument(
        "--no-local-model",
        action="store_true",
        help="without --model-base-url, do not fall back to the bundled offline model "
        "(runs then fail saying no model is configured)",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow binding a non-loopback address"
    )
    parser.add_argument(
        "--run-expiry-seconds",
        type=int,
        default=DEFAULT_RUN_EXPIRY_SECONDS,
        help="seconds before an unanswered run expires (default 600)",
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=int,
        default=DEFAULT_MAX_UPLOAD_BYTES,
        help="largest accepted upload (default 512 MB)",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="shut down cleanly when the process that started this one is gone "
        "(the playground window passes it, so a killed window leaves no server behind)",
    )
    # -- code interpreter sandbox (issue 9) --
    parser.add_argument(
        "--unsafe-code-interpreter",
        action="store_true",
        help="where no sandbox is available (no working bubblewrap, macOS, Windows), run "
        "the code interpreter anyway WITHOUT isolation: model-written code can then read "
        "and change your files and use the network",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    add_hardening_args(parser)
    return parser.parse_args(argv)


# -- hostile-input limits and token sources (issue 14) ------------------------------------


def add_hardening_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--token-file",
        type=Path,
        default=None,
        help=f"read the API token from this file (first line); ${TOKEN_ENV} also works",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="largest accepted JSON request body (default 32 MiB; uploads have their own limit)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=DEFAULT_MAX_CONCURRENCY,
        help="requests in progress (streams included) before new requests get 503 "
        f"(default {DEFAULT_MAX_CONCURRENCY})",
    )
    parser.add_argument(
        "--keep-alive-seconds",
        type=int,
        default=DEFAULT_KEEP_ALIVE_SECONDS,
        help=f"close idle keep-alive connections after this long (default {DEFAULT_KEEP_ALIVE_SECONDS})",
    )
    parser.add_argument(
        "--header-timeout-seconds",
        type=int,
        default=DEFAULT_HEADER_TIMEOUT_SECONDS,
        help="close a connection that has not sent a request's headers within this long "
        f"(default {DEFAULT_HEADER_TIMEOUT_SECONDS})",
    )
    parser.add_argument(
        "--disk-reserve-bytes",
        type=int,
        default=DEFAULT_DISK_RESERVE_BYTES,
        help="disk space held back so deletes still work when the disk fills (default 8 MiB)",
    )


TOKEN_ON_ARGV_WARNING = (
    "warning: --token puts the token on the command line, where other users of this "
    f"machine can read it (ps, /proc). Use --token-file PATH or ${TOKEN_ENV} instead."
)


def resolve_token(args: argparse.Namespace) -> tuple[str, bool]:
    """The server token and whether it was generated here (then it is printed)."""
    if args.token and args.token_file:
        raise SystemExit("Give the token with --token or --token-file, not both.")
    if args.token:
        print(TOKEN_ON_ARGV_WARNING, file=sys.stderr, flush=True)
        return args.token, False
    if args.token_file:
        try:
            lines = args.token_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise SystemExit(f"Cannot read the token file {args.token_file}: {exc}.") from None
        token = lines[0].strip() if lines else ""
        if not token:
            raise SystemExit(f"The token file {args.token_file} is empty.")
        return token, False
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env, False
    return secrets.token_urlsafe(32), True


def hardening_settings(args: argparse.Namespace) -> dict[str, int]:
    """The limits as RuntimeConfig fields; SystemExit when one is out of range."""
    for flag, value in (
        ("--max-body-bytes", args.max_body_bytes),
        ("--max-concurrency", args.max_concurrency),
        ("--keep-alive-seconds", args.keep_alive_seconds),
        ("--header-timeout-seconds", args.header_timeout_seconds),
    ):
        if value < 1:
            raise SystemExit(f"{flag} must be at least 1.")
    if args.disk_reserve_bytes < 0:
        raise SystemExit("--disk-reserve-bytes must not be negative.")
    return {
        "max_body_bytes": args.max_body_bytes,
        "max_concurrency": args.max_concurrency,
        "keep_alive_seconds": args.keep_alive_seconds,
        "header_timeout_seconds": args.header_timeout_seconds,
        "disk_reserve_bytes": args.disk_reserve_bytes,
    }


def raise_open_file_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.

    Desktop sessions often start processes at 1,024 descriptors, which a burst of idle
    connections used up; the hard limit is usually far higher and ours to take.
    """
    try:
        import resource
    except ImportError:  # Windows
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def build_config(args: argparse.Namespace) -> RuntimeConfig:
    """Validate the arguments; raises SystemExit with a plain message when they are wrong."""
    if not args.allow_remote and not is_loopback_host(args.host):
        raise SystemExit(
            f"Refusing to listen on {args.host}: it is not a loopback address. "
            "Use --allow-remote to expose the server to other machines."
        )
    if not 0 <= args.port <= 65535:
        raise SystemExit(f"--port must be between 0 and 65535, got {args.port}.")
    if args.run_expiry_seconds < 1:
        raise SystemExit("--run-expiry-seconds must be at least 1.")
    if args.max_upload_bytes < 1:
        raise SystemExit("--max-upload-bytes must be at least 1.")
    api_key = None
    if args.model_api_key_env:
        api_key = os.environ.get(args.model_api_key_env)
        if not api_key:
            raise SystemExit(
                f"The environment variable {args.model_api_key_env} (from --model-api-key-env) is not set."
            )
    if args.model_base_url and not args.model:
        raise SystemExit("--model is required together with --model-base-url.")
    token, _generated = resolve_token(args)
    return RuntimeConfig(
        data_dir=args.data_dir.expanduser().resolve(),
        token=token,
        host=args.host,
        port=args.port,
        model_base_url=args.model_base_url,
        model=args.model,
        model_api_key=api_key,
        allow_remote=args.allow_remote,
        use_local_model=not args.no_local_model,
        run_expiry_seconds=args.run_expiry_seconds,
        max_upload_bytes=args.max_upload_bytes,
        **hardening_settings(args),
        unsafe_code_interpreter=args.unsafe_code_interpreter,
    )


def bind(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn so the real port (for --port 0) is known up front.

    The protocol must be IPPROTO_TCP explicitly: accepted sockets copy it, and asyncio only
    turns on TCP_NODELAY for sockets whose ``proto`` says TCP. With ``proto == 0`` every
    response waited ~40 ms for a delayed ACK (Nagle), which was most of a run's overhead.
    """
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # Linux also copies the listening socket's TCP_NODELAY to accepted sockets.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _AnnouncingServer(uvicorn.Server):
    """Prints the listening line only once startup (incl. recovery) has finished."""

    def __init__(self, config: uvicorn.Config, announce: str) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(self._announce, flush=True)


def _sandbox_line(config: RuntimeConfig) -> str:
    """``sandboxed (...)``, ``unsafe (...)`` or ``off (...)``: the window reads the first word."""
    from .code_interpreter import choose_isolation

    isolation = choose_isolation(allow_unsafe=config.unsafe_code_interpreter)
    return f"{isolation.mode.value} ({isolation.description})"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = build_config(args)
    # First, before the slow imports: a second runtime on this folder stops at once.
    try:
        data_lock = lock_folder(config.data_dir)
    except FolderInUse as busy:
        print(f"error: {busy.message}", file=sys.stderr, flush=True)
        return EXIT_FOLDER_IN_USE
    except OSError as exc:
        raise SystemExit(
            f"The data folder {config.data_dir} cannot be used: {exc.strerror or exc}."
        ) from None
    try:
        return _serve(args, config)
    finally:
        data_lock.release()


def _serve(args: argparse.Namespace, config: RuntimeConfig) -> int:
    generated_token = not (args.token or args.token_file or os.environ.get(TOKEN_ENV, "").strip())
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatCollapser())
    open_files = raise_open_file_limit()
    from .http_protocol import protocol_with_header_timeout
    from .model_choice import choose_model  # heavy imports only after the arguments are valid
    from .server import create_app

    sock = bind(config.host, config.port)
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    if generated_token:
        print(f"token: {config.token}", flush=True)
    print(f"model: {choose_model(config).description}", flush=True)
    print(f"code interpreter: {_sandbox_line(config)}", flush=True)
    if open_files > 256:
        # Keep room for the database, files and extraction children below the fd limit.
        config = dataclasses.replace(
            config, max_concurrency=min(config.max_concurrency, open_files - 128)
        )
    server = _AnnouncingServer(
        uvicorn.Config(
            create_app(config),
            log_level=args.log_level,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
            http=protocol_with_header_timeout(config.header_timeout_seconds),
            timeout_keep_alive=config.keep_alive_seconds,
            # No limit_concurrency: its 503 is plain text; the app's ConcurrencyCap answers
            # in the API's error shape instead.
            # uvicorn configures its own loggers; let their records reach the collapser too.
            log_config=None,
        ),
        f"listening on http://{shown_host}:{port}",
    )
    # uvicorn re-raises the stop signal after its graceful shutdown; with these no-op
    # handlers in place that re-raise is absorbed and a requested stop exits with 0.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: None)
    if args.exit_with_parent:
        watch_parent(server)
    asyncio.run(server.serve(sockets=[sock]))
    return 0


PARENT_POLL_S = 1.0
_PR_SET_PDEATHSIG = 1


def watch_parent(server: uvicorn.Server, poll_s: float = PARENT_POLL_S) -> threading.Thread:
    """Ask ``server`` to shut down gracefully once our parent process is gone.

    POSIX re-parents an orphan (to init or a subreaper), so a changed ``os.getppid()`` means
    the parent died, however it died (SIGKILL included). On Linux the kernel is also asked
    to send SIGTERM at once (PR_SET_PDEATHSIG), which uvicorn handles as a normal stop; that
    is set here rather than in the parent's ``preexec_fn``, which is unsafe in a process
    with threads such as the Qt app. On Windows ``getppid`` does not change when the parent
    exits, so this watch does nothing there; the app's own shutdown stops the runtime.
    """
    parent = os.getppid()
    _ask_kernel_for_parent_death_signal()

    def watch() -> None:
        while not server.should_exit:
            if os.getppid() != parent:
                logging.getLogger(__name__).warning(
                    "The parent process %s is gone; shutting down.", parent
                )
                # uvicorn's main loop polls this flag; a plain bool store is thread-safe.
                server.should_exit = True
                return
            time.sleep(poll_s)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def _ask_kernel_for_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the polling watch still covers it


if __name__ == "__main__":
    sys.exit(main())
