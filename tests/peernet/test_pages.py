"""Signing in and out, the home page, /health/, the heartbeat task and the built assets."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import include, path, reverse
from django.utils import timezone

from peernet import account_urls, views
from peernet.models import Role, RoleAssignment, User, WorkerHeartbeat
from peernet.services import worker_heartbeat_record
from peernet.tasks import record_worker_heartbeat
from tests.factories import make_cohort, make_hub, make_programme, make_totp_device, totp_now

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass phrase"


_AREA_HOME = [path("", views.health, name="home")]  # any view will do: only names matter
# A URL configuration with two areas (facilitation, one-to-one) and no others, so the
# routing tests mean the same whichever areas the real URL configuration has by then.
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("facilitation/", include((_AREA_HOME, "facilitation"))),
    path("one-to-one/", include((_AREA_HOME, "one_to_one"))),
    path("account/", include((account_urls.urlpatterns, "account"))),  # the second factor
]
TWO_AREA_URLS = __name__
# (The real configuration has the hub area, so a hub administrator such as `alice` is
# sent straight to the hub's dashboard; tests of the home page's own content use this.)


@pytest.fixture
def hub():
    return make_hub("hub-a", name="Greater Manchester Growth Hub")


@pytest.fixture
def programme():
    return make_programme()


@pytest.fixture
def alice(hub):
    user = User.objects.create_user(email="alice@example.org", password=PASSWORD, name="Alice Ng")
    RoleAssignment.objects.create(user=user, role=Role.HUB_ADMIN, hub=hub)
    return user


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def error_summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


# --- signing in --------------------------------------------------------------------------


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_sign_in_page_is_a_gov_uk_form_without_the_crown(client):
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in html
    assert 'class="govuk-skip-link"' in html
    assert "govuk-generic-header" in html
    assert settings.SERVICE_NAME in html
    # Not a GOV.UK domain: no crown, no GOV.UK logo, no GDS Transport.
    assert "govuk-header__logotype" not in html
    assert "GOV.UK" not in html
    assert "crown" not in html.lower()
    # Scripts only from files (the CSP will forbid inline script).
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "GOV.UK Frontend is not initialised"
    assert all(re.search(r'\bsrc="/static/js/init[^"]*\.js"', tag) for tag in scripts), scripts
    assert all('type="module"' in tag for tag in scripts)
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "inline script found"


def test_wrong_password_shows_the_error_summary(client, alice):
    response = sign_in(client, "alice@example.org", "not the password at all")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert error_summary_links(html) == [
        ("id_username", "Enter a correct email address and password")
    ]
    assert 'id="id_username"' in html  # the summary's link has a target
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_error_as_a_wrong_password(client, alice):
    response = sign_in(client, "nobody@example.org")
    assert error_summary_links(response.content.decode()) == [
        ("id_username", "Enter a correct email address and password")
    ]


def test_empty_form_names_each_missing_field(client):
    response = client.post("/login/", {"username": "", "password": ""})
    html = response.content.decode()
    assert error_summary_links(html) == [
        ("id_username", "Enter your email address"),
        ("id_password", "Enter your password"),
    ]
    assert 'id="id_username-error"' in html
    assert 'id="id_password-error"' in html


def test_deactivated_user_cannot_sign_in(client, alice):
    alice.is_active = False
    alice.save()
    response = sign_in(client, "alice@example.org")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.urls(TWO_AREA_URLS)  # no hub area: the home page lists the roles
def test_sign_in_lands_on_home_and_rotates_the_session_key(client, alice):
    client.get("/login/")
    session = client.session
    session["before"] = True  # make sure there is a session to rotate
    session.save()
    before = client.session.session_key

    response = sign_in(client, "Alice@Example.org ")  # case and spaces do not matter

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session.session_key != before  # docs/security.md §12
    # The password alone opens nothing: home sends Alice to the second step (docs/security.md
    # 11), and her code brings her back to it.
    device = make_totp_device(alice)
    step = client.get("/")
    assert step.status_code == 302
    assert step["Location"] == "/account/two-factor/?next=%2F"
    verified = client.post(step["Location"], {"code": totp_now(device)})
    assert verified["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Alice Ng" in home.content.decode()


def test_sign_in_follows_next(client, alice):
    response = client.post(
        "/login/?next=/health/",
        {"username": "alice@example.org", "password": PASSWORD, "next": "/health/"},
    )
    assert response["Location"] == "/health/"


def test_sign_in_refuses_to_redirect_off_site(client, alice):
    response = client.post(
        "/login/",
        {"username": "alice@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


# --- signing out -------------------------------------------------------------------------


@pytest.mark.urls(TWO_AREA_URLS)  # no hub area: the home page lists the roles
def test_sign_out_needs_post(client, alice):
    client.force_login(alice)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.urls(TWO_AREA_URLS)  # no hub area: the home page lists the roles
def test_sign_out_by_post_ends_the_session(client, alice):
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert re.search(r'<form method="post" action="/logout/"', home)

    response = client.post("/logout/", follow=True)

    assert response.redirect_chain[0] == ("/login/", 302)
    assert "You have signed out." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


# --- home --------------------------------------------------------------------------------


@pytest.mark.urls(TWO_AREA_URLS)  # no hub area: the home page lists the roles
def test_home_lists_the_roles_with_hub_and_cohort(client, alice, hub, programme):
    cohort = make_cohort(hub, programme, name="Salford Makers")
    RoleAssignment.objects.create(user=alice, role=Role.FACILITATOR, hub=hub, cohort=cohort)
    RoleAssignment.objects.create(user=alice, role=Role.ONE_TO_ONE_PROVIDER, hub=hub)
    client.force_login(alice)

    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Your roles</h1>' in html
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)[1:]
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
        for row in rows
    ]
    assert cells == [
        ["Hub administrator", "Greater Manchester Growth Hub", ""],
        ["Facilitator", "Greater Manchester Growth Hub", "Salford Makers"],
        ["One-to-one provider", "Greater Manchester Growth Hub", ""],
    ]


def test_home_says_so_when_the_user_has_no_role(client):
    user = User.objects.create_user(email="new@example.org", password=PASSWORD, name="New Person")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "You do not have a role yet" in html


def test_home_is_never_cached(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.urls(TWO_AREA_URLS)  # no hub area: the home page lists the roles
def test_home_shows_the_name_and_a_sign_out_button(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "Alice Ng" in html
    assert (
        '<button type="submit" class="govuk-service-navigation__link app-sign-out__button">' in html
    )
    assert "csrfmiddlewaretoken" in html


@pytest.mark.urls(TWO_AREA_URLS)
def test_home_links_only_the_areas_that_exist(client, alice, hub, programme):
    cohort = make_cohort(hub, programme)
    RoleAssignment.objects.create(user=alice, role=Role.FACILITATOR, hub=hub, cohort=cohort)
    RoleAssignment.objects.create(user=alice, role=Role.ONE_TO_ONE_PROVIDER, hub=hub)
    client.force_login(alice)

    html = client.get("/").content.decode()

    # Facilitation and one-to-one exist in this URL configuration; the hub area does not.
    assert '<a class="govuk-link" href="/facilitation/">Facilitator</a>' in html
    assert '<a class="govuk-link" href="/one-to-one/">One-to-one provider</a>' in html
    assert "Hub administrator" in html
    assert html.count('class="govuk-link"') == 2


@pytest.mark.urls(TWO_AREA_URLS)
def test_home_sends_a_user_with_one_place_to_go_straight_there(client, hub, programme):
    # A role whose area does not exist yet does not count as somewhere to go.
    user = User.objects.create_user(email="fay@example.org", password=PASSWORD, name="Fay")
    for name in ("One", "Two"):  # two cohorts, one area
        cohort = make_cohort(hub, programme, name=name)
        RoleAssignment.objects.create(user=user, role=Role.FACILITATOR, hub=hub, cohort=cohort)
    RoleAssignment.objects.create(user=user, role=Role.HUB_ADMIN, hub=hub)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/facilitation/"


def test_area_url_passes_the_hub_key_to_the_hub_area(alice, hub, monkeypatch):
    calls = []

    def fake_reverse(name, kwargs=None):
        calls.append((name, kwargs))
        return f"/hubs/{kwargs['hub']}/"

    monkeypatch.setattr(views, "reverse", fake_reverse)
    assignment = alice.role_assignments.get()
    assert views.area_url(assignment) == "/hubs/hub-a/"
    assert calls == [("hub:home", {"hub": "hub-a"})]


# --- health and the heartbeat ------------------------------------------------------------


def test_health_answers_without_signing_in(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "pages": "ok",
        "worker": None,
        "queued": 0,
        "oldest_queued_seconds": None,
    }
    assert "no-store" in response["Cache-Control"]


def test_health_fails_when_a_page_cannot_find_its_stylesheet(client, settings, tmp_path, caplog):
    """Production's manifest storage with no entry for the stylesheet (assets never built
    before collectstatic): every page would answer 500, so /health/ answers 503 and logs
    the traceback."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "pages": "error", "worker": None}
    failure = next(r for r in caplog.records if r.getMessage().startswith("Health check"))
    assert "Missing staticfiles manifest entry" in str(failure.exc_info[1])


def test_health_shows_the_latest_heartbeat(client):
    worker_heartbeat_record(worker="old@host")
    WorkerHeartbeat.objects.filter(worker="old@host").update(
        seen_at=timezone.now() - timezone.timedelta(hours=1)
    )
    latest = worker_heartbeat_record(worker="new@host")

    body = client.get("/health/").json()

    assert body["database"] == "ok"
    assert body["worker"] == latest.seen_at.isoformat()


def test_heartbeat_is_one_row_per_worker_moved_forward():
    first = worker_heartbeat_record(worker="celery@a")
    second = worker_heartbeat_record(worker="celery@a")
    assert WorkerHeartbeat.objects.count() == 1
    assert second.pk == first.pk
    assert second.seen_at >= first.seen_at


def test_heartbeat_task_runs_the_service():
    record_worker_heartbeat.apply()  # in process, whatever the broker
    (heartbeat,) = WorkerHeartbeat.objects.all()
    assert heartbeat.worker
    assert timezone.now() - heartbeat.seen_at < timezone.timedelta(minutes=1)


def test_beat_schedules_the_heartbeat():
    from peernet.celery import app

    (entry,) = [e for e in app.conf.beat_schedule.values() if "heartbeat" in e["task"]]
    assert entry["task"] == record_worker_heartbeat.name
    assert entry["schedule"] == 300


# --- assets ------------------------------------------------------------------------------

BUILT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "application.css"


@pytest.fixture
def built_assets():
    if not BUILT_CSS.exists() and os.environ.get("PEERNET_REQUIRE_SERVICES") != "1":
        pytest.skip("static/css/application.css is not built: run `npm run build`")


def test_built_css_is_served(client, settings, built_assets):
    settings.WHITENOISE_USE_FINDERS = True  # serve straight from static/, as in the demo
    response = client.get("/static/css/application.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = b"".join(response.streaming_content).decode()
    assert ".govuk-generic-header" in css
    assert ".app-sign-out__button" in css
    assert "arial" in css
    assert "GDS Transport" not in css
    assert "/static/govuk-frontend/assets/images/" in css


def test_every_asset_the_page_links_to_is_served(client, settings, built_assets):
    settings.WHITENOISE_USE_FINDERS = True
    html = client.get("/login/").content.decode()
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(urls) == 2, urls  # the stylesheet and init.js
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    # init.js imports GOV.UK Frontend relative to itself.
    init = client.get("/static/js/init.js")
    body = b"".join(init.streaming_content).decode()
    (module,) = re.findall(r'from "([^"]+)"', body)
    target = client.get(os.path.normpath(f"/static/js/{module}"))
    assert target.status_code == 200
    target.close()
