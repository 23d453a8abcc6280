"""URL patterns of the participants app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there is given the hub named by the URL's `hub` key as `request.hub` by
`peernet.access.hub_admin_required`. `public_urlpatterns` (the `public` namespace, /p/) are
pages without a login: the public registration form and emailed links.

Each views module keeps its own lists; this file only gathers them.
"""

from django.urls import URLPattern

from participants import (
    action_card_link_views,
    bulk_views,
    charter_views,
    import_views,
    survey_bulk_views,
    survey_views,
    views,
)

hub_urlpatterns: list[URLPattern] = [
    *views.hub_urlpatterns,
    *charter_views.hub_urlpatterns,
    *bulk_views.hub_urlpatterns,
    *import_views.hub_urlpatterns,
    *survey_views.hub_urlpatterns,
    *survey_bulk_views.hub_urlpatterns,
]
public_urlpatterns: list[URLPattern] = [
    *views.public_urlpatterns,
    *charter_views.public_urlpatterns,
    *action_card_link_views.public_urlpatterns,
    *survey_views.public_urlpatterns,
]
