"""URL patterns of the alumni app (after the programme), mounted by peernet/urls.py:
`hub_urlpatterns` in the hub administration area (/hub/<hub>/after/..., the `hub`
namespace), `facilitation_urlpatterns` in the facilitator's (/facilitation/...),
`public_urlpatterns` behind participants' emailed links (/p/..., `public`)."""

from django.urls import URLPattern

from alumni import link_views, views
from alumni.events import views as event_views

hub_urlpatterns: list[URLPattern] = [*views.hub_urlpatterns, *event_views.hub_urlpatterns]
facilitation_urlpatterns: list[URLPattern] = [*views.facilitation_urlpatterns]
public_urlpatterns: list[URLPattern] = [
    *link_views.public_urlpatterns,
    *event_views.public_urlpatterns,
]
