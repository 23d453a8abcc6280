"""A business registered with two hubs (docs/security.md §1): hub A's people never see hub B's.

E9 asks about one business in every hub, so the business's people are read across hubs;
hub A may learn that someone registered with another hub (a count), but never their name,
email or eligibility status. `personas.participant_b_same_business` is that person: hub B,
participant_a's business. Each test makes them eligible or pending (the two statuses E9
speaks of) and then looks at every page hub A's people open.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from participants import registration_import as importer
from participants.models import EligibilityStatus
from tests import test_facilitation_pages_access as facilitation
from tests import test_hub_pages_access as hub_pages
from tests import test_one_to_one_pages_access as one_to_one
from tests.factories import Personas

pytestmark = pytest.mark.django_db

STATUSES = [EligibilityStatus.ELIGIBLE, EligibilityStatus.PENDING]


def _text(response) -> str:
    """A page's HTML, or a PDF's text."""
    if response["Content-Type"].startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return response.content.decode()


def _hidden(personas: Personas) -> list[str]:
    """What of hub B's person must never show in hub A: their name and email."""
    other = personas.participant_b_same_business
    return [other.first_name, other.last_name, other.email]


def _assert_nothing_of_hub_b(response, personas: Personas, where: str) -> None:
    content = _text(response)
    for text in _hidden(personas):
        assert text not in content, f"{where} shows {text!r}, of hub B"


def _others_row(content: str) -> str:
    """The participant page's "Others from the business this year", as read."""
    match = re.search(
        r"Others from the business this year</dt>\s*<dd[^>]*>(.*?)</dd>", content, re.S
    )
    assert match, "no 'Others from the business this year' row"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def _set_status(participant, status: str) -> None:
    participant.eligibility_status = status
    participant.eligibility_decided = None if status == EligibilityStatus.PENDING else "2021-05-10"
    participant.save(update_fields=["eligibility_status", "eligibility_decided"])


@pytest.fixture(params=STATUSES)
def two_hub_business(request, personas: Personas) -> Personas:
    other = personas.participant_b_same_business
    if request.param == EligibilityStatus.ELIGIBLE:
        # One eligible person per business (E9, held by the database too): hub A's
        # participant_a waits while hub B's person takes part.
        _set_status(personas.participant_a, EligibilityStatus.PENDING)
    _set_status(other, request.param)
    personas.participant_a.business.company_number = "07654321"
    personas.participant_a.business.save(update_fields=["company_number"])
    return personas


def test_the_participant_page_counts_the_other_hub_s_person_without_naming_them(
    client, two_hub_business
):
    p = two_hub_business
    client.force_login(p.hub_a_admin)
    url = reverse("hub:participant", kwargs={"hub": "hub-a", "code": p.participant_a.code})
    response = client.get(url)
    content = response.content.decode()
    _assert_nothing_of_hub_b(response, p, "the participant page")
    # A count, and no status beside it.
    assert _others_row(content) == "1 registered with another hub"


def test_the_same_hub_s_other_person_is_named_with_their_status(client, personas):
    from tests.factories import make_participant

    colleague = make_participant(
        personas.hub_a, personas.programme, business=personas.participant_a.business
    )
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:participant", kwargs={"hub": "hub-a", "code": personas.participant_a.code})
    row = _others_row(client.get(url).content.decode())
    assert row == f"{colleague.full_name} (not yet decided), 1 registered with another hub"


def _assert_page_shows_nothing_of_hub_b(client, people, user, url: str, page: str) -> None:
    """`user` opens `url`, and it shows nothing of the business's people at hub B."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    _assert_nothing_of_hub_b(response, people, page)


# A POST-only page answers a visit with 405 and shows nothing.
@pytest.mark.parametrize("name", [n for n in hub_pages.NAMES if not hub_pages.KWARGS[n][1]])
def test_no_hub_page_names_the_other_hub_s_person(client, two_hub_business, name):
    url = hub_pages._url(name, "hub-a", hub_pages.World(two_hub_business))
    _assert_page_shows_nothing_of_hub_b(
        client, two_hub_business, two_hub_business.hub_a_admin, url, f"hub:{name}"
    )


@pytest.mark.parametrize("name", sorted(set(facilitation.KWARGS) - facilitation.POST_ONLY))
def test_no_facilitation_page_names_the_other_hub_s_person(client, two_hub_business, name):
    url = facilitation._url(name, facilitation.World(two_hub_business))
    _assert_page_shows_nothing_of_hub_b(
        client, two_hub_business, two_hub_business.facilitator, url, f"facilitation:{name}"
    )


@pytest.mark.parametrize("name", sorted(set(one_to_one.KWARGS) - one_to_one.POST_ONLY))
def test_no_one_to_one_page_names_the_other_hub_s_person(client, two_hub_business, name):
    url = one_to_one._url(name, one_to_one.World(two_hub_business))
    _assert_page_shows_nothing_of_hub_b(
        client, two_hub_business, two_hub_business.provider, url, f"one_to_one:{name}"
    )


def _import_row(hub, company_number: str) -> bytes:
    """The template's example row, as a probe typing a known company number."""
    row = importer.example_row(hub) | {
        "business_name": "Whatever They Typed Ltd",
        "company_number": company_number,
        "first_name": "Probe",
        "last_name": "Person",
        "email": "probe@example.org",
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(importer.COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def test_a_one_row_import_with_the_company_number_names_no_one(client, two_hub_business):
    p = two_hub_business
    # The company number belongs to a business with people in both hubs; hub A's own
    # participant_a is named only to hub A, hub B's person never.
    _set_status(p.participant_a, EligibilityStatus.INELIGIBLE)
    client.force_login(p.hub_a_admin)
    response = client.post(
        reverse("hub:registrations-import", kwargs={"hub": "hub-a"}),
        {"file": SimpleUploadedFile("one.csv", _import_row(p.hub_a, "07654321"))},
    )
    assert response.status_code == 200
    content = response.content.decode()
    _assert_nothing_of_hub_b(response, p, "the import preview")
    assert "E9" in content  # the match is still caught, without a name


def test_a_public_registration_with_the_company_number_names_no_one(client, two_hub_business):
    p = two_hub_business
    notice = reverse("public:register", kwargs={"hub": "hub-a"})
    details = reverse("public:register-details", kwargs={"hub": "hub-a"})
    client.post(notice, {"acknowledged": "on"})
    response = client.post(
        details,
        {
            "business_name": "Anything Ltd",
            "company_number": "07654321",
            "postcode": "M1 1AA",
            "local_authority": "Salford",
            "sector": "C",
            "trading_since_0": "1",
            "trading_since_1": "3",
            "trading_since_2": "2015",
            "employees": "20",
            "turnover": "1500000",
            "balance_sheet_total": "600000",
            "first_name": "Probe",
            "last_name": "Person",
            "email": "probe@example.org",
            "job_title": "Director",
            "has_company_number": "yes",
            "exporter": "no",
            "scale_up_potential": "no",
            "senior_decision_maker": "yes",
            "aspiration_to_improve": "yes",
            "previous_year_participant": "no",
            "website": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    _assert_nothing_of_hub_b(response, p, "check your answers")
    response = client.post(reverse("public:register-check", kwargs={"hub": "hub-a"}), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    _assert_nothing_of_hub_b(response, p, "the registration pages")
    assert "Someone else from your business has already registered" in content
