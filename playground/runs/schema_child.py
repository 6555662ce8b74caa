"""Child process entry: check tool-call arguments against a schema (see :mod:`.limited`).

stdin: JSON ``{"raw": str, "schema": object}``; stdout: JSON list of problem strings.
"""

from __future__ import annotations

import json
import sys

from .limited import limit_memory


def main() -> None:
    limit_memory()
    from .tool_outputs import check_arguments

    request = json.loads(sys.stdin.buffer.read())
    problems = check_arguments(request["raw"], request["schema"])
    sys.stdout.write(json.dumps(problems))


if __name__ == "__main__":
    main()
