"""URL patterns of the cohorts app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there takes the hub key as `hub` and fetches it with
`peernet.access.hub_for_admin`.
"""

from django.urls import URLPattern

hub_urlpatterns: list[URLPattern] = []
