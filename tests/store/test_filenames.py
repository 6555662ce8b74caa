from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.store.errors import UnsafePathError
from playground.store.filenames import (
    safe_join,
    sanitize_filename,
    unique_path,
    write_new_file,
)

RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def assert_harmless(name: str) -> None:
    assert name
    assert "/" not in name and "\\" not in name
    assert not any(ch in name for ch in '<>:"|?*')
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    assert name not in (".", "..") and not name.startswith(".")
    assert name == name.strip() and not name.endswith(".")
    assert name.split(".")[0].strip().upper() not in RESERVED
    assert len(name.encode("utf-8")) <= 200


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("C:\\x", "x"),
        ("C:\\Windows\\System32\\evil.dll", "evil.dll"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("LPT9", "_LPT9"),
        ("CONSOLE.txt", "CONSOLE.txt"),  # only exact device names are reserved
        ("a\x00b\x1fc\x7f.png", "abc.png"),
        ("photo\u202egnp.exe", "photognp.exe"),  # right-to-left override disguising an .exe
        ("what?<is>:this*.csv", "what__is__this_.csv"),
        ("trailing. . .", "trailing"),
        ("  spaced name.txt  ", "spaced name.txt"),
        (".hidden", "hidden"),
        ("..", "file"),
        ("", "file"),
        ("   ", "file"),
        ("/", "file"),
        ("chart.png", "chart.png"),
    ],
)
def test_hostile_names(hostile: str, expected: str) -> None:
    assert sanitize_filename(hostile) == expected
    assert_harmless(sanitize_filename(hostile))


def test_very_long_name_keeps_its_extension() -> None:
    name = sanitize_filename("a" * 10_000 + ".xlsx")
    assert name.endswith(".xlsx")
    assert len(name.encode()) == 200
    multibyte = sanitize_filename("é" * 10_000 + ".png")
    assert multibyte.endswith(".png") and len(multibyte.encode()) <= 200
    multibyte.encode("utf-8")  # no split characters


def test_absurd_extension_is_not_treated_as_one() -> None:
    name = sanitize_filename("x." + "y" * 5000)
    assert len(name.encode()) <= 200
    assert_harmless(name)


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd", "/abs", "C:\\x", "CON.txt", "..", "", "a/../../b"]
)
def test_safe_join_stays_inside(tmp_path: Path, hostile: str) -> None:
    joined = safe_join(tmp_path, hostile)
    assert joined.parent == tmp_path.resolve()


def test_safe_join_refuses_a_planted_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "folder"
    folder.mkdir()
    os.symlink(outside / "target.txt", folder / "report.txt")
    with pytest.raises(UnsafePathError, match="would leave the folder"):
        safe_join(folder, "report.txt")


def test_unique_path_and_write_new_file_never_overwrite(tmp_path: Path) -> None:
    first = write_new_file(tmp_path, "out.png", b"one")
    second = write_new_file(tmp_path, "out.png", b"two")
    third = write_new_file(tmp_path, "../out.png", b"three")
    assert [p.name for p in (first, second, third)] == ["out.png", "out (1).png", "out (2).png"]
    assert [p.read_bytes() for p in (first, second, third)] == [b"one", b"two", b"three"]
    assert unique_path(tmp_path / "out.png") == tmp_path / "out (3).png"
    assert unique_path(tmp_path / "free.png") == tmp_path / "free.png"


hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            ["..", "/", "\\", ".", " ", "CON", "nul", "C:", "\x00", "\u202e", "a", "é", ".txt", "~"]
        ),
        max_size=40,
    ).map("".join),
    st.text(alphabet=string.printable, min_size=180, max_size=600),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=hostile_text)
def test_safe_join_never_escapes(tmp_path: Path, name: str) -> None:
    joined = safe_join(tmp_path, name)
    assert joined.resolve().parent == tmp_path.resolve()
    assert_harmless(joined.name)


@settings(max_examples=300, deadline=None)
@given(name=hostile_text)
def test_sanitize_is_idempotent(name: str) -> None:
    once = sanitize_filename(name)
    assert sanitize_filename(once) == once
