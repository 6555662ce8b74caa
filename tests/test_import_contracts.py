"""Every import DESIGN.md forbids fails ``lint-imports``: each is injected alone into a
copy of the package and the contracts must break (issue 13's table, plus the new ones).

The copy is made once; each case appends one import line to one module of the importing
package, runs ``lint-imports`` on the copy, and restores the module.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: (module file that gets the line, the forbidden import statement)
CASES = [
    # caught before issue 13
    ("protocol/base.py", "import playground.api"),
    ("protocol/base.py", "import playground.app"),
    ("store/db.py", "import playground.api"),
    ("ui/tasks.py", "import httpx"),
    ("runs/events.py", "import playground.connector"),
    ("runtime/ids.py", "import playground.ui"),
    ("runtime/ids.py", "import playground.api"),
    ("runtime/ids.py", "import PySide6"),
    # not caught before issue 13
    ("protocol/base.py", "import playground.runtime"),
    ("protocol/base.py", "import playground.store"),
    ("protocol/base.py", "import httpx"),
    ("api/constants.py", "import playground.store"),
    ("api/constants.py", "import playground.runtime"),
    ("runs/events.py", "import httpx"),
    ("runs/events.py", "import playground.store"),
    ("runs/events.py", "import playground.runtime"),
    ("store/db.py", "import httpx"),
    ("ui/tasks.py", "import playground.runtime"),
    ("ui/tasks.py", "import playground.runtime.server"),
    ("ui/tasks.py", "import playground.connector"),
    ("ui/tasks.py", "import playground.app"),
    ("ui/tasks.py", "import httpx_sse"),
    ("ui/tasks.py", "import starlette"),
    # more of the design's rules
    ("runtime/ids.py", "import playground.store"),
    ("runtime/ids.py", "import playground.runs"),
    ("protocol/base.py", "import starlette"),
    ("api/constants.py", "import PySide6"),
    ("store/db.py", "import playground.runtime"),
    # composition code stays off the window, and the seam below it stays plain
    ("connector.py", "import playground.ui"),
    ("connector.py", "import playground.ui.viewmodels.session"),
    ("connector.py", "import httpx"),
    ("connector.py", "import httpx_sse"),
    ("connector.py", "import PySide6"),
    ("connection/contract.py", "import PySide6"),
    ("connection/contract.py", "import qasync"),
    ("connection/contract.py", "import playground.ui"),
    ("connection/embedded.py", "import playground.ui.tasks"),
    ("connection/contract.py", "import playground.app"),
    ("connection/contract.py", "import playground.connector"),
    ("connection/embedded.py", "import playground.runtime"),
    ("connection/contract.py", "import httpx"),
    ("runs/events.py", "import playground.connection"),
]


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("contracts")
    shutil.copytree(
        ROOT / "playground", root / "playground", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    yield root


def test_the_package_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "line"), CASES, ids=[f"{m}:{s}" for m, s in CASES])
def test_a_forbidden_import_breaks_a_contract(tree: Path, module: str, line: str) -> None:
    target = tree / "playground" / module
    original = target.read_text()
    target.write_text(original + f"\n{line}  # injected by the contract probe\n")
    try:
        result = _lint(tree)
    finally:
        target.write_text(original)
    assert result.returncode != 0, f"{line} in {module} was not caught:\n{result.stdout}"
    assert "BROKEN" in result.stdout
