"""Reporting pages. For now: the published JSON Schema of the scenario format."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from reporting.scenario import SCHEMA


@require_GET
def scenario_schema(request: HttpRequest) -> JsonResponse:
    """SCENARIO-FORMAT.md: the document is published as a JSON Schema (no personal data)."""
    return JsonResponse(SCHEMA, json_dumps_params={"indent": 2, "ensure_ascii": False})
