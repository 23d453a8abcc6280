"""The second factor every signed-in user proves: an authenticator app (TOTP), with 10
recovery codes kept for the day the app is lost (django-otp's devices). Reads and
writes; the pages are `peernet.account_views`, and `peernet.middleware` asks
`has_second_factor` where to send a session not yet verified."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_otp import user_has_device
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peernet import audit
from peernet.models import User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_second_factor(user: User) -> bool:
    """Whether the user has set up a second factor (an app or recovery codes)."""
    return user_has_device(user, confirmed=True)


def device_for_code(user: User, code: str) -> object | None:
    """The device that accepts the code: an app for 6 digits, else the recovery codes.
    Each device is asked on its own (django_otp.verify_token locks it for the check), so
    codes of one kind never count as failures, and never slow down, the other."""
    model = TOTPDevice if (len(code) == 6 and code.isdigit()) else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True).order_by("pk"):
        verified = otp_verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


@transaction.atomic
def second_factor_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed app being set up: the same secret on every visit until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def second_factor_confirm(*, user: User, device: TOTPDevice, request: Any = None) -> list[str]:
    """The app is set up (its first code was accepted): confirm it, drop other unconfirmed
    ones, and replace any recovery codes with 10 new ones (returned, to be shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    recovery, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    recovery.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    audit.record(
        user,
        "update",
        device,
        summary="Authenticator app set up; recovery codes replaced",
        request=request,
    )
    return codes
