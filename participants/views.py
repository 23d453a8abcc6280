"""Hub administration of registrations and eligibility, and the public registration form."""

from __future__ import annotations

from django.urls import URLPattern

hub_urlpatterns: list[URLPattern] = []
public_urlpatterns: list[URLPattern] = []
