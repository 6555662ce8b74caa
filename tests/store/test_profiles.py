from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from playground.store.errors import InvalidInputError, MissingRecordError
from playground.store.profiles import (
    AuthMode,
    ConnectionProfile,
    FoundryCredential,
    ProfileKind,
)
from playground.store.store import Store, open_store
from tests.store.conftest import files_containing


def azure(**kw: object) -> ConnectionProfile:
    data: dict[str, object] = {
        "name": "Azure dev",
        "kind": ProfileKind.AZURE,
        "base_url": "https://res.openai.azure.com",
        "api_version": "2024-05-01-preview",
    }
    data.update(kw)
    return ConnectionProfile.model_validate(data)


def test_roundtrip_every_kind_through_a_fresh_store(store: Store) -> None:
    saved = [
        store.profiles.save(
            ConnectionProfile(
                name="Local",
                kind=ProfileKind.EMBEDDED,
                auth_mode=AuthMode.NONE,
                model_base_url="http://127.0.0.1:11434/v1",
                model_name="qwen2.5:0.5b",
            )
        ),
        store.profiles.save(azure(auth_mode=AuthMode.ENTRA)),
        store.profiles.save(
            ConnectionProfile(
                name="OpenAI v1",
                kind=ProfileKind.OPENAI,
                base_url="http://127.0.0.1:8000/v1",
                api_family="v1",
            )
        ),
        store.profiles.save(
            ConnectionProfile(
                name="Foundry",
                kind=ProfileKind.FOUNDRY,
                base_url="https://acct.services.ai.azure.com/api/projects/p1",
                api_version="v1",
                auth_mode=AuthMode.ENTRA,
                foundry_credential=FoundryCredential.DEVICE_CODE,
            )
        ),
    ]
    reopened = open_store()  # new Database object: read back from disk
    assert reopened.profiles.list_all() == saved
    assert reopened.profiles.get(saved[3].id) == saved[3]
    assert reopened.profiles.get("prof_missing") is None


def test_update_keeps_position_and_id(store: Store) -> None:
    a = store.profiles.save(azure(name="A"))
    b = store.profiles.save(azure(name="B"))
    store.profiles.save(a.model_copy(update={"name": "A renamed"}))
    assert [p.name for p in store.profiles.list_all()] == ["A renamed", "B"]
    assert store.profiles.list_all()[1].id == b.id


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (lambda: azure(name="  "), "Give the connection a name."),
        (lambda: azure(base_url=""), "Enter the endpoint."),
        (lambda: azure(base_url="res.openai.azure.com"), "must be an http:// or https:// URL"),
        (lambda: azure(base_url="file:///etc/passwd"), "must be an http:// or https:// URL"),
        (lambda: azure(api_version=" "), "Choose an API version."),
        (
            lambda: ConnectionProfile(
                name="F",
                kind=ProfileKind.FOUNDRY,
                base_url="https://a.services.ai.azure.com/api/projects/p",
                api_version="v1",
                auth_mode=AuthMode.API_KEY,
            ),
            "Entra ID only",
        ),
        (
            lambda: ConnectionProfile(
                name="E", kind=ProfileKind.EMBEDDED, model_base_url="localhost:11434"
            ),
            "model endpoint must be an http",
        ),
    ],
)
def test_problems_block_saving_with_plain_words(store: Store, profile, expected: str) -> None:  # type: ignore[no-untyped-def]
    p = profile()
    assert any(expected in problem for problem in p.problems())
    with pytest.raises(InvalidInputError, match=re.escape(expected)):
        store.profiles.save(p)
    assert store.profiles.list_all() == []


def test_a_profile_cannot_carry_a_key() -> None:
    with pytest.raises(ValidationError):
        azure(api_key="sk-should-never-be-here")


def test_last_used_and_default(store: Store) -> None:
    default = store.profiles.ensure_default()
    assert default.kind is ProfileKind.EMBEDDED
    assert store.profiles.ensure_default() == default  # not created twice
    other = store.profiles.save(azure())
    store.profiles.set_last_used(other.id)
    assert open_store().profiles.last_used() == other
    store.profiles.delete(other.id)
    assert store.profiles.last_used() == default  # falls back to what is left


def test_delete_cascades_local_data(store: Store) -> None:
    p = store.profiles.save(azure())
    keep = store.profiles.save(azure(name="keep"))
    for prof in (p, keep):
        store.threads.add(prof.id, "thread_1")
        store.drafts.save(prof.id, "thread_1", "hello")
    store.profiles.delete(p.id)
    assert store.threads.list_threads(p.id) == []
    assert store.drafts.load(p.id, "thread_1") is None
    assert store.drafts.load(keep.id, "thread_1") is not None
    with pytest.raises(MissingRecordError, match="no saved connection"):
        store.profiles.delete(p.id)


def test_unreadable_row_is_skipped_not_fatal(store: Store) -> None:
    good = store.profiles.save(azure())
    with store.db.connect() as conn:
        conn.execute("INSERT INTO profiles (id, data, position) VALUES ('bad', '{nope', 99)")
    assert store.profiles.list_all() == [good]


def test_key_never_reaches_any_file(store: Store) -> None:
    key = "sk-test-5a8e1f0c9b7d4e2a-SECRET"
    p = store.profiles.save(azure())
    status = store.secrets.set(p.id, key)
    assert status.persistent
    store.profiles.set_last_used(p.id)
    store.threads.add(p.id, "thread_abc", title="t")
    store.drafts.save(p.id, "thread_abc", "draft text")
    assert store.secrets.get(p.id) == key
    assert files_containing(store.paths.data.parent, key) == []


def test_delete_profile_also_forgets_its_keys(store: Store) -> None:
    p = store.profiles.save(azure())
    store.secrets.set(p.id, "sk-gone")
    store.delete_profile(p.id)
    assert store.profiles.get(p.id) is None
    assert store.secrets.get(p.id) is None
