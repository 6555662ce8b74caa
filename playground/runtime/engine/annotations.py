"""Annotations on the assistant's reply text.

- ``file_path``: each ``sandbox:/mnt/data/NAME`` in the reply whose NAME the code
  interpreter produced during this run.
- ``file_citation``: each marker ``【k:i†name】`` the model copied from search results
  (``k`` = the run's k-th file_search call, ``i`` = result index). Rule when the model
  wrote no valid marker although its last search found something: one marker per
  distinct file of that search (best result first, at most three) is appended to the
  text, so the answer still says where it came from.
"""

from __future__ import annotations

import re
from typing import Any

SANDBOX_LINK = re.compile(r"sandbox:/mnt/data/([^\s)\]\"'<>`]+)")
CITATION_MARK = re.compile(r"【(\d+):(\d+)†[^】]*】")
MAX_APPENDED_CITATIONS = 3


def file_path_annotations(text: str, produced: dict[str, str]) -> list[dict[str, Any]]:
    annotations = []
    for match in SANDBOX_LINK.finditer(text):
        name = match.group(1).rstrip(".,;:!?")
        file_id = produced.get(name)
        if file_id is None:
            continue
        start = match.start()
        end = match.start(1) + len(name)
        annotations.append(
            {
                "type": "file_path",
                "text": text[start:end],
                "start_index": start,
                "end_index": end,
                "file_path": {"file_id": file_id},
            }
        )
    return annotations


def citation_annotations(text: str, citations: dict[str, list[str]]) -> list[dict[str, Any]]:
    annotations = []
    for match in CITATION_MARK.finditer(text):
        entry = citations.get(f"{match.group(1)}:{match.group(2)}")
        if entry is None:
            continue
        annotations.append(
            {
                "type": "file_citation",
                "text": match.group(0),
                "start_index": match.start(),
                "end_index": match.end(),
                "file_citation": {"file_id": entry[0]},
            }
        )
    return annotations


def appended_citations(search: int, citations: dict[str, list[str]]) -> str:
    """Markers for the distinct files of search ``search`` (results are stored best first)."""
    seen: set[str] = set()
    marks: list[str] = []
    index = 0
    while f"{search}:{index}" in citations and len(marks) < MAX_APPENDED_CITATIONS:
        file_id, filename = citations[f"{search}:{index}"][:2]
        if file_id not in seen:
            seen.add(file_id)
            marks.append(f"【{search}:{index}†{filename}】")
        index += 1
    return "".join(marks)


def annotate(
    text: str,
    produced: dict[str, str],
    citations: dict[str, list[str]],
    uncited_search: int | None,
) -> tuple[str, list[dict[str, Any]]]:
    """Final text (maybe with appended markers) and its annotations in text order."""
    found = citation_annotations(text, citations)
    if not found and uncited_search is not None:
        marks = appended_citations(uncited_search, citations)
        if marks:
            # Only ever append, so what was already streamed stays a prefix of the text.
            text = text + (" " if text.strip() else "") + marks
            found = citation_annotations(text, citations)
    annotations = found + file_path_annotations(text, produced)
    annotations.sort(key=lambda a: a["start_index"])
    return text, annotations
