"""Child-process entry for local Python tool outputs (run as a script, never imported).

Reads one JSON request from stdin: ``{"path", "callable", "kwargs"}``; loads the .py file
as a module, calls the function with the kwargs and writes one JSON answer to stdout:
``{"ok": true, "output": str}`` or ``{"ok": false, "error": str}``. While the function runs,
``sys.stdout`` points at stderr so its prints cannot corrupt the answer. Kept free of
``playground`` imports so the child starts fast and the user's code sees a clean process.
"""

import importlib.util
import json
import sys
import traceback


def _output(result: object) -> str:
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(result)


def _call(request: dict) -> dict:
    path, name, kwargs = request["path"], request["callable"], request["kwargs"]
    folder = path.rsplit("/", 1)[0] if "/" in path else "."
    sys.path.insert(0, folder)  # so the function's file can import its neighbours
    spec = importlib.util.spec_from_file_location("playground_local_function", path)
    if spec is None or spec.loader is None:
        return {"ok": False, "error": f"{path} cannot be loaded as a Python module."}
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        where = traceback.format_exc(limit=-1).strip().splitlines()
        detail = where[-1] if where else type(exc).__name__
        return {"ok": False, "error": f"Loading {path} failed: {detail}"}
    function = getattr(module, name, None)
    if not callable(function):
        return {"ok": False, "error": f"{path} has no function named “{name}”."}
    try:
        result = function(**kwargs)
    except TypeError as exc:
        return {"ok": False, "error": f"{name}() does not accept these arguments: {exc}"}
    except BaseException as exc:
        return {"ok": False, "error": f"{name}() raised {type(exc).__name__}: {exc}"}
    return {"ok": True, "output": _output(result)}


def main() -> None:
    request = json.loads(sys.stdin.read())
    answer_stream = sys.stdout
    sys.stdout = sys.stderr
    answer = _call(request)
    answer_stream.write(json.dumps(answer))
    answer_stream.flush()


if __name__ == "__main__":
    main()
