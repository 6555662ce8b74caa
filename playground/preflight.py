"""Can Qt open a window here? Answered before ``make run`` spends minutes on long steps.

Qt's xcb platform plugin needs a handful of X11 libraries that minimal Linux desktops and
containers lack. When one is missing, Qt aborts at start-up with a message that names
whichever library it tried first (often ``xcb-cursor0``, even when that one is installed),
so a user cannot tell what to install. This module asks the dynamic loader instead
(``ldd`` on the plugin, which follows every dependency), maps each missing library to its
package on the user's distribution and prints one install line.

Standard library only, and Qt is never imported: the check has to work exactly when
importing Qt's GUI would crash.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# Missing shared library (soname) -> package, per package manager. Debian/Ubuntu names are
# the ones Qt's own docs list for the xcb plugin; Fedora and Arch ship several of these in
# one package.
_PACKAGES: dict[str, dict[str, str]] = {
    "apt": {
        "libxcb-cursor.so.0": "libxcb-cursor0",
        "libxcb-icccm.so.4": "libxcb-icccm4",
        "libxcb-keysyms.so.1": "libxcb-keysyms1",
        "libxcb-image.so.0": "libxcb-image0",
        "libxcb-render-util.so.0": "libxcb-render-util0",
        "libxcb-randr.so.0": "libxcb-randr0",
        "libxcb-shape.so.0": "libxcb-shape0",
        "libxcb-xfixes.so.0": "libxcb-xfixes0",
        "libxcb-xkb.so.1": "libxcb-xkb1",
        "libxcb-sync.so.1": "libxcb-sync1",
        "libxcb-xinput.so.0": "libxcb-xinput0",
        "libxcb-shm.so.0": "libxcb-shm0",
        "libxcb-render.so.0": "libxcb-render0",
        "libxcb-util.so.1": "libxcb-util1",
        "libxcb.so.1": "libxcb1",
        "libX11-xcb.so.1": "libx11-xcb1",
        "libX11.so.6": "libx11-6",
        "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
        "libxkbcommon.so.0": "libxkbcommon0",
        "libEGL.so.1": "libegl1",
        "libGL.so.1": "libgl1",
        "libOpenGL.so.0": "libopengl0",
        "libfontconfig.so.1": "libfontconfig1",
        "libfreetype.so.6": "libfreetype6",
        "libdbus-1.so.3": "libdbus-1-3",
        "libglib-2.0.so.0": "libglib2.0-0",
        "libgthread-2.0.so.0": "libglib2.0-0",
        "libSM.so.6": "libsm6",
        "libICE.so.6": "libice6",
    },
    "dnf": {
        "libxcb-cursor.so.0": "xcb-util-cursor",
        "libxcb-icccm.so.4": "xcb-util-wm",
        "libxcb-keysyms.so.1": "xcb-util-keysyms",
        "libxcb-image.so.0": "xcb-util-image",
        "libxcb-render-util.so.0": "xcb-util-renderutil",
        "libxcb-util.so.1": "xcb-util",
        "libxkbcommon-x11.so.0": "libxkbcommon-x11",
        "libxkbcommon.so.0": "libxkbcommon",
        "libEGL.so.1": "libglvnd-egl",
        "libGL.so.1": "libglvnd-glx",
        "libOpenGL.so.0": "libglvnd-opengl",
        "libfontconfig.so.1": "fontconfig",
        "libdbus-1.so.3": "dbus-libs",
    },
    "pacman": {
        "libxcb-cursor.so.0": "xcb-util-cursor",
        "libxcb-icccm.so.4": "xcb-util-wm",
        "libxcb-keysyms.so.1": "xcb-util-keysyms",
        "libxcb-image.so.0": "xcb-util-image",
        "libxcb-render-util.so.0": "xcb-util-renderutil",
        "libxkbcommon-x11.so.0": "libxkbcommon-x11",
        "libEGL.so.1": "libglvnd",
        "libGL.so.1": "libglvnd",
        "libOpenGL.so.0": "libglvnd",
    },
}
_INSTALL = {
    "apt": "sudo apt install",
    "dnf": "sudo dnf install",
    "pacman": "sudo pacman -S",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    """The answer: ``ok`` or the missing libraries and the line that installs them."""

    ok: bool
    missing: tuple[str, ...] = ()
    install_line: str = ""
    note: str = ""

    def message(self) -> str:
        if self.ok:
            return self.note or "Qt can open a window here."
        lines = [
            "Qt cannot open a window here: its X11 (xcb) platform plugin is missing these "
            "system libraries:",
            "    " + " ".join(self.missing),
        ]
        if self.install_line:
            lines += ["Install them with:", "    " + self.install_line]
        lines.append("Then run the same command again.")
        return "\n".join(lines)


def missing_libraries(ldd_output: str) -> tuple[str, ...]:
    """The sonames ``ldd`` reported as not found, in order, without repeats."""
    seen: dict[str, None] = {}
    for name in _NOT_FOUND.findall(ldd_output):
        seen.setdefault(name, None)
    return tuple(seen)


def package_manager(os_release: str, which: Callable[[str], str | None] = shutil.which) -> str:
    """``apt``, ``dnf``, ``pacman`` or ``""`` for this distribution."""
    ids = ""
    for line in os_release.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids += " " + value.strip().strip('"').lower()
    words = set(ids.split())
    if words & {"debian", "ubuntu"}:
        return "apt"
    if words & {"fedora", "rhel", "centos"}:
        return "dnf"
    if words & {"arch"}:
        return "pacman"
    for manager in ("apt", "dnf", "pacman"):
        if which(manager):
            return manager
    return ""


def install_line(missing: Iterable[str], manager: str) -> str:
    """One command that installs every missing library, or ``""`` when unknown."""
    if not manager:
        return ""
    table = _PACKAGES[manager]
    packages: dict[str, None] = {}
    for soname in missing:
        package = table.get(soname)
        if package is None:
            return ""  # better no line than one that leaves a library out
        packages.setdefault(package, None)
    return f"{_INSTALL[manager]} {' '.join(packages)}"


def xcb_plugin() -> Path | None:
    """The xcb platform plugin inside the installed PySide6, found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        plugin = Path(root) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def check(plugin: Path | None = None, *, os_release: str | None = None) -> Verdict:
    """Ask the loader whether the xcb plugin's libraries are all there."""
    if not sys.platform.startswith("linux"):
        return Verdict(True, note="Not Linux: Qt brings its own platform plugin.")
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "wayland")):
        return Verdict(True, note="QT_QPA_PLATFORM does not use xcb.")
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return Verdict(True, note="PySide6 has no xcb plugin to check.")
    ldd = shutil.which("ldd")
    if ldd is None:
        return Verdict(True, note="No ldd here: skipping the library check.")
    done = subprocess.run(
        [ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False
    )
    missing = missing_libraries(done.stdout + done.stderr)
    if not missing:
        return Verdict(True)
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8", errors="replace")
        except OSError:
            os_release = ""
    return Verdict(False, missing, install_line(missing, package_manager(os_release)))


def main(argv: list[str] | None = None) -> int:
    """``python -m playground.preflight``: print the verdict; exit 1 when Qt cannot start.

    On a Wayland session the xcb plugin is only a fallback, so missing X11 libraries are
    reported but do not stop ``make run``.
    """
    verdict = check()
    if verdict.ok:
        return 0
    print(verdict.message(), file=sys.stderr)
    if os.environ.get("WAYLAND_DISPLAY"):
        print("(A Wayland session was found, so the window may still open.)", file=sys.stderr)
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
