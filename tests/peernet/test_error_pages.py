"""The 404 and 500 pages are the service's own GOV.UK pages: the layout with the
service's name, a heading that says what happened, and what to do next."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from peernet.views import server_error

pytestmark = pytest.mark.django_db


def test_an_address_that_does_not_exist_is_the_gov_uk_page_not_found(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f"<title>Page not found – {settings.SERVICE_NAME}</title>" in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "If you typed the web address, check it is correct." in html
    assert 'class="govuk-template__body"' in html and 'href="/"' in html


def test_another_hubs_record_is_the_same_page_not_found(client, personas, settings):
    settings.DEBUG = False
    client.force_login(personas.hub_b_admin)
    response = client.get(f"/hub/{personas.hub_a.key}/")
    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.content.decode()


def _server_error(exception: Exception):
    """The handler's page for `exception`, raised while a request was handled."""
    try:
        raise exception
    except type(exception):
        return server_error(RequestFactory().get("/"))


def test_an_error_is_the_gov_uk_problem_with_the_service_page(settings):
    response = _server_error(ValueError("boom"))
    assert response.status_code == 500
    html = response.content.decode()
    assert f"<title>Sorry, there is a problem with the service – {settings.SERVICE_NAME}" in html
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in html
    assert 'class="govuk-template__body"' in html


def test_the_database_away_is_a_503_saying_to_try_again():
    response = _server_error(OperationalError("gone"))
    assert response.status_code == 503 and response["Retry-After"]
    assert 'class="govuk-template__body"' in response.content.decode()
