"""URL patterns of the sessions app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there takes the hub key as `hub` and fetches it with
`peernet.access.hub_for_admin`.
"""

from django.urls import URLPattern, path

from sessions import views

hub_urlpatterns: list[URLPattern] = [
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/<slug:key>/", views.complaint_detail, name="complaint"),
]
