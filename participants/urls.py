"""URL patterns of the participants app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there takes the hub key as `hub` and fetches it with
`peernet.access.hub_for_admin`.
"""

from django.urls import URLPattern

hub_urlpatterns: list[URLPattern] = []

# Pages without a login (the public registration form, emailed links): the `public`
# namespace.
public_urlpatterns: list[URLPattern] = []
