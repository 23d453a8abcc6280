"""Who an API call is from (docs/api.md "Authentication"): the one place a personal API
token is read, limited and audited.

For a request under /api/ that carries `Authorization: Bearer <token>`, the token's user
becomes `request.user` (so the hub scope, `peernet.access` and the audit trail all see
them, exactly as for their pages) and `request.api_token` the token; a token that does
not work is a 401 with a sentence saying why, before anything else runs. Each token may
make `settings.API_RATE_LIMIT_PER_MINUTE` calls a minute (counted in the shared cache
by `peernet.rate_limits`); more is a 429. Every call made with a token is an event of
the audit trail. Only /api/ takes a token: every page still needs a signed-in session
with its second factor.

Sits after `SecondFactorMiddleware` (which sets the session's user) and before
`HubScopeMiddleware` (which opens the scope of `request.user`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import TokenRefused, token_for_secret
from peernet import audit
from peernet.access import request_hub_scope
from peernet.rate_limits import count_attempt
from peernet.scoping import scope

API_PREFIX = "/api/"
RATE_WINDOW = 60


def refusal(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if not request.path_info.startswith(API_PREFIX) or not header:
            return self.get_response(request)
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return refusal(401, "Send the token as 'Authorization: Bearer <token>'.")
        try:
            token = token_for_secret(secret.strip(), now=timezone.now())
        except TokenRefused as exc:
            return refusal(401, str(exc))
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        count = count_attempt(f"api-token-rate:{token.pk}", window_seconds=RATE_WINDOW)
        if count is not None and count > limit:
            refused = refusal(
                429, f"Too many calls with this token: at most {limit} a minute. Wait a minute."
            )
            refused["Retry-After"] = str(RATE_WINDOW)
            return refused
        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        response = self.get_response(request)
        self._audit(request, response, token)
        return response

    def _audit(self, request: HttpRequest, response: HttpResponse, token: ApiToken) -> None:
        """The call's audit event, written in the token user's hub scope (this middleware
        sits outside the one `HubScopeMiddleware` opens for the view)."""
        with scope(request_hub_scope(token.user)):
            audit.record(
                token.user,
                "create" if request.method == "POST" and response.status_code < 300 else "view",
                object_type="api.call",
                object_id=token.pk,
                summary=f"API {request.method} {request.path} ({response.status_code}) "
                f"with token {token.prefix}…",
                request=request,
            )
