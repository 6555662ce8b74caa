"""The draft: limits, request bodies per API version, export → import, dirty state, Revert,
and Save refusing invalid drafts with a message. No server needed except where noted."""

from __future__ import annotations

import json

import pytest

from playground.protocol.assistant import Assistant
from playground.protocol.tools import FunctionDefinition
from playground.store.function_modes import FunctionMode, FunctionModeKind
from playground.ui.viewmodels.assistant_draft import (
    MAX_METADATA_PAIRS,
    AssistantDraft,
    check_metadata,
    draft_from_assistant,
)
from playground.ui.viewmodels.assistant_editor import AssistantEditorViewModel
from playground.ui.viewmodels.assistant_io import export_definition, import_definition
from tests.ui.support import make_env

WEATHER = FunctionDefinition(
    name="get_weather",
    description="Weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


def full_draft() -> AssistantDraft:
    return AssistantDraft(
        name="Helper",
        description="Helps",
        instructions="Be brief.",
        model="gpt-4o",
        temperature=0.4,
        top_p=0.9,
        response_format="json_schema",
        schema_name="answer",
        schema_text=json.dumps({"type": "object", "properties": {"x": {"type": "number"}}}),
        schema_strict=True,
        metadata=(("team", "qa"), ("tier", "gold")),
        code_interpreter=True,
        file_search=True,
        functions=(WEATHER,),
        other_tools=({"type": "bing_grounding", "bing_grounding": {"connections": []}},),
        code_interpreter_file_ids=("file-1",),
        vector_store_ids=("vs_1",),
        function_modes=(
            ("get_weather", FunctionMode(kind=FunctionModeKind.CANNED, canned_output="{}")),
        ),
    )


# -- metadata limits ------------------------------------------------------------------------


def test_metadata_limits() -> None:
    assert check_metadata([("k", "v")] * 0) == []
    many = [(f"k{i}", "v") for i in range(MAX_METADATA_PAIRS + 1)]
    assert "at most 16 pairs" in check_metadata(many)[0].message
    assert check_metadata(many[:MAX_METADATA_PAIRS]) == []
    assert "longer than 64" in check_metadata([("k" * 65, "v")])[0].message
    assert check_metadata([("k" * 64, "v" * 512)]) == []
    assert "longer than 512" in check_metadata([("k", "v" * 513)])[0].message
    assert "appears twice" in check_metadata([("a", "1"), ("a", "2")])[0].message
    assert "empty" in check_metadata([("", "orphan value")])[0].message


def test_draft_problems_cover_model_sampling_and_schema() -> None:
    draft = AssistantDraft(temperature=2.5, top_p=-1, response_format="json_schema")
    messages = " ".join(p.message for p in draft.problems())
    assert "Choose a model" in messages
    assert "Temperature must be between 0 and 2" in messages
    assert "Top P must be between 0 and 1" in messages
    assert "JSON schema needs a name" in messages
    assert "Enter the JSON schema" in messages
    assert full_draft().problems() == []


# -- bodies ---------------------------------------------------------------------------------


def test_v2_body_uses_file_search_and_tool_resources() -> None:
    body = full_draft().request_body("v2", update=False)
    types = [t["type"] for t in body["tools"]]
    assert types == ["code_interpreter", "file_search", "function", "bing_grounding"]
    assert body["tool_resources"] == {
        "code_interpreter": {"file_ids": ["file-1"]},
        "file_search": {"vector_store_ids": ["vs_1"]},
    }
    assert body["response_format"]["json_schema"]["name"] == "answer"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["metadata"] == {"team": "qa", "tier": "gold"}
    assert "function_modes" not in json.dumps(body)


def test_v1_body_uses_retrieval_and_file_ids() -> None:
    draft = AssistantDraft(model="m", file_search=True, file_ids=("file-9",))
    body = draft.request_body("v1", update=True)
    assert body["tools"] == [{"type": "retrieval"}]
    assert body["file_ids"] == ["file-9"]
    assert "tool_resources" not in body and "temperature" not in body


def test_update_body_clears_removed_fields() -> None:
    body = AssistantDraft(model="m").request_body("v2", update=True)
    assert body["name"] is None and body["instructions"] is None
    assert body["tools"] == [] and body["metadata"] == {}
    assert body["temperature"] is None and body["response_format"] == "auto"


def test_draft_from_server_assistant_keeps_unknown_tools() -> None:
    assistant = Assistant.model_validate(
        {
            "id": "asst_1",
            "model": "m",
            "name": "N",
            "tools": [
                {"type": "retrieval"},
                {"type": "function", "function": WEATHER.model_dump(exclude_none=True)},
                {"type": "mcp", "server_label": "x", "server_url": "https://e.example"},
            ],
            "response_format": {"type": "json_object"},
            "metadata": {"a": "b"},
        }
    )
    draft = draft_from_assistant(assistant, {"get_weather": FunctionMode(kind="canned")})
    assert draft.file_search and not draft.code_interpreter
    assert [f.name for f in draft.functions] == ["get_weather"]
    assert draft.other_tools[0]["server_url"] == "https://e.example"
    assert draft.response_format == "json_object"
    assert draft.mode_for("get_weather").kind is FunctionModeKind.CANNED


# -- export / import ------------------------------------------------------------------------


def test_export_import_roundtrip_without_ids() -> None:
    original = full_draft()
    text = export_definition(original)
    assert "file-1" not in text and "vs_1" not in text and "canned" not in text
    result = import_definition(text)
    assert result.problems == [] and result.draft is not None
    expected = AssistantDraft(
        **{
            **original.__dict__,
            "code_interpreter_file_ids": (),
            "vector_store_ids": (),
            "function_modes": (),
        }
    )
    assert result.draft.definition_body("v2") == expected.definition_body("v2")
    assert result.draft.schema_strict and result.draft.metadata == original.metadata


def test_import_of_a_raw_assistant_object_drops_ids_and_says_so() -> None:
    raw = {
        "id": "asst_9",
        "object": "assistant",
        "created_at": 1,
        "model": "m",
        "tools": [{"type": "code_interpreter"}],
        "tool_resources": {"code_interpreter": {"file_ids": ["file-x"]}},
        "colour": "blue",
    }
    result = import_definition(json.dumps(raw))
    assert result.draft is not None and result.draft.code_interpreter
    assert result.draft.code_interpreter_file_ids == ()
    assert any("“id”" in n for n in result.notes)
    assert any("colour" in n for n in result.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1]", "JSON object"),
        ('{"kind": "something-else"}', "not an assistant definition"),
        ('{"kind": "assistants-playground.assistant", "version": 99}', "Unsupported"),
        ('{"model": 5}', "“model” must be text"),
        ('{"model": "m", "temperature": "hot"}', "must be a number"),
        ('{"model": "m", "tools": {}}', "must be a list"),
        ('{"model": "m", "tools": [{"type": "function"}]}', "has no “function”"),
        ('{"model": "m", "metadata": {"a": 1}}', "object of text values"),
    ],
)
def test_import_refuses_broken_input_with_reasons(text: str, expected: str) -> None:
    result = import_definition(text)
    assert result.draft is None
    assert expected in " ".join(result.problems)


def test_import_keeps_a_fixable_draft_and_lists_what_to_fix() -> None:
    text = json.dumps(
        {
            "model": "m",
            "tools": [{"type": "function", "function": {"name": "bad name", "parameters": {}}}],
        }
    )
    result = import_definition(text)
    assert result.draft is not None
    assert any("bad name" in p for p in result.problems)


# -- the editor view model (not connected) --------------------------------------------------


async def test_dirty_state_and_revert(qapp: object) -> None:
    env = make_env()
    editor = AssistantEditorViewModel(env.session)
    dirty: list[bool] = []
    editor.dirty_changed.connect(dirty.append)
    assistant = Assistant(id="asst_1", model="m", name="Original")
    editor.load(assistant)
    assert not editor.is_dirty
    editor.update(name="Changed")
    assert editor.is_dirty and dirty == [True]
    editor.update(name="Original")
    assert not editor.is_dirty and dirty == [True, False]
    editor.update(metadata=[("k", "v")])
    editor.revert()
    assert editor.draft.name == "Original" and editor.draft.metadata == ()
    assert not editor.is_dirty


async def test_rename_keeps_the_function_mode(qapp: object) -> None:
    env = make_env()
    editor = AssistantEditorViewModel(env.session)
    canned = FunctionMode(kind=FunctionModeKind.CANNED, canned_output='{"ok": true}')
    editor.put_function(WEATHER, canned)
    renamed = WEATHER.model_copy(update={"name": "weather_now"})
    editor.put_function(renamed, None, replacing="get_weather")
    assert editor.draft.function_names() == ["weather_now"]
    assert editor.draft.mode_for("weather_now") == canned
    editor.remove_function("weather_now")
    assert editor.draft.functions == () and editor.draft.function_modes == ()


async def test_save_refuses_an_invalid_draft_with_a_message(qapp: object) -> None:
    env = make_env()
    editor = AssistantEditorViewModel(env.session)
    refused: list[str] = []
    editor.save_refused.connect(refused.append)
    editor.load_unsaved(AssistantDraft(model="m"))
    editor.put_function(FunctionDefinition(name="bad name", parameters={"type": "string"}))
    assert await editor.save_async() is None
    assert refused and "bad name" in refused[0] and 'set "type": "object"' in refused[0]
    assert env.errors[0][0] == "The assistant cannot be saved yet"


async def test_save_without_a_connection_says_so(qapp: object) -> None:
    env = make_env()
    editor = AssistantEditorViewModel(env.session)
    editor.load_unsaved(AssistantDraft(model="m"))
    assert await editor.save_async() is None
    assert env.errors == [("Not connected", "Connect to a server first.")]
