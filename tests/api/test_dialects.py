"""URLs, query strings and headers for every dialect and version, and token refresh."""

from __future__ import annotations

import httpx
import pytest

from playground.api import (
    AZURE_ASSISTANTS_API_VERSIONS,
    AccessToken,
    ApiFamily,
    AzureDialect,
    ConfigurationError,
    FoundryDialect,
    OpenAIDialect,
    UnsupportedFeatureError,
    azure_api_family,
)

from .conftest import KEY, FakeClock, error, ok

ASSISTANT = {"id": "asst_1", "object": "assistant", "model": "m", "tools": []}
THREAD = {"id": "thread_1", "object": "thread", "created_at": 1}
FILE = {"id": "file-1", "object": "file", "filename": "a.txt", "purpose": "assistants"}


async def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/files"):
        return ok({"object": "list", "data": [FILE]})
    if request.url.path.endswith("/threads"):
        if request.method == "GET":
            return ok({"object": "list", "data": [THREAD], "has_more": False})
        return ok(THREAD)
    return ok(ASSISTANT)


@pytest.mark.parametrize("family", ["v1", "v2"])
async def test_openai_headers_and_urls(make, family: ApiFamily) -> None:
    h = make(answer, OpenAIDialect("http://127.0.0.1:9999/v1/", KEY, family=family))
    await h.client.assistants.retrieve("asst_1")
    await h.client.files.list().page()
    get, files = h.server.seen
    assert str(get.url) == "http://127.0.0.1:9999/v1/assistants/asst_1"
    assert get.headers["authorization"] == f"Bearer {KEY}"
    assert get.headers["openai-beta"] == f"assistants={family}"
    assert "api-key" not in get.headers
    # The SDK leaves the beta header off /files; so do we.
    assert str(files.url) == "http://127.0.0.1:9999/v1/files"
    assert "openai-beta" not in files.headers


async def test_openai_without_key_sends_no_authorization(make) -> None:
    h = make(answer, OpenAIDialect("http://127.0.0.1:9999/v1"))
    await h.client.assistants.retrieve("asst_1")
    assert "authorization" not in h.server.seen[0].headers


@pytest.mark.parametrize(
    ("version", "family"), [("2024-02-15-preview", "v1"), ("2024-05-01-preview", "v2")]
)
async def test_azure_key_every_call_has_api_version(make, version: str, family: str) -> None:
    dialect = AzureDialect("https://res.openai.azure.com/", version, api_key=KEY)
    assert dialect.family == family
    h = make(answer, dialect)
    await h.client.assistants.retrieve("asst_1")
    await h.client.threads.create({"metadata": {"a": "b"}})
    await h.client.assistants.list(limit=5, order="asc").page()
    for seen in h.server.seen:
        assert seen.url.host == "res.openai.azure.com"
        assert seen.path.startswith("/openai/")
        assert seen.url.params["api-version"] == version
        assert seen.headers["api-key"] == KEY
        assert "authorization" not in seen.headers
    assert h.server.seen[1].json() == {"metadata": {"a": "b"}}
    assert h.server.seen[2].url.params["limit"] == "5"
    assert h.server.seen[2].url.params["order"] == "asc"


async def test_azure_endpoint_with_openai_suffix_is_not_doubled(make) -> None:
    dialect = AzureDialect("https://res.openai.azure.com/openai", api_key=KEY)
    h = make(answer, dialect)
    await h.client.assistants.retrieve("asst_1")
    assert h.server.seen[0].path == "/openai/assistants/asst_1"


class CountingProvider:
    """Hands out numbered tokens, each valid for an hour from the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls = 0

    async def get_token(self) -> AccessToken:
        self.calls += 1
        return AccessToken(f"tok-{self.calls}-xyz", self.clock.now + 3600)


async def test_azure_entra_token(make, clock: FakeClock) -> None:
    provider = CountingProvider(clock)
    dialect = AzureDialect(
        "https://res.openai.azure.com",
        api_version="2025-04-01-preview",
        token_provider=provider,
        clock=clock,
    )
    h = make(answer, dialect, clock=clock)
    await h.client.assistants.retrieve("asst_1")
    seen = h.server.seen[0]
    assert seen.headers["authorization"] == "Bearer tok-1-xyz"
    assert "api-key" not in seen.headers


async def test_foundry_urls_token_refresh_and_thread_listing(make, clock: FakeClock) -> None:
    provider = CountingProvider(clock)
    endpoint = "https://acct.services.ai.azure.com/api/projects/proj"
    dialect = FoundryDialect(endpoint, provider, clock=clock)
    h = make(answer, dialect, clock=clock)

    await h.client.assistants.retrieve("asst_1")
    await h.client.assistants.retrieve("asst_1")
    assert provider.calls == 1  # cached
    clock.now += 3600 - 301  # still more than 5 minutes left
    await h.client.assistants.retrieve("asst_1")
    assert provider.calls == 1
    clock.now += 2  # now inside the 5-minute margin
    await h.client.assistants.retrieve("asst_1")
    assert provider.calls == 2

    first, *_, last = h.server.seen
    assert str(first.url) == f"{endpoint}/assistants/asst_1?api-version=v1"
    assert first.headers["authorization"] == "Bearer tok-1-xyz"
    assert last.headers["authorization"] == "Bearer tok-2-xyz"
    assert "openai-beta" not in first.headers

    page = await h.client.threads.list(limit=10).page()
    assert h.server.seen[-1].path == "/api/projects/proj/threads"
    assert [t.id for t in page.data] == ["thread_1"]
    assert h.server.seen[-1].url.params["limit"] == "10"


async def test_expired_token_is_refreshed_once_on_401(make, clock: FakeClock) -> None:
    provider = CountingProvider(clock)
    dialect = FoundryDialect(
        "https://a.services.ai.azure.com/api/projects/p", provider, clock=clock
    )

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer tok-1-xyz":
            return error(401, "token expired")
        return ok(ASSISTANT)

    h = make(handler, dialect, clock=clock)
    assistant = await h.client.assistants.retrieve("asst_1")
    assert assistant.id == "asst_1"
    assert provider.calls == 2
    assert h.sleeps == []


async def test_threads_list_refused_where_not_offered(make) -> None:
    h = make(answer)
    with pytest.raises(UnsupportedFeatureError, match="cannot list threads"):
        h.client.threads.list()
    assert h.server.seen == []


def test_azure_version_table_and_families() -> None:
    versions = [v.version for v in AZURE_ASSISTANTS_API_VERSIONS]
    assert versions[:4] == [
        "2024-02-15-preview",
        "2024-03-01-preview",
        "2024-04-01-preview",
        "2024-05-01-preview",
    ]
    assert "2025-04-01-preview" in versions
    assert {v.family for v in AZURE_ASSISTANTS_API_VERSIONS[:3]} == {"v1"}
    assert {v.family for v in AZURE_ASSISTANTS_API_VERSIONS[3:]} == {"v2"}
    assert azure_api_family("2025-09-01-preview") == "v2"  # newer previews stay v2
    with pytest.raises(ConfigurationError, match="does not offer the Assistants API"):
        azure_api_family("2024-10-21")
    with pytest.raises(ConfigurationError, match="older than the Assistants API"):
        azure_api_family("2023-12-01-preview")


def test_streaming_capability() -> None:
    assert (
        AzureDialect(
            "https://r.openai.azure.com", "2024-04-01-preview", api_key="k"
        ).supports_streaming
        is False
    )
    assert (
        AzureDialect(
            "https://r.openai.azure.com", "2024-05-01-preview", api_key="k"
        ).supports_streaming
        is True
    )
    assert OpenAIDialect("http://h/v1", family="v1").supports_streaming is True


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: OpenAIDialect("localhost:8000"), "not a web address"),
        (lambda: OpenAIDialect("http://h/v1?x=1"), "should not contain"),
        (lambda: AzureDialect("https://r.openai.azure.com"), "API key or an Entra"),
        (
            lambda: FoundryDialect(
                "https://a.services.ai.azure.com", CountingProvider(FakeClock())
            ),
            "api/projects",
        ),
    ],
)
def test_bad_settings_are_refused_in_words(build, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        build()
