"""A URLconf with only the joining-instructions view (with the login page it redirects
to, and the home and sign-out links of the layout a 404 page is drawn in), for its
tests; the lead mounts the view in peernet/urls.py under the same `facilitation`
namespace."""

from django.urls import include, path

from peernet import views
from sessions.joining_views import facilitation_joining_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("facilitation/", include((facilitation_joining_urlpatterns, "facilitation"))),
]
