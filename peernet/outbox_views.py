"""The hub administrator's one action on the outbox: send an email again. Its status is
shown where the email belongs (the participant's page, the session's notices) by
templates/includes/email_status.html."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from peernet.access import HubRequest, get_for_user, hub_admin_required
from peernet.addresses import back_to
from peernet.models import OutboundEmail
from peernet.outbox import email_send_again


@login_required
@require_POST
@hub_admin_required
def email_send_again_page(request: HubRequest, pk: int) -> HttpResponse:
    email = get_for_user(OutboundEmail.objects.filter(hub=request.hub), request.user, pk=pk)
    email_send_again(email=email, by=request.user)
    messages.success(
        request, f"The email “{email.subject}” will be sent again to {email.recipient}."
    )
    home = reverse("hub:home", kwargs={"hub": request.hub.key})
    return redirect(
        back_to(request, request.POST.get("next"), request.headers.get("referer")) or home
    )


hub_urlpatterns = [
    path("emails/<int:pk>/send-again/", email_send_again_page, name="email-send-again"),
]
