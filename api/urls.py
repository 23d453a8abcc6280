"""/api/v1/ (namespace `api`): the endpoints (`api.views`) and the readable reference
page of the OpenAPI document (`api.reference`)."""

from django.urls import path

from api import reference
from api.views import api

patterns, app_name, namespace = api.urls
urlpatterns: list = [
    # django-ninja's own root page gives way to the reference page.
    *(pattern for pattern in patterns if pattern.name != "api-root"),
    path("", reference.reference, name="reference"),
]
