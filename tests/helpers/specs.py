"""Where the tests find the API specs: the copies committed in ``specs/`` (see its SOURCES.md).

Tests read only files inside the repository, so a user's fresh clone checks the same
contract the developers' machines do.
"""

from __future__ import annotations

from pathlib import Path

SPECS_DIR = Path(__file__).resolve().parents[2] / "specs"
OPENAI_SPEC = SPECS_DIR / "openai-openapi.yaml"
AZURE_SPEC = SPECS_DIR / "azure-openai-assistants-2024-05-01-preview.json"
