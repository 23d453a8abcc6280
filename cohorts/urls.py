"""URL patterns of the cohorts app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there takes the hub key as `hub` and fetches it with
`peernet.access.hub_for_admin`. The views module keeps the list; this file gathers it.
"""

from django.urls import URLPattern

from cohorts import views

hub_urlpatterns: list[URLPattern] = [*views.hub_urlpatterns]
