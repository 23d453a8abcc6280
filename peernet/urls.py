from django.contrib import admin
from django.urls import include, path

from alumni import urls as alumni_urls
from alumni.learning_sets import views as learning_set_views
from api import urls as api_urls
from cohorts import urls as cohorts_urls
from participants import urls as participants_urls
from peernet import account_urls, outbox_views, privacy_urls, staff_views, views
from reporting import urls as reporting_urls
from reporting import views as reporting_views
from sessions import urls as sessions_urls

# The hub administration area, /hub/<hub>/..., assembled from the apps that own its pages.
hub_urlpatterns = [
    *reporting_urls.hub_urlpatterns,
    *participants_urls.hub_urlpatterns,
    *cohorts_urls.hub_urlpatterns,
    *sessions_urls.hub_urlpatterns,
    *staff_views.hub_urlpatterns,
    *outbox_views.hub_urlpatterns,
    *alumni_urls.hub_urlpatterns,
]

# The facilitator's area, /facilitation/...: their sessions, and their cohorts' joining details.
facilitation_urlpatterns = [
    *sessions_urls.facilitation_urlpatterns,
    *cohorts_urls.facilitation_urlpatterns,
    *alumni_urls.facilitation_urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("scenario/schema.json", reporting_views.scenario_schema, name="scenario-schema"),
    *sessions_urls.calendar_feed_urlpatterns,
    path("hub/<slug:hub>/", include((hub_urlpatterns, "hub"))),
    path("facilitation/", include((facilitation_urlpatterns, "facilitation"))),
    path("one-to-one/", include((sessions_urls.one_to_one_urlpatterns, "one_to_one"))),
    path("national/", include((reporting_urls.national_urlpatterns, "national"))),
    path("privacy/", include((privacy_urls.urlpatterns, "privacy"))),
    path("learning-sets/", include((learning_set_views.urlpatterns, "learning_sets"))),
    path("account/", include((account_urls.urlpatterns, "account"))),
    path(
        "p/",
        include(
            (
                [*participants_urls.public_urlpatterns, *alumni_urls.public_urlpatterns],
                "public",
            )
        ),
    ),
    path("api/v1/", include((api_urls.urlpatterns, "api"))),
    path("admin/", admin.site.urls),
]

# An error no page handled: 503 when the database is away, else 500 (peernet.views).
handler500 = "peernet.views.server_error"
