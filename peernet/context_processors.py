from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from peernet.roles import user_roles


def service(request: HttpRequest) -> dict[str, Any]:
    """The service's name, and the signed-in user's roles (read only when a template asks,
    so a page's areas link only where the user has one: `{% if "facilitator" in roles %}`)."""
    return {
        "service_name": settings.SERVICE_NAME,
        "roles": SimpleLazyObject(lambda: user_roles(request.user)),
    }
