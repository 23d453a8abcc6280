"""URL patterns of the reporting app, mounted by peernet/urls.py."""

from django.urls import URLPattern, path

from reporting import views

hub_urlpatterns: list[URLPattern] = [
    path("", views.hub_dashboard, name="home"),
]
