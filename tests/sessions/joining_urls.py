"""A URLconf with only the joining-instructions view (and the login page it redirects
to), for its tests; the lead mounts the view in peernet/urls.py under the same
`facilitation` namespace."""

from django.urls import include, path

from peernet import views
from sessions.joining_views import facilitation_joining_urlpatterns

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("facilitation/", include((facilitation_joining_urlpatterns, "facilitation"))),
]
