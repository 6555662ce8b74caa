"""View code: the Python (official ``openai`` SDK) and curl that reproduce an assistant or a run.

The key is never in the code: Python reads ``os.environ[KEY_ENV]`` and curl expands
``$KEY_ENV``, so a snippet can be pasted into a chat or a bug report safely. Values are
written with :func:`repr` (Python) and :func:`shlex.quote` (shell), so any text an assistant
holds — quotes, newlines, ``$(...)`` — stays data.

A run is reproduced with one *create thread and run* call carrying the messages the thread
had before the run and the run's effective settings (model, instructions, tools, sampling,
response format), then the function outputs that were given, matched by function name and
arguments, whenever the run asks.
"""

from __future__ import annotations

import json
import pprint
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from playground.api import AssistantsClient
from playground.api.dialects import AzureDialect, Dialect
from playground.protocol import Assistant, FunctionToolCall, Message, Run, RunStep, ToolCallsDetails

#: The same variable name the request log's "copy as curl" uses.
KEY_ENV = "ASSISTANTS_API_KEY"

_ASSISTANT_FIELDS = (
    "model",
    "name",
    "description",
    "instructions",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
)
_RUN_FIELDS = ("model", "instructions", "tools", "temperature", "top_p", "response_format")


@dataclass(frozen=True)
class Target:
    """Where the code connects: an OpenAI-style base URL, or an Azure endpoint + version."""

    base_url: str
    kind: Literal["openai", "azure"] = "openai"
    api_version: str | None = None
    key_env: str = KEY_ENV


def assistant_body(assistant: Assistant) -> dict[str, Any]:
    """The create-assistant body that makes a copy of ``assistant``."""
    data = assistant.model_dump(mode="json", exclude_none=True)
    return {k: data[k] for k in _ASSISTANT_FIELDS if k in data and data[k] not in ({}, [])}


def _message_body(message: Message) -> dict[str, Any]:
    return {
        "role": "assistant" if message.role == "assistant" else "user",
        "content": message.text(),
    }


def run_body(run: Run, earlier: Sequence[Message]) -> dict[str, Any]:
    """The create-thread-and-run body reproducing ``run`` after the ``earlier`` messages."""
    data = run.model_dump(mode="json", exclude_none=True)
    body: dict[str, Any] = {"assistant_id": run.assistant_id}
    body["thread"] = {"messages": [_message_body(m) for m in earlier if m.text()]}
    for key in _RUN_FIELDS:
        if key in data and data[key] not in ({}, [], ""):
            body[key] = data[key]
    return body


def _py(value: object) -> str:
    return pprint.pformat(value, indent=1, width=88, sort_dicts=False)


def _client_lines(target: Target) -> list[str]:
    if target.kind == "azure":
        return [
            "from openai import AzureOpenAI",
            "",
            "client = AzureOpenAI(",
            f"    azure_endpoint={target.base_url!r},",
            f"    api_version={target.api_version or ''!r},",
            f"    api_key=os.environ[{target.key_env!r}],",
            ")",
        ]
    return [
        "from openai import OpenAI",
        "",
        f"client = OpenAI(base_url={target.base_url!r}, api_key=os.environ[{target.key_env!r}])",
    ]


def assistant_python(assistant: Assistant, target: Target) -> str:
    lines = ["import os", "", *_client_lines(target), ""]
    lines.append(f"ASSISTANT = {_py(assistant_body(assistant))}")
    lines += [
        "",
        "assistant = client.beta.assistants.create(**ASSISTANT)",
        "print(assistant.id)",
    ]
    return "\n".join(lines) + "\n"


def run_python(
    run: Run,
    earlier: Sequence[Message],
    outputs: Mapping[tuple[str, str], str],
    target: Target,
) -> str:
    """``outputs``: (function name, arguments JSON) → the output that was given."""
    given = [
        {"function": name, "arguments": _json_or_text(args), "output": out}
        for (name, args), out in outputs.items()
    ]
    lines = ["import json", "import os", "", *_client_lines(target), ""]
    lines.append(f"RUN = {_py(run_body(run, earlier))}")
    lines.append(f"TOOL_OUTPUTS = {_py(given)}")
    lines += [
        "",
        "",
        "def output_for(call):",
        '    """The output given last time for this function (same arguments first)."""',
        "    try:",
        "        arguments = json.loads(call.function.arguments or '{}')",
        "    except ValueError:",
        "        arguments = call.function.arguments",
        "    same_name = [o for o in TOOL_OUTPUTS if o['function'] == call.function.name]",
        "    for item in same_name:",
        "        if item['arguments'] == arguments:",
        "            return item['output']",
        "    return same_name[0]['output'] if same_name else ''",
        "",
        "",
        "run = client.beta.threads.create_and_run_poll(**RUN)",
        "while run.status == 'requires_action':",
        "    calls = run.required_action.submit_tool_outputs.tool_calls",
        "    run = client.beta.threads.runs.submit_tool_outputs_and_poll(",
        "        run_id=run.id,",
        "        thread_id=run.thread_id,",
        "        tool_outputs=[{'tool_call_id': c.id, 'output': output_for(c)} for c in calls],",
        "    )",
        "print(run.id, run.thread_id, run.status)",
        "for message in client.beta.threads.messages.list(",
        "    thread_id=run.thread_id, run_id=run.id, order='asc'",
        "):",
        "    for part in message.content:",
        "        if part.type == 'text':",
        "            print(part.text.value)",
    ]
    return "\n".join(lines) + "\n"


def _json_or_text(raw: str) -> object:
    try:
        return json.loads(raw or "{}")
    except ValueError:
        return raw


def _curl(target: Target, path: str, body: Mapping[str, Any]) -> str:
    if target.kind == "azure":
        url = f"{target.base_url.rstrip('/')}/openai{path}?api-version={target.api_version or ''}"
        auth = f'"api-key: ${target.key_env}"'
        extra: list[str] = []
    else:
        url = target.base_url.rstrip("/") + path
        auth = f'"Authorization: Bearer ${target.key_env}"'
        extra = ["-H", shlex.quote("OpenAI-Beta: assistants=v2")]
    parts = [
        "curl",
        shlex.quote(url),
        "-H",
        auth,
        *extra,
        "-H",
        shlex.quote("Content-Type: application/json"),
        "-d",
        shlex.quote(json.dumps(body, indent=2, ensure_ascii=False)),
    ]
    return " \\\n  ".join(parts) + "\n"


def assistant_curl(assistant: Assistant, target: Target) -> str:
    return _curl(target, "/assistants", assistant_body(assistant))


def run_curl(run: Run, earlier: Sequence[Message], target: Target) -> str:
    """Starts the same run; answering ``requires_action`` is left to the reader (a comment
    says so), since one curl command cannot wait for it."""
    note = ""
    if any(t.type == "function" for t in run.tools):
        note = (
            "# When the run reaches requires_action, POST the outputs to\n"
            "# /threads/THREAD_ID/runs/RUN_ID/submit_tool_outputs.\n"
        )
    return note + _curl(target, "/threads/runs", run_body(run, earlier))


async def run_inputs(
    client: AssistantsClient, thread_id: str, run_id: str
) -> tuple[Run, list[Message], dict[tuple[str, str], str]]:
    """Read what :func:`run_python` needs: the run, the messages before it, its outputs."""
    run = await client.runs.retrieve(thread_id, run_id)
    earlier: list[Message] = []
    for message in await client.messages.list(thread_id, order="asc").to_list():
        if message.run_id == run.id or message.created_at > run.created_at:
            break
        earlier.append(message)
    seen = observe_calls(await client.steps.list(thread_id, run_id, order="asc").to_list())
    return run, earlier, seen


def observe_calls(steps: Sequence[RunStep]) -> dict[tuple[str, str], str]:
    """(function name, arguments) → output, for every answered function call in ``steps``."""
    found: dict[tuple[str, str], str] = {}
    for step in steps:
        details = step.step_details
        if isinstance(details, ToolCallsDetails):
            for call in details.tool_calls:
                if isinstance(call, FunctionToolCall) and call.function.output is not None:
                    found[(call.function.name, call.function.arguments)] = call.function.output
    return found


def target_for(dialect: Dialect) -> Target:
    """Where generated code should connect to reach the same server as ``dialect``."""
    if isinstance(dialect, AzureDialect):
        endpoint = dialect.base_url.removesuffix("/openai")
        return Target(endpoint, "azure", dialect.api_version)
    return Target(dialect.base_url)
