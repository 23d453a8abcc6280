"""A participant signs the Participant Charter through the emailed link, in Chromium on a
phone, including the one wrong input (submitting without ticking the box).

Found by this test, and fixed: a form posted from a `Referrer-Policy: no-referrer` page
goes out with `Origin: null` in every browser (the Fetch standard), and Django's CSRF
check refuses it. The Django test client sends no Origin header, so only a real browser
shows it. Only the landing redirect, which carries the token, is `no-referrer` now
(participants/links.py).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.services import participant_charter_link_issue
from tests.e2e.conftest import assert_error_summary, sign_the_charter
from tests.factories import make_eligible, make_hub, make_participant, make_programme

pytestmark = pytest.mark.django_db(transaction=True)


# The link is built as the hub's "Send the Participant Charter" builds it (the hub-admin
# journey follows the emailed one).
def test_participant_signs_the_charter_through_the_emailed_link(journey):
    programme = make_programme()
    hub = make_hub("gm", name="Greater Manchester Growth Hub")
    participant = make_eligible(make_participant(hub, programme, email="kim@example.org"))
    link = reverse("public:charter", args=[participant_charter_link_issue(participant=participant)])

    run = journey("participant-charter")
    phone = run.new_page(phone=True)
    phone.goto(link)
    assert "/p/charter/" in phone.url and link not in phone.url  # the token left the URL
    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        phone.get_by_role("button", name="Sign the Participant Charter").click()
    assert posted.value.status != 403, "the form post was refused (CSRF: Origin null)"
    assert_error_summary(phone, "Tick the box to agree to the Participant Charter", "id_agree")
    sign_the_charter(phone, run)
    participant.refresh_from_db()
    assert participant.charter_signed_at is not None
    assert participant.charter_signed_at <= timezone.now()
