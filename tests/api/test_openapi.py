"""The API's OpenAPI 3.1 document, /api/v1/openapi.json, and its readable reference page,
/api/v1/ (docs/api.md): generated from the code, every endpoint in both, and the page
works under the Content-Security-Policy with no internet (no script, nothing from
another site)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.test_api_access import ENDPOINTS

pytestmark = pytest.mark.django_db

DOCUMENTED = sorted(set(ENDPOINTS) - {"openapi-json", "reference"})


def test_the_document_is_openapi_3_1_with_every_endpoint(client, personas):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    paths = set(document["paths"])
    for name in DOCUMENTED:
        route = ENDPOINTS[name][0](personas)
        template = reverse(f"api:{name}", kwargs={k: f"{{{k}}}" for k in route})
        assert template.replace("%7B", "{").replace("%7D", "}") in paths, name
    schemes = document["components"]["securitySchemes"]
    assert schemes == {
        "TokenAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on your account page.",
        }
    }


def test_the_reference_page_lists_every_operation_and_needs_no_script(client):
    page = client.get("/api/v1/")
    assert page.status_code == 200
    html = page.content.decode()
    document = client.get("/api/v1/openapi.json").json()
    for route, item in document["paths"].items():
        for method in item:
            assert f"<code>{method.upper()} {route}</code>" in html
    assert "Content-Security-Policy" in page
    assert "script-src 'self'" in page["Content-Security-Policy"]
    # No inline script and nothing fetched from another site.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"""(?:src|href)=["']https?://""", html)
