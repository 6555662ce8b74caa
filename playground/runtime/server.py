"""The app factory: storage, file search, code interpreter, model and run engine behind
the HTTP routes, mounted under ``/v1`` (OpenAI style) and ``/openai`` (Azure style).

Every error leaves as the OpenAI error body — including unknown routes (404), wrong
methods (405) and crashes (500) — because SDKs parse that shape and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

from .auth import TokenAuth
from .code_interpreter import CodeInterpreter, Limits
from .concurrency import ConcurrencyCap
from .config import RuntimeConfig
from .crash_guard import CrashGuard
from .engine import RunEngine
from .errors import ApiError, DiskFull, is_disk_full
from .file_search import SearchIndex
from .model import ChatModel
from .model_choice import build_model as _build_model
from .model_choice import choose_model
from .routes import api_routes
from .routes.context import Context
from .store import Store

log = logging.getLogger(__name__)


def build_model(config: RuntimeConfig) -> ChatModel:
    """The engine's model: the endpoint, else the offline default, else a plain failure."""
    return _build_model(config)


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"Invalid URL ({request.method} {request.url.path})"
        code: str | None = "unknown_url"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}."
        code = "method_not_allowed"
    else:
        message, code = str(exc.detail), None
    return ApiError(exc.status_code, message, code=code).response()


async def _crash(_request: Request, exc: Exception) -> Response:
    if is_disk_full(exc):
        return DiskFull().response()
    log.error("unhandled error", exc_info=exc)
    return JSONResponse(
        ApiError(
            500, "The server had an error while processing your request.", code="server_error"
        ).body(),
        status_code=500,
    )


def _private_folder(path: Path) -> None:
    """Create the data folder readable by its owner only (0700), and tighten an old one."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)


def _private_files(config: RuntimeConfig) -> None:
    """Databases 0600 and the files folder 0700: threads, keys of runs, uploaded files."""
    for folder in (config.files_dir,):
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    for db in (config.db_path, config.search_db_path):
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = db.with_name(db.name + suffix)
            with contextlib.suppress(OSError):
                if candidate.exists():
                    os.chmod(candidate, 0o600)


def create_app(config: RuntimeConfig) -> Starlette:
    """Build the ASGI app; components start in the lifespan and stop cleanly with it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        _private_folder(config.data_dir)
        store = Store.open(
            config.db_path, config.files_dir, disk_reserve_bytes=config.disk_reserve_bytes
        )
        search = SearchIndex(config.search_db_path)
        _private_files(config)
        interpreter = CodeInterpreter(
            config.workspaces_dir,
            limits=Limits(),
            allow_unsafe=config.unsafe_code_interpreter,
        )
        # The thread-delete route stops the thread's kernel and removes its files.
        app.state.code_interpreter = interpreter
        choice = choose_model(config)
        model = _build_model(config, choice)
        engine = RunEngine(
            store,
            model,
            interpreter,
            search,  # type: ignore[arg-type]  # engine.ports.Hit declares mutable attrs; SearchHit is frozen
            run_expiry_seconds=config.run_expiry_seconds,
        )
        context = Context(
            config=config, store=store, engine=engine, search=search, model_id=choice.model_id
        )
        app.state.ctx = context
        await engine.recover()
        try:
            yield
        finally:
            await engine.aclose()
            for task in list(context.background):
                task.cancel()
            if context.background:
                await asyncio.gather(*context.background, return_exceptions=True)
            for closer in (interpreter.aclose, model.aclose, search.aclose):
                with contextlib.suppress(Exception):
                    await closer()
            store.close()

    routes = api_routes()
    app = Starlette(
        routes=[Mount("/v1", routes=routes), Mount("/openai", routes=routes)],
        # The cap counts every request, authenticated or not; CrashGuard sits inside the
        # auth check, so only authenticated requests reach it.
        middleware=[
            Middleware(ConcurrencyCap, limit=config.max_concurrency),
            Middleware(TokenAuth, token=config.token),
            Middleware(CrashGuard),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _crash,
        },
        lifespan=lifespan,
    )
    app.state.max_body_bytes = config.max_body_bytes  # read by body.read_json_body
    return app
