from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from playground.store.errors import InvalidInputError
from playground.store.function_modes import FunctionMode, FunctionModeKind
from playground.store.store import Store, open_store


def test_default_is_ask(store: Store) -> None:
    assert store.function_modes.get("p1", "asst_1", "get_weather") == FunctionMode()
    assert FunctionMode().kind is FunctionModeKind.ASK


def test_canned_and_local_python_roundtrip(store: Store, tmp_path: Path) -> None:
    script = tmp_path / "tools.py"
    script.write_text("def get_stock_price(symbol):\n    return '42'\n")
    canned = FunctionMode(kind=FunctionModeKind.CANNED, canned_output='{"temp": 21}')
    local = FunctionMode(
        kind=FunctionModeKind.LOCAL_PYTHON,
        python_path=str(script),
        callable_name="get_stock_price",
        timeout_s=3,
    )
    store.function_modes.set("p1", "asst_1", "get_weather", canned)
    store.function_modes.set("p1", "asst_1", "get_stock_price", local)
    store.function_modes.set("p1", "asst_2", "get_weather", local)
    fresh = open_store().function_modes
    assert fresh.get("p1", "asst_1", "get_weather") == canned
    assert fresh.for_assistant("p1", "asst_1") == {"get_stock_price": local, "get_weather": canned}
    assert local.problems() == []
    assert fresh.get("p2", "asst_1", "get_weather") == FunctionMode()  # per profile


def test_setting_ask_removes_the_entry(store: Store) -> None:
    store.function_modes.set(
        "p1", "a", "f", FunctionMode(kind=FunctionModeKind.CANNED, canned_output="x")
    )
    store.function_modes.set("p1", "a", "f", FunctionMode())
    assert store.function_modes.for_assistant("p1", "a") == {}


def test_rename_and_delete_assistant(store: Store) -> None:
    mode = FunctionMode(kind=FunctionModeKind.CANNED, canned_output="ok")
    store.function_modes.set("p1", "a", "old", mode)
    store.function_modes.rename_function("p1", "a", "old", "new")
    assert store.function_modes.for_assistant("p1", "a") == {"new": mode}
    store.function_modes.delete_assistant("p1", "a")
    assert store.function_modes.for_assistant("p1", "a") == {}


def test_local_python_problems_in_plain_words(tmp_path: Path) -> None:
    missing = FunctionMode(kind=FunctionModeKind.LOCAL_PYTHON)
    assert missing.problems() == [
        "Choose the Python file to run.",
        "Enter the name of the function to call in that file.",
    ]
    txt = tmp_path / "a.txt"
    txt.write_text("")
    wrong = FunctionMode(
        kind=FunctionModeKind.LOCAL_PYTHON, python_path=str(txt), callable_name="1x"
    )
    assert wrong.problems() == [
        "The local function must be a .py file.",
        "“1x” is not a valid Python function name.",
    ]
    gone = FunctionMode(
        kind=FunctionModeKind.LOCAL_PYTHON, python_path=str(tmp_path / "no.py"), callable_name="f"
    )
    assert gone.problems() == [f"The file {tmp_path / 'no.py'} does not exist."]


@pytest.mark.parametrize("timeout", [0, -1, 10_000])
def test_timeout_bounds(timeout: float) -> None:
    with pytest.raises(ValidationError):
        FunctionMode(kind=FunctionModeKind.LOCAL_PYTHON, timeout_s=timeout)


def test_function_needs_a_name(store: Store) -> None:
    with pytest.raises(InvalidInputError):
        store.function_modes.set("p1", "a", "", FunctionMode(kind=FunctionModeKind.CANNED))
