"""Composition root: QApplication + qasync loop, the store, the embedded runtime, the session,
the view models and the main window.

Start-up order is chosen for a fast first paint (goal: within 1.3× of a bare PySide6
window, ``benchmarks.bench_startup``): only PySide6 and the window module are imported before
a light shell of the window shows (no argparse unless there are arguments, no dataclasses,
no message bridge); the toolbar and panes are built right after its first paint; asyncio,
qasync, the store (SQLite, pydantic), the api client (httpx) and the runtime child process
come after that, from a task on the loop; markdown-it and pygments are warmed up once the
app is idle. ``python -m playground`` and the ``assistants-playground`` script land in
:func:`main`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtCore import QTimer

    from playground.connection.embedded import EmbeddedRuntime
    from playground.connector import AppConnector
    from playground.store.store import Store
    from playground.ui.dialogs.connection_dialog import ConnectionDialog
    from playground.ui.dialogs.testing_window import TestingWindow
    from playground.ui.main_window import MainWindow
    from playground.ui.messages import MessageBridge
    from playground.ui.tasks import TaskRunner
    from playground.ui.viewmodels.assistants import AssistantsViewModel
    from playground.ui.viewmodels.chat import ChatViewModel
    from playground.ui.viewmodels.connection import ConnectionViewModel
    from playground.ui.viewmodels.last_place import PlaceKeeper
    from playground.ui.viewmodels.session import Session
    from playground.ui.viewmodels.threads import ThreadsViewModel
    from playground.ui.widgets.chat_outputs import ChatOutputs
    from playground.ui.widgets.chat_pane import ChatPane
    from playground.ui.widgets.inspector_pane import InspectorParts

log = logging.getLogger("playground")

SHUTDOWN_GRACE_S = 5.0
SMOKE_TIMEOUT_S = 90.0


class Parts:
    """Everything bootstrap built, for wiring and for tests.

    A plain class, not a dataclass: ``dataclasses`` is not imported before the first paint.
    The optional panes stay ``None`` when they failed to build (the chat still works).
    """

    def __init__(
        self,
        store: Store,
        embedded: EmbeddedRuntime,
        connector: AppConnector,
        session: Session,
        connection_vm: ConnectionViewModel,
        threads_vm: ThreadsViewModel,
        chat_vm: ChatViewModel,
        chat_pane: ChatPane,
        place: PlaceKeeper,
    ) -> None:
        self.store = store
        self.embedded = embedded
        self.connector = connector
        self.session = session
        self.connection_vm = connection_vm
        self.threads_vm = threads_vm
        self.chat_vm = chat_vm
        self.chat_pane = chat_pane
        self.place = place
        self.assistants_vm: AssistantsViewModel | None = None
        self.inspector: InspectorParts | None = None
        #: The chat's thumbnails and file links, from the inspector's outputs.
        self.chat_outputs: ChatOutputs | None = None


class PlaygroundApp:
    """Builds and wires the app around an already-shown window; shuts it all down."""

    def __init__(self, window: MainWindow, bridge: MessageBridge, runner: TaskRunner) -> None:
        self.window = window
        self.bridge = bridge
        self.runner = runner
        self.parts: Parts | None = None
        self._dialog: ConnectionDialog | None = None
        self._testing: TestingWindow | None = None
        #: After start-up, move what exists to the GC's permanent generation (``main`` sets
        #: it; a test process, which builds many apps, must not keep them all forever).
        self.freeze_after_start = False

    async def bootstrap(self, store: Store | None = None, *, connect: bool = True) -> Parts:
        """Open the store, build the view models and panes, reopen the last connection."""
        from playground.connection.embedded import EmbeddedRuntime, EmbeddedRuntimeError
        from playground.connector import AppConnector, ConnectionProblem
        from playground.store.store import open_store
        from playground.ui.messages import register_title
        from playground.ui.viewmodels.chat import ChatViewModel
        from playground.ui.viewmodels.connection import ConnectionViewModel
        from playground.ui.viewmodels.last_place import PlaceKeeper
        from playground.ui.viewmodels.session import Session
        from playground.ui.viewmodels.threads import ThreadsViewModel
        from playground.ui.widgets.chat_pane import ChatPane

        register_title(EmbeddedRuntimeError, "The embedded runtime did not start")
        register_title(ConnectionProblem, "The connection is not set up yet")

        if store is None:
            store = await self.runner.run_blocking(open_store)
        embedded = EmbeddedRuntime()
        connector = AppConnector(store, embedded, credential_prompt=self.bridge.post_notice)
        session = Session(store, self.runner, self.bridge, connector, parent=self.window)
        connection_vm = ConnectionViewModel(session, parent=self.window)
        threads_vm = ThreadsViewModel(session, parent=self.window)
        chat_vm = ChatViewModel(session, threads_vm, parent=self.window)
        # Reopens the last thread and assistant after (re)connecting; built after the thread
        # list and the chat so its client_changed slot runs after theirs.
        place = PlaceKeeper(session, threads_vm, chat_vm, parent=chat_vm)
        chat_pane = ChatPane(chat_vm, threads_vm)
        parts = Parts(
            store,
            embedded,
            connector,
            session,
            connection_vm,
            threads_vm,
            chat_vm,
            chat_pane,
            place,
        )
        self.parts = parts

        self.window.set_chat_pane(chat_pane)
        self._install_optional_panes(parts)
        self.window.balance_panes()
        self._connect_signals(parts)
        if connect:
            await connection_vm.open_last()
        else:
            await connection_vm.load_async()
        self._warm_up_when_idle()
        return parts

    def _warm_up_when_idle(self) -> None:
        """Import and build the Markdown renderer a step at a time once start-up is done.

        Off the start-up path, but before the first message needs them: each step is one
        short turn of the event loop, so nothing the person does waits long behind it.
        """
        from PySide6.QtCore import QTimer

        from playground.ui import markdown

        steps: list[Callable[[], object]] = [
            lambda: markdown._parser(True),
            lambda: markdown._parser(False),
            markdown._formatter,
            lambda: markdown._lexer("python"),
            markdown.warm_up,
        ]
        if self.freeze_after_start:
            steps.append(_freeze_startup_objects)

        def next_step() -> None:
            if steps:
                try:
                    steps.pop(0)()
                except Exception as exc:  # a warm-up is an optimisation, never an error
                    log.debug("Warm-up step failed: %s", exc)
                QTimer.singleShot(20, next_step)

        QTimer.singleShot(200, next_step)

    def _install_optional_panes(self, parts: Parts) -> None:
        """Build the assistant and inspector panes; wiring is :meth:`_connect_signals`' job.

        They come from other modules of the ui package; a failure there must not take the
        chat down with it, so each is built in its own ``try`` and left ``None`` on failure.
        """
        try:
            from playground.ui.viewmodels.assistants import AssistantsViewModel
            from playground.ui.widgets.assistant_pane import AssistantPane

            assistants_vm = AssistantsViewModel(parts.session, parent=self.window)
            self.window.set_left_pane(AssistantPane(assistants_vm))
            parts.assistants_vm = assistants_vm
        except Exception as exc:
            log.warning("The assistant pane is not available: %s", exc)
            self.window.set_left_pane_message(f"The assistant pane could not load: {exc}")
        try:
            from playground.ui.widgets.chat_outputs import ChatOutputs
            from playground.ui.widgets.inspector_pane import install_inspector

            inspector = install_inspector(
                self.window.inspector_tabs, parts.session, parent=self.window
            )
            parts.inspector = inspector
            # Thumbnails and file links in the chat, from the same outputs the gallery shows.
            parts.chat_outputs = ChatOutputs(
                parts.chat_vm, inspector.outputs_vm, inspector.actions, parent=self.window
            )
            parts.chat_pane.messages.set_outputs(parts.chat_outputs)
        except Exception as exc:
            log.warning("The inspector is not available: %s", exc)

    def _connect_signals(self, parts: Parts) -> None:
        """All wiring between the window, the panes' view models and the runtime.

        The one place where one part learns of another's signals (DESIGN.md: "all window
        wiring in one ``_connect_signals()``"): panes and view models are built knowing only
        their own models, so a pane can be built, replaced or left out (it failed to load)
        without the others changing.
        """
        window, session, cvm, chat = self.window, parts.session, parts.connection_vm, parts.chat_vm
        cvm.profiles_changed.connect(self.on_connection_profiles_changed)
        cvm.current_changed.connect(window.set_current_profile)
        session.state_changed.connect(self.on_session_state_changed)
        session.model_problem_changed.connect(self.on_session_model_problem_changed)
        session.profile_changed.connect(self.on_session_profile_changed)
        window.profile_selected.connect(cvm.select)
        window.connections_requested.connect(self.on_window_connections_requested)
        window.testing_requested.connect(self.on_window_testing_requested)
        window.closing.connect(self.on_window_closing)
        parts.embedded.add_failure_listener(self.on_embedded_failed)
        # The thread list owns the current thread; the chat shows it, then the place keeper
        # writes down where the person is (after the chat took on the thread's assistant).
        parts.threads_vm.current_changed.connect(chat.on_threads_current_changed)
        parts.threads_vm.current_changed.connect(parts.place.on_place_changed)
        chat.assistant_changed.connect(parts.place.on_place_changed)
        if parts.assistants_vm is not None:
            # The assistant chosen on the left runs in the chat; a thread's own assistant
            # shows on the left.
            parts.assistants_vm.selected_changed.connect(chat.set_assistant)
            chat.assistant_changed.connect(self.on_chat_assistant_changed)
        inspector = parts.inspector
        if inspector is not None:
            # The inspector follows the chat's thread and its live run events; a step's
            # message link scrolls the chat; tool outputs say who supplied them.
            ivm = inspector.inspector_vm
            chat.run_event.connect(ivm.on_chat_run_event)
            chat.thread_changed.connect(ivm.on_chat_thread_changed)
            chat.tool_output_supplied.connect(ivm.set_tool_output_source)
            ivm.scroll_to_message_requested.connect(chat.scroll_to_message)
            inspector.actions.notice.connect(self.bridge.post_notice)
            if chat.thread_id:
                ivm.set_thread(chat.thread_id)

    # -- slots ----------------------------------------------------------------------------

    def on_connection_profiles_changed(self) -> None:
        assert self.parts is not None
        cvm = self.parts.connection_vm
        self.window.set_profiles([(p.id, p.name) for p in cvm.profiles], cvm.current_id)

    def on_session_state_changed(self, state: str) -> None:
        from playground.store.profiles import ProfileKind

        assert self.parts is not None
        session, embedded = self.parts.session, self.parts.embedded
        profile = session.profile
        on_embedded = profile is not None and profile.kind is ProfileKind.EMBEDDED
        headline, info = connection_summary(
            state,
            session.state_detail,
            on_embedded=on_embedded and embedded.is_running,
            base_url=embedded.base_url,
            model_description=embedded.model_description,
        )
        problem = session.model_problem if state == "connected" else ""
        if problem:
            # Connected to the server, but its model is down: say that first, in red.
            headline, info = f"Model endpoint unreachable · {headline}", problem
        self.window.set_connection_text(headline, ok=state != "failed" and not problem)
        self.window.set_info(info)
        self.window.set_unsafe_code_notice(
            on_embedded and embedded.is_running and embedded.code_interpreter_unsafe
        )
        self.window.statusBar().showMessage(headline, 8000)

    def on_session_model_problem_changed(self, _problem: str) -> None:
        assert self.parts is not None
        self.on_session_state_changed(self.parts.session.state.value)

    def on_session_profile_changed(self, profile: object) -> None:
        from playground.store.profiles import ConnectionProfile, ProfileKind
        from playground.ui.viewmodels.connection import FOUNDRY_RETIREMENT_NOTE

        foundry = isinstance(profile, ConnectionProfile) and profile.kind is ProfileKind.FOUNDRY
        self.window.set_note(FOUNDRY_RETIREMENT_NOTE if foundry else "")

    def on_chat_assistant_changed(self, assistant_id: object) -> None:
        """The chat runs another assistant (a thread's own): show it in the left pane too.

        Also brings in an assistant created elsewhere (another tool, the API), which the
        list has not seen yet.
        """
        assert self.parts is not None
        vm = self.parts.assistants_vm
        if vm is None or not isinstance(assistant_id, str) or not assistant_id:
            return
        if vm.selected_id == assistant_id:
            return
        if vm.editor.is_dirty:
            # Never throw away edits the person has not saved; the list stays where it is.
            self.bridge.post_notice(
                f"The chat now runs {assistant_id}; save or revert your edits to see it here."
            )
            return
        self.runner.start(
            "assistants.select",
            self._select_assistant(assistant_id),
            label="Showing the thread's assistant",
        )

    async def _select_assistant(self, assistant_id: str) -> None:
        from playground.api.errors import NotFoundError

        assert self.parts is not None
        vm = self.parts.assistants_vm
        assert vm is not None  # only started when the assistant pane exists
        try:
            await vm.select_async(assistant_id)
        except NotFoundError:
            self.bridge.post_notice(
                f"The assistant {assistant_id} no longer exists; choose one on the left."
            )
            self.parts.chat_vm.set_assistant(vm.selected_id)

    def on_embedded_failed(self, reason: str) -> None:
        assert self.parts is not None
        self.parts.session.mark_failed(reason.split("\n", 1)[0])

    def on_window_connections_requested(self) -> None:
        from playground.ui.dialogs.connection_dialog import ConnectionDialog

        assert self.parts is not None
        if self._dialog is None:
            self._dialog = ConnectionDialog(self.parts.connection_vm, parent=self.window)
        self._dialog.open_for(self.parts.session.profile_id)

    def on_window_testing_requested(self) -> None:
        from playground.ui.dialogs.testing_window import open_testing_window

        assert self.parts is not None
        parts = self.parts
        self._testing = open_testing_window(
            self._testing,
            parts.session,
            chat_vm=parts.chat_vm,
            assistants_vm=parts.assistants_vm,
            inspector_vm=parts.inspector.inspector_vm if parts.inspector else None,
            parent=self.window,
        )

    def on_window_closing(self) -> None:
        # Stop any run's task now, so nothing keeps talking to a runtime about to stop.
        self.runner.cancel_all()

    # -- shutdown -------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop runs, close the connection, stop the runtime. Safe to call twice."""
        import asyncio

        parts = self.parts
        if parts is not None:
            try:
                await parts.chat_vm.flush_draft()
            except Exception as exc:  # losing a draft must not keep a runtime alive
                log.warning("Could not save the draft at exit: %s", type(exc).__name__)
        # Cancel first so nothing is mid-request when the connection closes under it.
        self.runner.cancel_all()
        try:
            async with asyncio.timeout(SHUTDOWN_GRACE_S):
                await self.runner.wait_idle()
        except TimeoutError:
            log.warning("Background work did not stop within %s s.", SHUTDOWN_GRACE_S)
        if parts is not None:
            await parts.session.close_connection()
        await self.runner.shutdown(SHUTDOWN_GRACE_S)
        if parts is not None:
            await parts.embedded.stop()


def _freeze_startup_objects() -> None:
    """Keep everything start-up made out of the garbage collector's full collections.

    Modules, classes, pydantic schemas and Qt wrappers live as long as the app; a full
    collection walked all of them and stalled the window 70–220 ms while a long thread paged
    in (``benchmarks.bench_chat``). ``gc.freeze()`` moves them to a permanent generation.
    """
    import gc

    # No gc.collect() first: a full collection here is itself a stall of several hundred ms;
    # the little garbage frozen with the rest is a fair price.
    gc.freeze()


def connection_summary(
    state: str,
    detail: str,
    *,
    on_embedded: bool,
    base_url: str | None,
    model_description: str | None,
) -> tuple[str, str]:
    """Split the session's status into a few toolbar words and a sentence to show in full.

    The embedded runtime's status says who answers and how to get better answers; elided in
    the toolbar that advice was lost. Returns ``(headline, info)``; ``info`` is ``""`` when
    the headline already says everything.
    """
    from playground.connection.embedded import ModelSource, model_source_of

    if state != "connected" or not on_embedded:
        return detail, ""
    where = base_url.removeprefix("http://") if base_url else ""
    source = model_source_of(model_description)
    if source is ModelSource.OFFLINE:
        answering, info = "offline model", detail
    elif source is ModelSource.NONE:
        answering, info = "no model", detail
    elif source is ModelSource.ENDPOINT and model_description:
        answering, info = "model " + model_description.split(" at ", 1)[0], ""
    else:
        answering, info = "", ""
    parts = ["Connected", f"embedded runtime {where}".strip()]
    if answering:
        parts.append(answering)
    return " · ".join(parts), info


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Finalize abandoned async generators ON the loop, as asyncio's own loops do.

    qasync's loop does not install ``sys.set_asyncgen_hooks``, so an async generator left
    suspended (an HTTP stream read up to the event we needed) would be closed by the garbage
    collector outside any task, where httpx/httpcore cannot clean up. Returns a function that
    restores the previous hooks.
    """
    import weakref

    previous = sys.get_asyncgen_hooks()
    alive: weakref.WeakSet[AsyncGenerator[object, object]] = weakref.WeakSet()

    def firstiter(agen: AsyncGenerator[object, object]) -> None:
        alive.add(agen)

    def finalizer(agen: AsyncGenerator[object, object]) -> None:
        alive.discard(agen)
        if loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(lambda: loop.create_task(agen.aclose()))
        except RuntimeError:
            pass  # the loop is closing: nothing left to clean up with

    sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)

    def restore() -> None:
        sys.set_asyncgen_hooks(*previous)

    return restore


NO_DISPLAY_EXIT_CODE = 2
_DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def missing_display_reason(environ: Mapping[str, str], platform: str) -> str:
    """Say in words why no window can open, or ``""``; Qt itself would abort (exit 134)."""
    if not platform.startswith("linux"):
        return ""
    if any(environ.get(name) for name in _DISPLAY_VARIABLES):
        return ""
    return (
        "No display found: none of DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM is set, so the "
        "window cannot open. Start the playground from a desktop session, or, for a headless "
        "check, set QT_QPA_PLATFORM=offscreen (for example: "
        "QT_QPA_PLATFORM=offscreen assistants-playground --smoke-test)."
    )


def install_stop_signals(
    loop: asyncio.AbstractEventLoop, request_quit: Callable[[], None]
) -> QTimer:
    """Let SIGTERM/SIGINT end the app through the normal close path, so the runtime stops.

    Python runs signal handlers only between bytecodes; while Qt waits in C++ for events
    none run, so a cheap timer wakes the interpreter a few times a second. The handler only
    schedules the quit on the loop (handlers must not do real work). Windows has no SIGTERM
    to a GUI process; there the runtime's ``--exit-with-parent`` watch covers a killed app.
    Returns the timer (the caller stops it once the loop is done).
    """
    import signal

    from PySide6.QtCore import QTimer

    def on_signal(signum: int, _frame: object) -> None:
        log.info("Stopping on signal %s.", signum)
        try:
            loop.call_soon_threadsafe(request_quit)
        except RuntimeError:
            pass  # the loop is already closed: nothing left to stop

    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, on_signal)
    timer = QTimer()
    timer.setInterval(_SIGNAL_POLL_MS)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


_SIGNAL_POLL_MS = 250


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="assistants-playground")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window, wait for the connection, print the result and exit",
    )
    parser.add_argument("--log-level", default="warning")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    raw_args = sys.argv[1:] if argv is None else argv
    if raw_args[:1] == ["test"]:  # headless suite runner for CI: no Qt on this path
        from playground.testing.cli import main as test_main

        return test_main(raw_args[1:])
    # Without arguments argparse has nothing to do (and --help must not open a window).
    args = _parse(raw_args) if raw_args else argparse.Namespace(smoke_test=False, log_level="")
    logging.basicConfig(level=str(args.log_level or "warning").upper(), stream=sys.stderr)
    problem = missing_display_reason(os.environ, sys.platform)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        return NO_DISPLAY_EXIT_CODE

    from PySide6.QtWidgets import QApplication

    from playground.ui.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Assistants Playground")
    qt_app.setOrganizationName("assistants-playground")
    from playground.store.paths import app_paths
    from playground.ui.qt_settings import confine_qt_settings

    confine_qt_settings(app_paths().config)  # file dialogs would write ~/.config/QtProject.conf
    # We end the loop ourselves once the window is gone, after an orderly async shutdown.
    qt_app.setQuitOnLastWindowClosed(False)
    window = MainWindow()  # the light shell: paints at about the cost of a bare window
    window.resize(window.sizeHint())
    window.show()
    # Paint before building the panes and importing asyncio/qasync and the rest: a person
    # sees the window at once.
    window.wait_first_paint(qt_app)

    from playground.ui.messages import MessageBridge

    bridge = MessageBridge()
    window.build(bridge)

    import asyncio

    import qasync

    from playground.ui.tasks import TaskRunner

    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    install_asyncgen_hooks(loop)
    runner = TaskRunner(bridge, loop=loop)
    app = PlaygroundApp(window, bridge, runner)
    app.freeze_after_start = True
    closed: asyncio.Future[None] = loop.create_future()

    def on_last_window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    qt_app.lastWindowClosed.connect(on_last_window_closed)

    def request_quit() -> None:
        # The normal way out: close the window (runs are cancelled), end the loop, and the
        # ``finally`` below runs ``shutdown()``, which stops the runtime.
        window.close()
        on_last_window_closed()

    keep_alive = install_stop_signals(loop, request_quit)

    smoke_ok: list[bool] = []

    async def start() -> None:
        await app.bootstrap()
        if args.smoke_test:
            smoke_ok.append(await _smoke(app))
            window.close()

    with loop:
        runner.start("app.bootstrap", start(), label="Starting the playground")
        try:
            loop.run_until_complete(closed)
        finally:
            loop.run_until_complete(app.shutdown())
            keep_alive.stop()
    if args.smoke_test and not all(smoke_ok or [False]):
        return 1
    return 0


async def _smoke(app: PlaygroundApp) -> bool:
    """Wait for the first connection to settle; True when it connected."""
    import asyncio

    assert app.parts is not None
    session = app.parts.session
    settled: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_state(state: str) -> None:
        if state in ("connected", "failed") and not settled.done():
            settled.set_result(state)

    session.state_changed.connect(on_state)
    on_state(session.state.value)
    try:
        async with asyncio.timeout(SMOKE_TIMEOUT_S):
            await settled
    except TimeoutError:
        pass
    print(f"smoke test: {session.state.value}: {session.state_detail}", flush=True)
    return session.is_connected
