"""Assistant CRUD and cursor pagination through the official SDK and plain HTTP."""

from __future__ import annotations

import pytest

from tests.helpers.spec_schema import assert_matches

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_assistant_crud_with_sdk(sdk) -> None:  # type: ignore[no-untyped-def]
    created = sdk.beta.assistants.create(
        model="scripted-model",
        name="Helper",
        instructions="Be brief.",
        tools=[
            {"type": "code_interpreter"},
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {}},
                },
            },
        ],
        metadata={"team": "core"},
        temperature=0.5,
    )
    assert created.id.startswith("asst_")
    assert created.name == "Helper" and created.temperature == 0.5
    raw = sdk.beta.assistants.with_raw_response.retrieve(created.id)
    assert_matches("AssistantObject", raw.http_response.json())
    assert raw.parse().tools[1].function.name == "get_weather"

    updated = sdk.beta.assistants.update(created.id, name="Renamed", metadata={"v": "2"})
    assert updated.name == "Renamed" and updated.metadata == {"v": "2"}
    assert updated.instructions == "Be brief."  # unchanged fields stay

    deleted = sdk.beta.assistants.delete(created.id)
    assert deleted.deleted is True and deleted.id == created.id
    import openai

    with pytest.raises(openai.NotFoundError) as info:
        sdk.beta.assistants.retrieve(created.id)
    assert info.value.body["message"] == f"No assistant found with id '{created.id}'."


def test_cursor_pagination(http) -> None:  # type: ignore[no-untyped-def]
    ids = [
        http.post(
            "/assistants", json={"model": "m", "name": f"page-{i}", "metadata": {"set": "pg"}}
        ).json()["id"]
        for i in range(5)
    ]
    desc = http.get("/assistants", params={"limit": 100}).json()
    assert_matches("ListAssistantsResponse", desc)
    ours_desc = [a["id"] for a in desc["data"] if a["id"] in ids]
    assert ours_desc == list(reversed(ids))

    first = http.get("/assistants", params={"limit": 2, "order": "asc", "after": ids[0]}).json()
    assert [a["id"] for a in first["data"]] == ids[1:3]
    assert first["has_more"] is True
    assert first["first_id"] == ids[1] and first["last_id"] == ids[2]
    last = http.get("/assistants", params={"limit": 2, "order": "asc", "after": ids[2]}).json()
    assert [a["id"] for a in last["data"]] == ids[3:5]
    assert last["has_more"] is False

    before = http.get("/assistants", params={"limit": 2, "order": "asc", "before": ids[4]}).json()
    assert [a["id"] for a in before["data"]] == ids[2:4]
    assert before["has_more"] is True
    desc_after = http.get("/assistants", params={"limit": 3, "after": ids[4]}).json()
    assert [a["id"] for a in desc_after["data"]] == list(reversed(ids[1:4]))


def test_sdk_auto_pager_visits_every_item(sdk, http) -> None:  # type: ignore[no-untyped-def]
    made = {http.post("/assistants", json={"model": "m"}).json()["id"] for _ in range(7)}
    seen = [a.id for a in sdk.beta.assistants.list(limit=3)]
    assert made <= set(seen)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "model"),
        ({"model": 5}, "model"),
        ({"model": "m", "temperature": 3}, "temperature"),
        ({"model": "m", "tools": [{"type": "retrieval"}]}, "tools[0].type"),
        (
            {"model": "m", "tools": [{"type": "function", "function": {"name": "bad name"}}]},
            "tools[0].function.name",
        ),
        ({"model": "m", "metadata": {"k": 1}}, "metadata.k"),
        (
            {"model": "m", "tool_resources": {"code_interpreter": {"file_ids": ["file-missing"]}}},
            "tool_resources.code_interpreter.file_ids[0]",
        ),
        ({"model": "m", "response_format": {"type": "yaml"}}, "response_format"),
    ],
)
def test_invalid_bodies_are_400_with_param(http, body, param) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/assistants", json=body)
    assert response.status_code == 400, response.text
    assert_matches("ErrorResponse", response.json())
    assert response.json()["error"]["param"] == param
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_bad_list_queries(http) -> None:  # type: ignore[no-untyped-def]
    for params, param in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"order": "up"}, "order"),
        ({"after": "asst_nope"}, "after"),
    ):
        response = http.get("/assistants", params=params)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == param
