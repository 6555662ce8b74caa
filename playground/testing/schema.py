"""``python -m playground.testing.schema`` rewrites docs/suite.schema.json from the model."""

from __future__ import annotations

from pathlib import Path

from .suite import SCHEMA_PATH, suite_json_schema_text


def main() -> None:
    path = Path.cwd() / SCHEMA_PATH
    path.write_text(suite_json_schema_text(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
