"""docs/security.md §20: an oversized request body is refused before any of it is read."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from participants.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_may_be_read(monkeypatch):
    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the upload was read")

    for handler in FileUploadHandler.__subclasses__():
        monkeypatch.setattr(handler, "receive_data_chunk", refuse)


def test_an_oversized_upload_is_refused_unread(client, personas, nothing_may_be_read):
    client.force_login(personas.hub_a_admin)
    before = Participant.objects.count()
    big = SimpleUploadedFile("huge.csv", b"x" * (settings.REQUEST_MAX_BYTES + 1))
    response = client.post(
        reverse("hub:registrations-import", kwargs={"hub": "hub-a"}), {"file": big}
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "The file is too large" in text
    assert "The largest this service takes is 3 MB" in text
    assert Participant.objects.count() == before


def test_an_upload_within_the_limit_is_read_and_judged_by_its_page(client, personas):
    client.force_login(personas.hub_a_admin)
    # Over the import's own 2 MB but within the request limit: the page's own message.
    file = SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1))
    response = client.post(
        reverse("hub:registrations-import", kwargs={"hub": "hub-a"}), {"file": file}
    )
    assert response.status_code == 200
    assert "The file must be smaller than 2 MB" in response.content.decode()


def test_an_oversized_public_form_is_refused_too(client, personas):
    url = reverse("public:register", kwargs={"hub": "hub-a"})
    response = client.post(url, {"acknowledged": "on", "x": "y" * (settings.REQUEST_MAX_BYTES + 1)})
    assert response.status_code == 413
