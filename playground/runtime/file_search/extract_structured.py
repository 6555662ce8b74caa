"""Text from JSON and CSV.

JSON is validated (a broken file should say so rather than be indexed as noise) and indexed
as written: its keys and values are already words. CSV rows are rewritten as
``column: value`` pairs so that every chunk keeps the header's meaning even when the header
row itself lies in another chunk.
"""

from __future__ import annotations

import csv
import io
import json
import sys

from .decoding import decode_text
from .errors import ExtractionError

_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def json_to_text(data: bytes) -> str:
    """The JSON document's text, after checking that it parses."""
    source = decode_text(data)
    try:
        json.loads(source)
    except json.JSONDecodeError as exc:
        raise ExtractionError(
            f"The JSON file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except RecursionError as exc:
        raise ExtractionError("The JSON file is nested too deeply to read.") from exc
    return source


def jsonl_to_text(data: bytes) -> str:
    """JSON Lines: every non-blank line must be a JSON value."""
    source = decode_text(data)
    for number, line in enumerate(source.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ExtractionError(
                f"Line {number} of the JSON Lines file is not valid JSON."
            ) from exc
    return source


def _dialect(sample: str, default_delimiter: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if default_delimiter == "\t" else csv.excel
        return dialect


def delimited_to_text(data: bytes, *, default_delimiter: str = ",") -> str:
    """CSV/TSV as one line per row of ``header: value`` pairs separated by ``; ``."""
    source = decode_text(data)
    if not source.strip():
        return ""
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    dialect = _dialect(source[:16384], default_delimiter)
    try:
        rows = list(csv.reader(io.StringIO(source), dialect))
    except csv.Error as exc:
        raise ExtractionError(f"The CSV file could not be parsed: {exc}.") from exc
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return ""
    header = [cell.strip() for cell in rows[0]]
    lines = ["; ".join(cell for cell in header if cell)]
    for row in rows[1:]:
        pairs = []
        for position, cell in enumerate(row):
            value = cell.strip()
            if not value:
                continue
            name = header[position] if position < len(header) and header[position] else ""
            pairs.append(f"{name}: {value}" if name else value)
        lines.append("; ".join(pairs))
    return "\n".join(lines)
