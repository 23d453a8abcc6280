"""Facilitator, in Chromium, with the KEYBOARD ONLY (Tab, typing, Space, Enter; no mouse,
no filling by script): signs in, takes the register of a session that has started, writes
the facilitator notes with hot topics, reviews an action card a member filled in, and
records a drop-out. The one wrong input: more hours attended than the session lasted;
the error summary's link takes the focus to that box. Every page is checked by axe, at
320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cohorts.models import CohortMembership
from peernet.models import Role
from sessions.action_cards import compose_actions
from sessions.models import ActionCard, Attendance, FacilitatorNote, Topic
from tests.e2e.conftest import (
    assert_error_summary,
    expect_text,
    focused,
    greater_manchester,
    key_press,
    key_type,
    sign_in,
    tab_to,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_facilitator_records_a_session_with_the_keyboard_only(journey):
    assert Topic.objects.filter(name="Finance").exists()  # seeded by the migrations
    now = timezone.now()
    today = timezone.localdate()
    gm = greater_manchester(today - dt.timedelta(days=120), today + dt.timedelta(days=240))
    hub, cohort = gm.hub, gm.cohort
    facilitator = make_user(
        Role.FACILITATOR, cohort=cohort, name="Fran Facilitator", email="fran@example.org"
    )
    members = gm.join(
        ["Ada Ames", "Ben Bright", "Cat Cole"],
        registered=today - dt.timedelta(days=60),
        joined=today - dt.timedelta(days=30),
    )
    people = {member.first_name: member for member in members}
    session = gm.started_session("salford-autumn-s2", now)
    # Ada filled in her action card through her emailed link; the facilitator reviews it.
    ActionCard.objects.create(
        session=session,
        participant=people["Ada"],
        actions=compose_actions("Cash flow in winter", "Talk to the bank"),
    )

    run = journey("facilitator")
    page = run.new_page()
    sign_in(page, facilitator, keyboard=True)
    run.check(page, "home")

    # The session that has started, from the recent sessions.
    label = (
        f"Salford autumn, {session.starts_at.astimezone(timezone.get_current_timezone()):%-d %B %Y}"
    )
    key_press(page, page.get_by_role("link", name=label), navigates=True)
    run.check(page, "session")

    # 1. The register, a table with no answer given: saved unanswered, it is refused with
    # an error for each member, linked to their row; then Ben absent, Ada's hours wrong at
    # first (4 of a 3-hour session).
    key_press(page, page.get_by_role("link", name="Take the register"), navigates=True)
    run.check(page, "attendance")
    ada, ben, cat = (str(people[name].code) for name in ("Ada", "Ben", "Cat"))
    assert page.locator("#register input[type=radio]:checked").count() == 0
    assert page.locator(f"#id_hours-{ada}").input_value() == ""
    key_press(page, page.get_by_role("button", name="Save attendance"), navigates=True)
    # The summary's link takes the focus to Ada's first radio.
    assert_error_summary(
        page, "Choose whether Ada Ames was present or absent", f"id_presence-{ada}_1", keyboard=True
    )
    expect_text(page, "Choose whether Cat Cole was present or absent")
    run.check(page, "attendance unanswered")
    assert not Attendance.objects.filter(session=session).exists()  # nothing was saved
    page.keyboard.press("Space")  # present
    key_type(page, f"#id_hours-{ada}", "4")
    # Tab reaches Ben's first radio; the arrows choose the third, absent with apologies.
    tab_to(page, f"#id_presence-{ben}_1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    key_press(page, f"#id_presence-{cat}_1", "Space")
    key_type(page, f"#id_hours-{cat}", "3")
    key_press(page, page.get_by_role("button", name="Save attendance"), navigates=True)
    message = "The hours Ada Ames attended must be 3.0 or fewer, the session's length"
    assert_error_summary(page, message, f"id_hours-{ada}", keyboard=True)
    run.check(page, "attendance error")
    assert not Attendance.objects.filter(session=session).exists()  # nothing was saved
    assert focused(page) == f"id_hours-{ada}"
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("2.5")
    key_press(page, page.get_by_role("button", name="Save attendance"), navigates=True)
    expect_text(page, "The attendance was saved.")
    run.check(page, "session with attendance")
    rows = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert rows[people["Ada"].pk].present and rows[people["Ada"].pk].hours == Decimal("2.5")
    assert not rows[people["Ben"].pk].present and rows[people["Ben"].pk].apologies
    assert rows[people["Cat"].pk].present and rows[people["Cat"].pk].hours == Decimal("3")

    # 2. The facilitator notes, with hot topics tagged from the BEIS list.
    key_press(page, page.get_by_role("link", name="Write the notes"), navigates=True)
    run.check(page, "facilitator notes")
    key_type(page, page.get_by_label("Issues brought"), "Ada: cash flow. Cat: hiring.")
    key_type(page, page.get_by_label("Actions agreed"), "Ada to talk to the bank.")
    key_type(page, page.get_by_label("Hot topics", exact=True), "Late payment, recruitment")
    key_press(page, page.get_by_label("Finance", exact=True), " ")
    key_press(page, page.get_by_label("HR", exact=True), " ")
    key_press(page, page.get_by_role("button", name="Save"), navigates=True)
    expect_text(page, "The facilitator notes were saved.")
    note = FacilitatorNote.objects.get(session=session)
    assert note.hot_topics == "Late payment, recruitment"
    assert sorted(t.name for t in note.session.topics.all()) == ["Finance", "HR"]

    # 3. Ada's action card, reviewed: the facilitator adds the report back and saves.
    # Reached from the session page, by the keyboard alone.
    page.goto(f"/facilitation/{hub.key}/sessions/{session.code}/")
    key_press(page, page.get_by_role("link", name="Review the action cards"), navigates=True)
    assert page.url.endswith(f"/facilitation/{hub.key}/sessions/{session.code}/action-cards/")
    run.check(page, "action cards")
    card = page.get_by_label("Actions agreed").first
    assert page.get_by_label("Problem or opportunity").first.input_value() == "Cash flow in winter"
    assert card.input_value() == "Talk to the bank"
    key_type(page, card, "Talk to the bank about an overdraft by Friday")
    key_press(page, page.get_by_role("button", name="Save action cards"), navigates=True)
    expect_text(page, "The action cards were saved.")
    ada_card = ActionCard.objects.get(session=session, participant=people["Ada"])
    assert ada_card.actions == compose_actions(
        "Cash flow in winter", "Talk to the bank about an overdraft by Friday"
    )

    # 4. Ben drops out, from his page.
    key_press(page, page.get_by_role("link", name="Ben Bright"), navigates=True)
    run.check(page, "member")
    key_type(page, "#id_on_0", str(today.day))
    key_type(page, "#id_on_1", str(today.month))
    key_type(page, "#id_on_2", str(today.year))
    # Tab reaches the first of the radios; Space chooses it.
    key_press(page, page.get_by_label("Circumstances outside their control"), key="Space")
    key_type(
        page,
        page.get_by_label("More about why (optional unless another reason)"),
        "Caring for a parent.",
    )
    key_press(page, page.get_by_role("button", name="Record the drop-out"), navigates=True)
    # The first click only asks, saying what recording it does; nothing is recorded yet.
    expect_text(page, "Are you sure Ben Bright has dropped out?")
    run.check(page, "confirm the drop-out")
    assert CohortMembership.objects.get(cohort=cohort, participant=people["Ben"]).left is None
    key_press(page, page.get_by_role("button", name="Yes, record the drop-out"), navigates=True)
    expect_text(page, "Ben Bright's drop-out was recorded.")
    run.check(page, "member dropped out")
    membership = CohortMembership.objects.get(cohort=cohort, participant=people["Ben"])
    assert membership.left == today
    people["Ben"].refresh_from_db()
    assert people["Ben"].dropout_cause == "outside_control"
