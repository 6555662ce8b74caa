"""The window check that ``make run`` does before its long steps (playground.preflight)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playground.preflight import (
    Verdict,
    check,
    install_line,
    missing_libraries,
    package_manager,
    xcb_plugin,
)

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
"""

DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n'
UBUNTU = "ID=ubuntu\nID_LIKE=debian\n"
FEDORA = 'ID=fedora\nVERSION_ID="40"\n'


def test_missing_libraries_are_the_not_found_lines_once_each() -> None:
    # Qt's own abort message names xcb-cursor0 here, although that one is installed.
    assert missing_libraries(LDD_OUTPUT) == ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    assert missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == ()


@pytest.mark.parametrize(
    ("release", "manager"),
    [(DEBIAN, "apt"), (UBUNTU, "apt"), (FEDORA, "dnf"), ("ID=arch\n", "pacman")],
)
def test_package_manager_follows_os_release(release: str, manager: str) -> None:
    assert package_manager(release, which=lambda _name: None) == manager


def test_unknown_distribution_falls_back_to_the_manager_on_path() -> None:
    assert (
        package_manager("ID=gentoo\n", which=lambda n: "/usr/bin/dnf" if n == "dnf" else None)
        == "dnf"
    )
    assert package_manager("ID=gentoo\n", which=lambda _n: None) == ""


def test_install_line_names_every_package_once() -> None:
    missing = ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libGL.so.1", "libEGL.so.1")
    assert (
        install_line(missing, "apt")
        == "sudo apt install libxcb-icccm4 libxcb-keysyms1 libgl1 libegl1"
    )
    assert install_line(missing[:2], "dnf") == "sudo dnf install xcb-util-wm xcb-util-keysyms"


def test_no_install_line_rather_than_an_incomplete_one() -> None:
    assert install_line(("libsomething-new.so.3",), "apt") == ""
    assert install_line(("libxcb-icccm.so.4",), "") == ""


def test_message_lists_the_libraries_and_the_line() -> None:
    verdict = Verdict(False, ("libxcb-icccm.so.4",), "sudo apt install libxcb-icccm4")
    text = verdict.message()
    assert "libxcb-icccm.so.4" in text and "sudo apt install libxcb-icccm4" in text


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="needs Linux and ldd"
)
def test_real_loader_reports_libraries_a_copied_plugin_cannot_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the real plugin outside PySide6 loses its rpath, so the loader really cannot
    find Qt's own libraries: the check must report them, with no install line for them."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    plugin = xcb_plugin()
    if plugin is None:
        pytest.skip("this PySide6 has no xcb plugin")
    copy = tmp_path / "libqxcb.so"
    shutil.copy2(plugin, copy)
    verdict = check(copy, os_release=DEBIAN)
    assert not verdict.ok
    assert any(name.startswith("libQt6") for name in verdict.missing)
    assert verdict.install_line == ""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="needs Linux and ldd"
)
def test_real_plugin_verdict_matches_the_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    plugin = xcb_plugin()
    if plugin is None:
        pytest.skip("this PySide6 has no xcb plugin")
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    verdict = check(plugin)
    assert verdict.ok == ("not found" not in ldd.stdout)


def test_offscreen_needs_no_xcb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert check().ok


def test_module_exit_status(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "playground.preflight"], env=env, check=False)
    assert done.returncode == 0
