"""The files a thread produced, found in its steps and messages.

Both the inspector (which sees every step and message) and the outputs view model (which
fetches and caches the files) speak of an :class:`OutputRef`; it lives here so neither of
them has to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.protocol import (
    CodeInterpreterImageOutput,
    CodeInterpreterToolCall,
    FilePathAnnotation,
    ImageFileContent,
    Message,
    RunStep,
    TextContent,
    ToolCallsDetails,
)


@dataclass(frozen=True)
class OutputRef:
    """A file a thread produced: a code-interpreter image, an ``image_file`` or a ``file_path``."""

    file_id: str
    kind: str  # "image" | "file"
    name: str
    origin: str


def outputs_of_step(step: RunStep) -> list[OutputRef]:
    refs: list[OutputRef] = []
    details = step.step_details
    if isinstance(details, ToolCallsDetails):
        for call in details.tool_calls:
            if isinstance(call, CodeInterpreterToolCall):
                for output in call.code_interpreter.outputs:
                    if isinstance(output, CodeInterpreterImageOutput) and output.image.file_id:
                        refs.append(
                            OutputRef(
                                output.image.file_id,
                                "image",
                                f"{output.image.file_id}.png",
                                f"code interpreter ({step.id})",
                            )
                        )
    return refs


def sandbox_name(text: str, fallback: str) -> str:
    """``sandbox:/mnt/data/report.csv`` → ``report.csv`` (the server's name, sanitised later)."""
    name = text.rsplit("/", 1)[-1].strip().rstrip(")") if text else ""
    return name or fallback


def outputs_of_message(message: Message) -> list[OutputRef]:
    refs: list[OutputRef] = []
    for part in message.content:
        if isinstance(part, ImageFileContent) and part.image_file.file_id:
            file_id = part.image_file.file_id
            refs.append(OutputRef(file_id, "image", f"{file_id}.png", f"message {message.id}"))
        elif isinstance(part, TextContent):
            for note in part.text.annotations:
                if isinstance(note, FilePathAnnotation) and note.file_path.file_id:
                    file_id = note.file_path.file_id
                    name = sandbox_name(note.text, file_id)
                    refs.append(OutputRef(file_id, "file", name, f"message {message.id}"))
    return refs
