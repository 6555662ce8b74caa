"""One sandboxed Jupyter kernel process and the execute protocol over it.

Wraps jupyter-client's AsyncKernelManager/AsyncKernelClient. The kernel is launched
through ``sandbox.kernel_argv`` (bubblewrap and limits) and speaks ZeroMQ over Unix
sockets (``ipc://``) in its own connection folder, which is bind-mounted into its
sandbox: a kernel without a network can still talk to the server, and no other kernel
can see the folder.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
import queue
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from ..errors import public_reason, public_text
from .cgroups import Cgroup
from .kernel_startup import DROPPED_EXPRESSION, bind_code, setup_code
from .limits import Limits
from .result import OutputCollector, strip_ansi

log = logging.getLogger(__name__)


class KernelStartError(RuntimeError):
    """The kernel process could not be started or never became ready."""


class _SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose command line is ours instead of the kernelspec's."""

    sandbox_argv: list[str] = []
    message_interrupt = False

    async def interrupt_kernel(self) -> None:  # type: ignore[override]
        """Interrupt by message when the kernel sits in its own session inside bwrap.

        A signal to the process group would reach bwrap, not the kernel (bwrap starts it
        in a new session); ipykernel answers ``interrupt_request`` by signalling itself.
        """
        if not self.message_interrupt:
            await super().interrupt_kernel()
            return
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        connection_file = os.path.realpath(self.connection_file)
        return [arg.replace("{connection_file}", connection_file) for arg in self.sandbox_argv]


@dataclass
class CellOutcome:
    """Raw outcome of one execute request, before files are compared."""

    logs: str = ""
    images: list[bytes] = field(default_factory=list)
    error: str | None = None
    timed_out: bool = False
    died: bool = False
    needs_restart: bool = False


class SandboxedKernel:
    """A kernel process, its channels, and the knowledge of whether it is usable."""

    def __init__(
        self,
        *,
        argv: list[str],
        env: dict[str, str],
        cwd: Path,
        kernel_dir: Path,
        limits: Limits,
        data_dir: Path,
        message_interrupt: bool,
        stderr_log: Path | None = None,
        cgroup: Cgroup | None = None,
    ) -> None:
        self._limits = limits
        #: The control group holding the whole sandbox, when one could be made.
        self.cgroup = cgroup
        self._env = env
        self._cwd = cwd
        self._stderr_log = stderr_log
        #: The host folder this kernel sees as /mnt/data (it moves when a spare is adopted).
        self.data_dir = data_dir
        #: Connection file, key and sockets: only this kernel and the server reach it.
        self.kernel_dir = kernel_dir
        km = _SandboxKernelManager()
        km.sandbox_argv = list(argv)
        km.message_interrupt = message_interrupt
        km.connection_file = str(kernel_dir / "connection.json")
        if sys.platform != "win32":
            km.transport = "ipc"
            km.ip = str(kernel_dir / "s")
        else:
            km.ip = "127.0.0.1"
        self._km = km
        self._kc: Any = None
        self.bound_to: str | None = None
        # Set when a cell could not be stopped; the owner then replaces the kernel.
        self.broken = False

    @property
    def pid(self) -> int | None:
        provisioner = self._km.provisioner
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    async def start(self) -> None:
        """Launch the process, wait until it answers, install the output cap."""
        try:
            await self._launch()
            kc = self._km.client()
            kc.start_channels()
            self._kc = kc
            await kc.wait_for_ready(timeout=self._limits.startup_timeout_seconds)
        except asyncio.CancelledError:
            # Never leave a half-started process behind when start-up is cancelled.
            await asyncio.shield(self.stop())
            raise
        except Exception as exc:
            await self.stop()
            raise KernelStartError(
                f"The Python kernel could not be started: {public_reason(exc)}"
            ) from exc
        outcome = await self._run_silent(setup_code(self._limits.max_output_bytes))
        if outcome.error or outcome.died or outcome.timed_out:
            await self.stop()
            raise KernelStartError(
                "The Python kernel started but its setup failed: "
                + public_text(outcome.error or "no reply")
            )

    async def _launch(self) -> None:
        """Start the process; its own stdout/stderr go to a log file, never the server's."""
        if self._stderr_log is None:
            await self._km.start_kernel(
                env=self._env, cwd=str(self._cwd), stdout=subprocess.DEVNULL
            )
            return
        stderr = await asyncio.to_thread(self._stderr_log.open, "ab")
        try:
            await self._km.start_kernel(
                env=self._env, cwd=str(self._cwd), stdout=subprocess.DEVNULL, stderr=stderr
            )
        finally:
            stderr.close()  # the child has its own copy of the descriptor

    async def bind(self, session_id: str, workdir: Path | None) -> None:
        """Point the kernel at a session folder: a chdir when there is no sandbox.

        In the sandbox the folder is already ``/mnt/data`` (the server renamed the
        spare's folder into place), so there is nothing to run.
        """
        if workdir is not None:
            outcome = await self._run_silent(bind_code(str(workdir)))
            if outcome.error or outcome.died or outcome.timed_out:
                raise KernelStartError(
                    "The Python kernel could not switch to its working folder: "
                    + public_text(outcome.error or "no reply")
                )
            self.data_dir = workdir
        self.bound_to = session_id

    async def _abandon(self, msg_id: str) -> None:
        scratch = CellOutcome()
        collector = OutputCollector(1024)
        if not await self._interrupt(msg_id, collector, scratch):
            self.broken = True
        else:
            await self._read_reply(msg_id)

    async def is_alive(self) -> bool:
        if self.broken:
            return False
        try:
            return bool(await self._km.is_alive())
        except Exception:
            return False

    async def stop(self) -> None:
        """Kill the process group and remove sockets and the connection file."""
        if self._kc is not None:
            try:
                self._kc.stop_channels()
            except Exception:
                pass
            self._kc = None
        try:
            if self._km.has_kernel:
                await self._km.shutdown_kernel(now=True)
            else:
                await self._km.cleanup_resources()
        except Exception:
            # A kernel that is already gone may make cleanup complain; the process is
            # what matters and kill_kernel tolerates a missing one.
            pass
        await asyncio.to_thread(shutil.rmtree, self.kernel_dir, True)
        if self.cgroup is not None:
            await _remove_cgroup(self.cgroup)

    async def _run_silent(self, code: str) -> CellOutcome:
        return await self.execute(
            code, time_limit=self._limits.startup_timeout_seconds, silent=True
        )

    async def execute(self, code: str, *, time_limit: float, silent: bool = False) -> CellOutcome:
        """Run one cell; interrupt it after ``time_limit`` s and report what happened."""
        kc = self._kc
        if kc is None:
            return CellOutcome(died=True, error="The Python kernel is not running.")
        collector = OutputCollector(self._limits.max_output_bytes)
        outcome = CellOutcome()
        msg_id = kc.execute(
            code,
            silent=silent,
            store_history=not silent,
            allow_stdin=False,
            stop_on_error=False,
            user_expressions={} if silent else {"dropped": DROPPED_EXPRESSION},
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + time_limit
        try:
            finished = await self._pump_iopub(msg_id, deadline, collector, outcome)
        except asyncio.CancelledError:
            # The caller gave up (e.g. the run was cancelled): stop the cell so the next
            # one does not queue behind it, then let the cancellation through.
            await asyncio.shield(self._abandon(msg_id))
            raise
        if not finished and not outcome.died:
            outcome.timed_out = True
            finished = await self._interrupt(msg_id, collector, outcome)
            if not finished and not outcome.died:
                outcome.needs_restart = True
        if finished:
            reply = await self._read_reply(msg_id)
            if silent and reply.get("status") == "error":
                outcome.error = f"{reply.get('ename', 'Error')}: {reply.get('evalue', '')}"
            collector.add_dropped(_dropped_count(reply))
        if outcome.timed_out:
            reason = f"Execution timed out after {time_limit:g} s"
            if outcome.needs_restart:
                reason += (
                    "; the kernel did not respond to the interrupt and was restarted, "
                    "so earlier variables are gone."
                )
            else:
                reason += "; the cell was interrupted."
            outcome.error = reason if not outcome.error else f"{reason}\n{outcome.error}"
            collector.add(f"\n{reason}\n")
        elif outcome.died:
            reason = (
                "The Python kernel stopped unexpectedly (it may have run out of memory or "
                "CPU time). Its variables are lost; the next execution starts a fresh kernel."
            )
            outcome.error = reason
            collector.add(f"\n{reason}\n")
        outcome.logs = collector.text()
        return outcome

    async def _pump_iopub(
        self,
        msg_id: str,
        deadline: float,
        collector: OutputCollector,
        outcome: CellOutcome,
    ) -> bool:
        """Read output until the cell goes idle (True), time runs out or the kernel dies."""
        loop = asyncio.get_running_loop()
        kc = self._kc
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                msg = await kc.get_iopub_msg(timeout=min(remaining, 0.25))
            except queue.Empty:
                if not await self.is_alive():
                    outcome.died = True
                    return False
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if self._handle(msg, collector, outcome):
                return True

    def _handle(
        self, msg: dict[str, Any], collector: OutputCollector, outcome: CellOutcome
    ) -> bool:
        kind = msg.get("msg_type")
        content = msg.get("content", {})
        if kind == "stream":
            collector.add(str(content.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = content.get("data", {})
            png = data.get("image/png")
            if isinstance(png, str) and self._add_image(png, outcome, collector):
                return False
            text = data.get("text/plain")
            if isinstance(text, str):
                collector.add(text if text.endswith("\n") else text + "\n")
        elif kind == "error":
            trace = strip_ansi("\n".join(str(line) for line in content.get("traceback", [])))
            if not trace.strip():
                trace = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
            outcome.error = trace
            collector.add(trace if trace.endswith("\n") else trace + "\n")
        elif kind == "status" and content.get("execution_state") == "idle":
            return True
        return False

    def _add_image(self, b64: str, outcome: CellOutcome, collector: OutputCollector) -> bool:
        if len(outcome.images) >= self._limits.max_images:
            collector.add("[image dropped: too many images in one execution]\n")
            return True
        if len(b64) * 3 // 4 > self._limits.max_image_bytes:
            collector.add("[image dropped: larger than the image size limit]\n")
            return True
        try:
            outcome.images.append(base64.b64decode(b64, validate=False))
        except (binascii.Error, ValueError):
            return False
        return True

    async def _interrupt(
        self, msg_id: str, collector: OutputCollector, outcome: CellOutcome
    ) -> bool:
        """Send SIGINT (or an interrupt message) and wait the grace period for idle."""
        try:
            await self._km.interrupt_kernel()
        except Exception:
            return False
        grace_deadline = asyncio.get_running_loop().time() + self._limits.interrupt_grace_seconds
        # The KeyboardInterrupt text stays in the logs (it shows where the cell was), but
        # it must not become the error: the plain timeout reason is the error.
        scratch = CellOutcome()
        finished = await self._pump_iopub(msg_id, grace_deadline, collector, scratch)
        outcome.died = scratch.died
        return finished

    async def _read_reply(self, msg_id: str) -> dict[str, Any]:
        """Read this cell's execute_reply; also keeps the shell queue from filling up."""
        kc = self._kc
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            try:
                reply = await kc.get_shell_msg(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                content = reply.get("content", {})
                return content if isinstance(content, dict) else {}
        return {}


def _dropped_count(reply: dict[str, Any]) -> int:
    """How much output the kernel-side cap dropped, from ``user_expressions``."""
    expr = reply.get("user_expressions", {}).get("dropped", {})
    if not isinstance(expr, dict) or expr.get("status") != "ok":
        return 0
    try:
        return int(str(expr.get("data", {}).get("text/plain", "0")))
    except ValueError:
        return 0


async def _remove_cgroup(cgroup: Cgroup) -> None:
    """Remove the group once its processes are gone (the kill takes a moment)."""
    for _ in range(50):
        await asyncio.to_thread(cgroup.remove)
        if not cgroup.pids_dir.exists():
            return
        await asyncio.sleep(0.1)
    log.warning("control group %s still has processes", cgroup.pids_dir)
