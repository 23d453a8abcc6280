"""A participant signs the Participant Charter through the emailed link, in Chromium on a
phone, including the one wrong input (submitting without ticking the box).

KNOWN BUG, found by this test: every participant-link page is served with
`Referrer-Policy: no-referrer` (participants/links.py `no_referrer`). For a form posted
from such a page, Chromium (like every browser following the Fetch standard) sends
`Origin: null`, and Django's CSRF check refuses it: "Origin checking failed - null does
not match any trusted origins" (403). The Django test client sends no Origin header, so
the unit tests pass. Suggested fix: keep `no-referrer` on the landing redirect (the only
URL that carries the token) and send `same-origin` on the pages behind the clean URL.
The mark is strict: once fixed, this test passes and the mark must go.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.services import participant_charter_token
from tests.e2e.conftest import assert_error_summary
from tests.factories import make_eligible, make_hub, make_participant, make_programme

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xfail(
        strict=True,
        raises=AssertionError,
        reason="participant link forms get a CSRF 403 in a real browser (Origin: null)",
    ),
]


# The link is built as the hub's "Send the Participant Charter" builds it (the hub-admin
# journey follows the emailed one).
def test_participant_signs_the_charter_through_the_emailed_link(journey):
    programme = make_programme()
    hub = make_hub("gm", name="Greater Manchester Growth Hub")
    participant = make_eligible(make_participant(hub, programme, email="kim@example.org"))
    link = reverse("public:charter", args=[participant_charter_token(participant=participant)])

    run = journey("participant-charter")
    phone = run.new_page(phone=True)
    phone.goto(link)
    assert "/p/charter/" in phone.url and link not in phone.url  # the token left the URL
    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        phone.get_by_role("button", name="Sign the Participant Charter").click()
    assert posted.value.status != 403, "the form post was refused (CSRF: Origin null)"
    assert_error_summary(phone, "Tick the box to agree to the Participant Charter", "id_agree")
    phone.get_by_label("I agree to the Participant Charter").check()
    phone.get_by_role("button", name="Sign the Participant Charter").click()
    phone.wait_for_url("**/p/charter/signed/")
    run.check(phone, "charter signed")
    participant.refresh_from_db()
    assert participant.charter_signed_at is not None
    assert participant.charter_signed_at <= timezone.now()
