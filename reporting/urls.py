"""URL patterns of the reporting app, mounted by peernet/urls.py."""

from django.urls import URLPattern, path

from reporting import views

hub_urlpatterns: list[URLPattern] = [
    path("", views.hub_dashboard, name="home"),
]

# The national area for the coordinator, BEIS and the evaluator, /national/...
# (namespace `national`).
national_urlpatterns: list = []
