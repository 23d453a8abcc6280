"""URL patterns of the sessions app, mounted by peernet/urls.py.

`hub_urlpatterns` live under /hub/<hub>/ in the `hub` namespace (hub administration);
every view there is given the hub named by the URL's `hub` key as `request.hub` by
`peernet.access.hub_admin_required`.

`facilitation_urlpatterns` live under /facilitation/ in the `facilitation` namespace
(the facilitator's area); a session's pages take the hub key as `hub` and the session's
public `code`, and fetch it with `peernet.access.session_for_facilitation`.
"""

from django.urls import URLPattern, path

from sessions import (
    action_card_views,
    feed_views,
    joining_views,
    list_views,
    observation_views,
    views,
)
from sessions.attendance import views as attendance_views
from sessions.one_to_one import views as one_to_one_views

hub_urlpatterns: list[URLPattern] = [
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/<slug:key>/", views.complaint_detail, name="complaint"),
    *observation_views.hub_observation_urlpatterns,
    *one_to_one_views.hub_one_to_one_urlpatterns,
    *list_views.hub_session_list_urlpatterns,
]

facilitation_urlpatterns: list[URLPattern] = [
    path("", views.facilitation_home, name="home"),
    path("<slug:hub>/sessions/<uuid:code>/", views.facilitation_session, name="session"),
    path(
        "<slug:hub>/sessions/<uuid:code>/attendance/",
        attendance_views.facilitation_attendance,
        name="attendance",
    ),
    path("<slug:hub>/sessions/<uuid:code>/notes/", views.facilitation_notes, name="notes"),
    path(
        "<slug:hub>/cohorts/<uuid:cohort>/members/<uuid:participant>/",
        attendance_views.facilitation_member,
        name="member",
    ),
    path("calendar-feed/", feed_views.facilitation_calendar_feed, name="calendar-feed"),
    *joining_views.facilitation_joining_urlpatterns,
    *action_card_views.facilitation_action_card_urlpatterns,
]

# The one-to-one provider's area, /one-to-one/... (namespace `one_to_one`); a
# participant's pages take the hub key as `hub` and the participant's public `code`.
one_to_one_urlpatterns: list[URLPattern] = [
    *one_to_one_views.one_to_one_urlpatterns,
    path("calendar-feed/", feed_views.one_to_one_calendar_feed, name="calendar-feed"),
]

# A facilitator's or provider's calendar feed behind its secret link (sessions/feeds.py):
# no sign-in, the link is the authority; mounted at the top level.
calendar_feed_urlpatterns: list[URLPattern] = [
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar-feed"),
]
