"""Apply resource limits to this process, then become the kernel.

Run as a plain script (``python _launcher.py --memory N --cpu N --fsize N -- CMD...``)
rather than through ``preexec_fn``: preexec_fn is unsafe in a threaded server, while
limits set here are inherited by ``exec`` and by anything the kernel spawns. The file
must not import anything from ``playground`` so it starts in milliseconds.
"""

from __future__ import annotations

import os
import sys


def _set(limit_name: str, value: int | None) -> None:
    if value is None:
        return
    import resource

    limit = getattr(resource, limit_name, None)
    if limit is None:
        return
    soft_hard = (value, value) if limit_name != "RLIMIT_CPU" else (value, value + 5)
    _, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        soft_hard = (min(soft_hard[0], hard), min(soft_hard[1], hard))
    resource.setrlimit(limit, soft_hard)


def _seed(spec: str) -> None:
    """Copy the files of a read-only folder into a writable one (``SRC:DEST``).

    Matplotlib insists on a writable config folder; copying the font cache the server
    built saves every kernel the seconds of rebuilding it.
    """
    import shutil

    source, _, target = spec.partition(":")
    if os.path.isdir(source):
        shutil.copytree(source, target, dirs_exist_ok=True)


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit(
            "usage: _launcher.py [--memory N] [--cpu N] [--fsize N] [--nproc N] [--seed SRC:DEST] -- COMMAND..."
        )
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    values: dict[str, int] = {}
    for flag, value in zip(options[::2], options[1::2], strict=True):
        if flag == "--seed":
            _seed(value)
        else:
            values[flag] = int(value)
    if sys.platform != "win32":
        _set("RLIMIT_AS", values.get("--memory"))
        _set("RLIMIT_CPU", values.get("--cpu"))
        _set("RLIMIT_FSIZE", values.get("--fsize"))
        # Counted per user namespace: inside the sandbox this caps the processes (and
        # threads) of this kernel alone, so a fork bomb stops here.
        _set("RLIMIT_NPROC", values.get("--nproc"))
        _set("RLIMIT_CORE", 0)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
