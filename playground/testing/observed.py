"""What one finished run did, read back from the server: the facts checks are evaluated on.

Read from the stored steps and messages (not from the streamed events) so the checks see
what the inspector and any other client would see, whether the run streamed or polled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.api import AssistantsClient
from playground.protocol import (
    CodeInterpreterImageOutput,
    CodeInterpreterToolCall,
    FilePathAnnotation,
    FunctionToolCall,
    ImageFileContent,
    Message,
    Run,
    RunStep,
    TextContent,
    ToolCallsDetails,
)


@dataclass(frozen=True, slots=True)
class FunctionCallSeen:
    name: str
    arguments: str
    output: str | None = None


@dataclass(frozen=True, slots=True)
class StepSeen:
    """One step as a replay diff shows it: its kind and, for tool calls, what was called."""

    kind: str  # "message_creation", "function", "code_interpreter", "file_search", ...
    label: str  # the function name, or the tool kind


@dataclass(frozen=True)
class RunObservation:
    run_id: str
    thread_id: str
    assistant_id: str
    status: str
    answer: str
    duration_s: float
    total_tokens: int | None
    failure: str = ""
    function_calls: tuple[FunctionCallSeen, ...] = ()
    image_file_ids: tuple[str, ...] = ()
    file_ids: tuple[str, ...] = ()
    steps: tuple[StepSeen, ...] = field(default=())


def observe(
    run: Run, steps: list[RunStep], messages: list[Message], duration_s: float, failure: str = ""
) -> RunObservation:
    """Fold a finished run, its steps and its messages into an observation."""
    calls: list[FunctionCallSeen] = []
    images: list[str] = []
    files: list[str] = []
    seen_steps: list[StepSeen] = []
    for step in steps:
        details = step.step_details
        if not isinstance(details, ToolCallsDetails):
            seen_steps.append(StepSeen(str(step.type or "message_creation"), "message"))
            continue
        for call in details.tool_calls:
            if isinstance(call, FunctionToolCall):
                fn = call.function
                calls.append(FunctionCallSeen(fn.name, fn.arguments, fn.output))
                seen_steps.append(StepSeen("function", fn.name))
            elif isinstance(call, CodeInterpreterToolCall):
                seen_steps.append(StepSeen("code_interpreter", "code_interpreter"))
                for out in call.code_interpreter.outputs:
                    if isinstance(out, CodeInterpreterImageOutput) and out.image.file_id:
                        images.append(out.image.file_id)
            else:
                kind = str(getattr(call, "type", None) or "tool")
                seen_steps.append(StepSeen(kind, kind))
    texts: list[str] = []
    for message in messages:
        if message.role != "assistant":
            continue
        if message.text():
            texts.append(message.text())
        for part in message.content:
            if isinstance(part, ImageFileContent) and part.image_file.file_id:
                images.append(part.image_file.file_id)
            elif isinstance(part, TextContent):
                for note in part.text.annotations:
                    if isinstance(note, FilePathAnnotation) and note.file_path.file_id:
                        files.append(note.file_path.file_id)
        for attachment in message.attachments or []:
            files.append(attachment.file_id)
    usage = run.usage
    return RunObservation(
        run_id=run.id,
        thread_id=run.thread_id,
        assistant_id=run.assistant_id,
        status=str(run.status),
        answer="\n\n".join(texts),
        duration_s=duration_s,
        total_tokens=usage.total_tokens if usage is not None else None,
        failure=failure,
        function_calls=tuple(calls),
        image_file_ids=tuple(dict.fromkeys(images)),
        file_ids=tuple(dict.fromkeys(files)),
        steps=tuple(seen_steps),
    )


async def read_observation(
    client: AssistantsClient, run: Run, duration_s: float, failure: str = ""
) -> RunObservation:
    """Read the run's steps and messages from the server and observe them."""
    steps = await client.steps.list(run.thread_id, run.id, order="asc").to_list()
    messages = await client.messages.list(run.thread_id, run_id=run.id, order="asc").to_list()
    return observe(run, steps, messages, duration_s, failure)
