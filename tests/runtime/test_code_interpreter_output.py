"""The server-side output cap and traceback cleaning (pure, no kernel)."""

from __future__ import annotations

from playground.runtime.code_interpreter.result import OutputCollector, strip_ansi
from playground.runtime.code_interpreter.workdir import changed_files, snapshot


def test_collector_keeps_everything_under_the_cap() -> None:
    collector = OutputCollector(100)
    collector.add("abc")
    collector.add("def\n")
    assert collector.text() == "abcdef\n"


def test_collector_cuts_on_bytes_not_characters() -> None:
    collector = OutputCollector(10)
    collector.add("é" * 8)  # 16 bytes
    text = collector.text()
    kept, _, marker = text.partition("\n[output truncated")
    assert kept == "é" * 5
    assert "kept the first 10 bytes" in marker and "6 more bytes" in marker


def test_collector_counts_kernel_side_drops() -> None:
    collector = OutputCollector(10)
    collector.add("0123456789")
    collector.add("more")
    collector.add_dropped(1000)
    assert "about 1,004 more bytes were dropped" in collector.text()


def test_strip_ansi_removes_colour_codes() -> None:
    assert strip_ansi("\x1b[0;31mZeroDivisionError\x1b[0m: x") == "ZeroDivisionError: x"


def test_changed_files_sees_new_and_modified(tmp_path) -> None:
    (tmp_path / "old.txt").write_text("1")
    before = snapshot(tmp_path)
    (tmp_path / "new.txt").write_text("2")
    (tmp_path / "old.txt").write_text("111")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("3")
    after = snapshot(tmp_path)
    assert changed_files(before, after) == sorted(
        [tmp_path / "new.txt", tmp_path / "old.txt", tmp_path / "sub" / "deep.txt"]
    )
    assert changed_files(after, snapshot(tmp_path)) == []
