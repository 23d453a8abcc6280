"""The Participant Charter (C1): sent by a signed, expiring emailed link and signed in the
browser by the participant."""

from __future__ import annotations

from django.urls import URLPattern

hub_urlpatterns: list[URLPattern] = []
public_urlpatterns: list[URLPattern] = []
