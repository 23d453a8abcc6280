"""The account pages, /account/... (namespace `account`): the second factor (docs/security.md
11), changing the password (docs/security.md §12, §13), and the page a locked-out sign-in gets
(docs/security.md §10).

Signing in is two steps. The password (peernet.views.LoginView) makes a session that
can open nothing but these pages (peernet.middleware.SecondFactorMiddleware); a code
from the user's authenticator app, or one of their recovery codes, then verifies the
session (`django_otp.login`, the session key `otp_device_id`). Someone without an
authenticator app sets one up first and is shown 10 recovery codes, once.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from peernet.access import AuthenticatedRequest
from peernet.account_forms import PasswordChangeForm, SecondFactorForm, SetUpForm
from peernet.addresses import back_to
from peernet.second_factor import (
    device_for_code,
    has_second_factor,
    second_factor_confirm,
    second_factor_device_pending,
)


def _next_url(request: HttpRequest) -> str:
    """Where to go once the session is verified: `next` if it is one of our pages."""
    candidate = back_to(request, request.POST.get("next") or request.GET.get("next"))
    if candidate:
        return candidate
    # A path, not the setting's URL name: the recovery codes page links to it.
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, device: object) -> None:
    # A new session key now the session can do more (as at sign-in, docs/security.md §12).
    request.session.cycle_key()
    otp_login(request, device)


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code. Each code
    works once: a TOTP code is refused again in the same or an earlier 30-second step
    (django-otp's `last_t`), a recovery code is deleted when used. Wrong codes slow the
    device down (django-otp's throttling)."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect("account:two-factor-set-up")
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = device_for_code(request.user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.success(
                    request,
                    f"You used a recovery code. You have {left} left: set up an "
                    "authenticator app if you have lost yours.",
                )
            return redirect(_next_url(request))
        form.add_error("code", "The code is not correct or has already been used")
    return render(request, "account/two_factor.html", {"form": form, "next": _next_url(request)})


def _qr_svg(url: str) -> str:
    """The otpauth URI as an inline SVG QR code (no image request, no inline style).
    Safe markup: segno writes only numbers and path data besides our own title; the URI
    itself (with the email address) is encoded in the modules, never written as text."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app"
    )
    return mark_safe(svg)  # noqa: S308


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_set_up(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), enter the first
    code, then see 10 recovery codes once.

    Open to a user with no second factor at all, and to a verified user without an app
    (who signed in with a recovery code). Never to an unverified user who has one:
    adding a device must not be a way round the device they have."""
    user = request.user
    has_app = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if not request.user.is_verified() and has_second_factor(user):
        return redirect("account:two-factor")
    if has_app:
        return redirect(settings.LOGIN_REDIRECT_URL)
    device = second_factor_device_pending(user=user)
    form = SetUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = second_factor_confirm(user=user, device=device, request=request)
            _verified(request, device)
            # Shown in this response only: the page is not stored (no-store) and a
            # reload re-posts a code that no longer works.
            return render(
                request,
                "account/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", "The code is not correct: check the app and try again")
    return render(
        request,
        "account/two_factor_set_up.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped_secret(device),
            "next": _next_url(request),
        },
    )


def _grouped_secret(device: TOTPDevice) -> str:
    """The secret in base32, as apps ask for it when typed, in groups of 4."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@login_required
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    """Change the password (docs/security.md §13). Every other session of the user ends (the
    session auth hash changes); this one carries on under a new key (docs/security.md §12)."""
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, "Your password has been changed.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "account/password_change.html", {"form": form})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' answer to a sign-in while locked out (AXES_LOCKOUT_CALLABLE)."""
    minutes = settings.AXES_COOLOFF_MINUTES
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
