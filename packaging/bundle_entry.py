"""Entry point of the PyInstaller bundle: one executable that stands in for ``python``.

Why: inside a frozen bundle ``sys.executable`` is this executable, not a Python interpreter.
The app starts the runtime as ``sys.executable -m playground.runtime ...`` and the runtime
starts code-interpreter kernels as ``sys.executable .../_launcher.py ... -- sys.executable -m
ipykernel_launcher -f CONN``. Answering those same command lines here means the app,
runtime and code-interpreter code need no frozen-only branches:

- ``--runtime ARGS``        the embedded server (``assistants-playground-server ARGS``)
- ``-m MODULE ARGS``        run a bundled module as ``__main__`` (runtime, ipykernel)
- ``-c CODE ARGS``          run a code string
- ``SCRIPT.py ARGS``        run a script file (the kernel resource-limit launcher)
- anything else             the desktop app, ``playground.app.main``
"""

from __future__ import annotations

import runpy
import sys


def _run_module(module: str, args: list[str]) -> None:
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--runtime"]:
        from playground.runtime.__main__ import main as runtime_main

        raise SystemExit(runtime_main(args[1:]))
    if len(args) >= 2 and args[0] == "-m":
        _run_module(args[1], args[2:])
        return
    if len(args) >= 2 and args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
        return
    if args and args[0].endswith(".py") and not args[0].startswith("-"):
        sys.argv = list(args)
        runpy.run_path(args[0], run_name="__main__")
        return
    from playground.app import main as app_main

    raise SystemExit(app_main())


if __name__ == "__main__":
    main()
