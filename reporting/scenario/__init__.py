"""The programme scenario format (docs/scenario-format.md): its published JSON Schema, and the
all-or-nothing import and deterministic export of a whole programme or one hub's part."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
FORMAT = "peernet-scenario/1"

from reporting.scenario.exporter import export_document  # noqa: E402
from reporting.scenario.importer import ImportSummary, import_document  # noqa: E402
from reporting.scenario.problems import Problem, ScenarioError  # noqa: E402

__all__ = [
    "FORMAT",
    "SCHEMA",
    "ImportSummary",
    "Problem",
    "ScenarioError",
    "export_document",
    "import_document",
]
