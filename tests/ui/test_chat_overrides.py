"""Per-run overrides: only what the person set is sent, in the API's shapes."""

from __future__ import annotations

from typing import Any

from playground.ui.viewmodels.chat_runs import RunOverrides
from playground.ui.widgets.chat_pane import OverridesBox


def test_empty_overrides_send_nothing() -> None:
    assert RunOverrides().as_kwargs() == {}
    assert RunOverrides(instructions="", model="").as_kwargs() == {}


def test_tool_choice_keywords_and_function_names() -> None:
    assert RunOverrides(tool_choice="required").as_kwargs() == {"tool_choice": "required"}
    assert RunOverrides(tool_choice=" get_weather ").as_kwargs() == {
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}}
    }


def test_zero_temperature_is_a_real_value() -> None:
    assert RunOverrides(temperature=0.0).as_kwargs() == {"temperature": 0.0}


def test_box_reads_only_when_open(qtbot: Any) -> None:
    box = OverridesBox()
    qtbot.addWidget(box)
    box.model.setText("gpt-x")
    assert box.overrides() == RunOverrides()  # collapsed: nothing overridden
    box.setChecked(True)
    box.additional.setPlainText("Answer in French.")
    box.max_tokens.setValue(200)
    box.temperature.setValue(0.0)
    box.tool_choice.setCurrentText("none")
    assert box.overrides().as_kwargs() == {
        "additional_instructions": "Answer in French.",
        "model": "gpt-x",
        "max_completion_tokens": 200,
        "temperature": 0.0,
        "tool_choice": "none",
    }
    box.temperature.setValue(box.temperature.minimum())
    assert "temperature" not in box.overrides().as_kwargs()  # "default"
