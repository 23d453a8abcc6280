"""The API's readable reference page, /api/v1/ (docs/api.md): every operation of the
OpenAPI document (`api.views.api`), its parameters and answers, drawn server-side on the
service's own layout. No script and nothing from another site, so it works under the
Content-Security-Policy (peernet/settings.py) and with no internet."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from api.views import api

METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's operations, in its order: method, path, summary, description,
    parameters and answers."""
    found = []
    for route, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            found.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", "")
                            or p.get("schema", {}).get("description", ""),
                            "values": " | ".join(
                                str(v) for v in p.get("schema", {}).get("enum", [])
                            ),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": "requestBody" in operation,
                    "responses": [
                        (status, answer.get("description", ""))
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


@require_GET
def reference(request: HttpRequest) -> HttpResponse:
    document = api.get_openapi_schema(path_prefix=request.path.rstrip("/"))
    return render(
        request,
        "api/reference.html",
        {"document": document, "operations": operations(document)},
    )
