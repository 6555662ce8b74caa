"""AssistantsViewModel against the real runtime process: list, filter, models, create with a
function and its mode, edit, duplicate, delete, export → import → save."""

from __future__ import annotations

import json
from pathlib import Path

from playground.protocol.tools import FunctionDefinition
from playground.store.function_modes import FunctionMode, FunctionModeKind
from playground.ui.viewmodels.assistants import AssistantsViewModel
from tests.helpers.qt_wait import until
from tests.ui import assistant_env as support
from tests.ui.support import MODEL, Env

# The shared fixtures: a real runtime per module and a connected session per test.
runtime = support.runtime
env = support.env

WEATHER = FunctionDefinition(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


async def make_vm(env: Env) -> AssistantsViewModel:
    vm = AssistantsViewModel(env.session)
    vm.refresh()
    await env.idle()
    return vm


async def test_list_filter_and_models(env: Env) -> None:
    a = await env.client.assistants.create({"model": MODEL, "name": "Alpha finder"})
    b = await env.client.assistants.create({"model": MODEL, "name": "Beta", "description": "x"})
    vm = await make_vm(env)
    ids = [x.id for x in vm.assistants]
    assert a.id in ids and b.id in ids
    assert vm.models == [MODEL]
    vm.set_filter("alpha")
    assert [x.id for x in vm.visible] == [a.id]
    vm.set_filter(b.id)
    assert [x.id for x in vm.visible] == [b.id]
    vm.set_filter("")
    assert len(vm.visible) == len(vm.assistants)
    assert env.errors == []


async def test_create_with_function_and_mode(env: Env) -> None:
    vm = await make_vm(env)
    selected: list[object] = []
    vm.selected_changed.connect(selected.append)
    vm.new_assistant()
    assert vm.editor.draft.model == MODEL  # the first model the server named
    vm.editor.update(name="Weather bot", instructions="Use the tool.", metadata=[("team", "qa")])
    canned = FunctionMode(kind=FunctionModeKind.CANNED, canned_output='{"temp": 21}')
    vm.editor.put_function(WEATHER, canned)
    vm.editor.update(code_interpreter=True, temperature=0.3)
    assert vm.editor.is_dirty
    saved = await vm.save_async()
    assert saved is not None and env.errors == []
    server = await env.client.assistants.retrieve(saved.id)
    assert server.name == "Weather bot" and server.metadata == {"team": "qa"}
    assert [t.type for t in server.tools] == ["code_interpreter", "function"]
    assert server.tools[1].function.parameters == WEATHER.parameters  # type: ignore[union-attr]
    assert server.temperature == 0.3
    assert vm.selected_id == saved.id and selected[-1] == saved.id
    assert not vm.editor.is_dirty and vm.editor.assistant_id == saved.id
    assert saved.id in [a.id for a in vm.assistants]
    profile_id = env.session.profile_id
    assert profile_id is not None
    stored = env.store.function_modes.get(profile_id, saved.id, "get_weather")
    assert stored == canned


async def test_select_edit_revert_and_save(env: Env) -> None:
    created = await env.client.assistants.create(
        {"model": MODEL, "name": "Editable", "instructions": "Old", "metadata": {"k": "v"}}
    )
    vm = await make_vm(env)
    await vm.select_async(created.id)
    assert vm.editor.draft.instructions == "Old"
    assert vm.editor.draft.metadata == (("k", "v"),)
    vm.editor.update(instructions="New", metadata=[])
    vm.revert()
    assert vm.editor.draft.instructions == "Old" and not vm.editor.is_dirty
    vm.editor.update(instructions="New", metadata=[], description="Now described")
    assert await vm.save_async() is not None
    server = await env.client.assistants.retrieve(created.id)
    assert server.instructions == "New" and server.description == "Now described"
    assert not server.metadata
    assert not vm.editor.is_dirty


async def test_function_mode_follows_rename_and_removal(env: Env) -> None:
    vm = await make_vm(env)
    vm.new_assistant()
    mode = FunctionMode(kind=FunctionModeKind.CANNED, canned_output="sunny")
    vm.editor.put_function(WEATHER, mode)
    saved = await vm.save_async()
    assert saved is not None
    renamed = WEATHER.model_copy(update={"name": "weather_now"})
    vm.editor.put_function(renamed, None, replacing="get_weather")
    await vm.save_async()
    profile_id = env.session.profile_id
    assert profile_id is not None
    modes = env.store.function_modes.for_assistant(profile_id, saved.id)
    assert modes == {"weather_now": mode}
    vm.editor.remove_function("weather_now")
    await vm.save_async()
    assert env.store.function_modes.for_assistant(profile_id, saved.id) == {}


async def test_duplicate_then_delete(env: Env) -> None:
    created = await env.client.assistants.create(
        {"model": MODEL, "name": "Original", "tools": [{"type": "code_interpreter"}]}
    )
    vm = await make_vm(env)
    await vm.select_async(created.id)
    vm.duplicate()
    assert vm.selected_id is None and vm.editor.assistant_id is None
    assert vm.editor.draft.name == "Original (copy)" and vm.editor.is_dirty
    copy = await vm.save_async()
    assert copy is not None and copy.id != created.id
    assert [t.type for t in copy.tools] == ["code_interpreter"]

    await vm.delete_async(copy.id)
    assert copy.id not in [a.id for a in vm.assistants]
    assert vm.selected_id is None and vm.editor.assistant_id is None
    listed = [a.id async for a in env.client.assistants.list(limit=100)]
    assert copy.id not in listed and created.id in listed


async def test_export_import_roundtrip_through_files(env: Env, tmp_path: Path) -> None:
    vm = await make_vm(env)
    vm.new_assistant()
    vm.editor.update(
        name="Exported",
        instructions="Answer in JSON.",
        response_format="json_schema",
        schema_name="answer",
        schema_text=json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}),
        metadata=[("origin", "test")],
        file_search=True,
    )
    vm.editor.put_function(WEATHER)
    original = await vm.save_async()
    assert original is not None
    path = tmp_path / "exported.json"
    await vm.export_to_async(path)
    text = path.read_text(encoding="utf-8")
    assert original.id not in text

    result = await vm.import_from_async(path)
    assert result.draft is not None and result.problems == []
    assert vm.selected_id is None and vm.editor.is_dirty
    imported = await vm.save_async()
    assert imported is not None and imported.id != original.id
    a = await env.client.assistants.retrieve(original.id)
    b = await env.client.assistants.retrieve(imported.id)
    fields = ("name", "instructions", "model", "metadata")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert [t.type for t in a.tools] == [t.type for t in b.tools]
    assert a.response_format == b.response_format
    assert env.errors == []


async def test_import_of_a_broken_file_reports_the_problem(env: Env, tmp_path: Path) -> None:
    vm = await make_vm(env)
    path = tmp_path / "broken.json"
    path.write_text('{"model": 42}', encoding="utf-8")
    result = await vm.import_from_async(path)
    assert result.draft is None
    assert env.errors[-1][0] == "The assistant could not be imported"
    assert "“model” must be text" in env.errors[-1][1]


async def test_disconnect_clears_the_list(env: Env) -> None:
    await env.client.assistants.create({"model": MODEL, "name": "Any"})
    vm = await make_vm(env)
    assert vm.assistants
    env.session.set_connection(None)
    await until(lambda: not vm.assistants, [vm.assistants_changed], what="list cleared")
    assert vm.selected_id is None
