"""``POST /vector_stores/{id}/search``, file attributes and file content, as the official SDK
calls them (``client.vector_stores.search``, ``files.update``, ``files.content``)."""

from __future__ import annotations

import io

import pytest

from tests.helpers.runtime_process import wait_until
from tests.helpers.spec_schema import assert_matches

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HANDBOOK = (
    b"# Handbook\n\nThe return policy allows refunds within thirty days of purchase.\n"
    b"Shipping is free for orders above fifty euros.\n"
)
POLICY_2019 = b"Old policy: refunds were allowed within fourteen days of purchase.\n"
RECIPES = b"Pancakes need flour, eggs, milk and a pinch of salt.\n"


def _store_with_files(sdk, http):  # type: ignore[no-untyped-def]
    ids = {}
    for name, data, attributes in (
        ("handbook.md", HANDBOOK, {"year": 2024, "team": "support", "public": True}),
        ("policy-2019.txt", POLICY_2019, {"year": 2019, "team": "support", "public": False}),
        ("recipes.txt", RECIPES, {"year": 2024, "team": "kitchen"}),
    ):
        file_id = sdk.files.create(file=(name, io.BytesIO(data)), purpose="assistants").id
        ids[name] = file_id
        store_id = ids.setdefault("store", sdk.vector_stores.create(name="search").id)
        sdk.vector_stores.files.create(
            vector_store_id=store_id, file_id=file_id, attributes=attributes
        )

    def settled():  # type: ignore[no-untyped-def]
        body = http.get(f"/vector_stores/{ids['store']}").json()
        return body if body["file_counts"]["completed"] == 3 else None

    wait_until(settled)
    return ids


def test_search_ranks_chunks_and_reports_files(sdk, http) -> None:  # type: ignore[no-untyped-def]
    ids = _store_with_files(sdk, http)
    response = http.post(
        f"/vector_stores/{ids['store']}/search", json={"query": "refund policy days"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_matches("VectorStoreSearchResultsPage", body)
    assert body["search_query"] == ["refund policy days"]
    files = [item["file_id"] for item in body["data"]]
    assert set(files) == {ids["handbook.md"], ids["policy-2019.txt"]}
    assert ids["recipes.txt"] not in files
    scores = [item["score"] for item in body["data"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    top = body["data"][0]
    assert top["filename"] in ("handbook.md", "policy-2019.txt")
    assert "refund" in top["content"][0]["text"]
    assert top["attributes"]["team"] == "support"

    page = sdk.vector_stores.search(vector_store_id=ids["store"], query="pancakes flour")
    results = list(page)
    assert [r.file_id for r in results] == [ids["recipes.txt"]]
    assert results[0].filename == "recipes.txt"


def test_attribute_filters_select_files_before_ranking(sdk, http) -> None:  # type: ignore[no-untyped-def]
    ids = _store_with_files(sdk, http)
    url = f"/vector_stores/{ids['store']}/search"

    def found(filters: dict) -> set[str]:  # type: ignore[type-arg]
        response = http.post(url, json={"query": "refunds purchase", "filters": filters})
        assert response.status_code == 200, response.text
        return {item["filename"] for item in response.json()["data"]}

    assert found({"type": "eq", "key": "year", "value": 2024}) == {"handbook.md"}
    assert found({"type": "lt", "key": "year", "value": 2020}) == {"policy-2019.txt"}
    assert found({"type": "ne", "key": "public", "value": True}) == {"policy-2019.txt"}
    # A number never equals its string, nor a boolean a number.
    assert found({"type": "eq", "key": "year", "value": "2024"}) == set()
    assert found({"type": "eq", "key": "public", "value": 1}) == set()
    assert found(
        {
            "type": "or",
            "filters": [
                {"type": "eq", "key": "team", "value": "kitchen"},
                {
                    "type": "and",
                    "filters": [
                        {"type": "gte", "key": "year", "value": 2024},
                        {"type": "eq", "key": "public", "value": True},
                    ],
                },
            ],
        }
    ) == {"handbook.md"}

    # Several queries at once; max_num_results caps the merged page.
    body = http.post(url, json={"query": ["refunds", "pancakes"], "max_num_results": 2}).json()
    assert body["search_query"] == ["refunds", "pancakes"]
    assert len(body["data"]) == 2


def test_search_rejects_what_the_spec_rejects(sdk, http) -> None:  # type: ignore[no-untyped-def]
    store = sdk.vector_stores.create(name="empty")
    url = f"/vector_stores/{store.id}/search"
    for body, param in (
        ({}, "query"),
        ({"query": "x", "max_num_results": 51}, "max_num_results"),
        ({"query": "x", "bogus": 1}, "bogus"),
        ({"query": "x", "filters": {"type": "like", "key": "a", "value": "b"}}, "filters"),
        ({"query": []}, "query"),
    ):
        response = http.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error"
        assert (error["param"] or "").startswith(param), (body, error)
    empty = http.post(url, json={"query": "anything"}).json()
    assert empty["data"] == [] and empty["has_more"] is False
    assert http.post("/vector_stores/vs_missing/search", json={"query": "x"}).status_code == 404


def test_file_attributes_update_and_content(sdk, http) -> None:  # type: ignore[no-untyped-def]
    ids = _store_with_files(sdk, http)
    store, handbook = ids["store"], ids["handbook.md"]
    updated = sdk.vector_stores.files.update(
        file_id=handbook, vector_store_id=store, attributes={"year": 2025, "draft": True}
    )
    assert updated.attributes == {"year": 2025, "draft": True}
    again = http.get(f"/vector_stores/{store}/files/{handbook}").json()
    assert_matches("VectorStoreFileObject", again)
    assert again["attributes"] == {"year": 2025, "draft": True}
    hits = http.post(
        f"/vector_stores/{store}/search",
        json={"query": "refunds", "filters": {"type": "eq", "key": "draft", "value": True}},
    ).json()["data"]
    assert [hit["filename"] for hit in hits] == ["handbook.md"]

    too_long = http.post(
        f"/vector_stores/{store}/files/{handbook}", json={"attributes": {"k": "v" * 513}}
    )
    assert too_long.status_code == 400 and too_long.json()["error"]["param"] == "attributes"
    assert http.post(f"/vector_stores/{store}/files/{handbook}", json={}).status_code == 400
    assert (
        http.post(f"/vector_stores/{store}/files/file-nope", json={"attributes": {}}).status_code
        == 404
    )

    content = http.get(f"/vector_stores/{store}/files/{handbook}/content")
    assert content.status_code == 200, content.text
    page = content.json()
    assert page["object"] == "vector_store.file_content.page" and page["has_more"] is False
    text = "".join(item["text"] for item in page["data"])
    assert "thirty days" in text and "fifty euros" in text
    sdk_text = "".join(
        item.text or ""
        for item in sdk.vector_stores.files.content(file_id=handbook, vector_store_id=store)
    )
    assert "thirty days" in sdk_text
