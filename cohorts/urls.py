"""URL patterns of the cohorts app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there is given the hub named by the URL's `hub` key as `request.hub` by
`peernet.access.hub_admin_required`. `facilitation_urlpatterns` join the sessions app's
under /facilitation/. The views module keeps the lists; this file gathers them.
"""

from django.urls import URLPattern

from cohorts import views

hub_urlpatterns: list[URLPattern] = [*views.hub_urlpatterns]
# Under /facilitation/ (namespace `facilitation`): the cohort's joining details.
facilitation_urlpatterns: list[URLPattern] = [*views.facilitation_urlpatterns]
