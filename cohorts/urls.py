"""URL patterns of the cohorts app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there is given the hub named by the URL's `hub` key as `request.hub` by
`peernet.access.hub_admin_required`. The views module keeps the list; this file gathers it.
"""

from django.urls import URLPattern

from cohorts import views

hub_urlpatterns: list[URLPattern] = [*views.hub_urlpatterns]
