"""The account page's personal API tokens, /account/api-tokens/ (namespace `account`):
a signed-in user makes, names, lists and revokes their own tokens (docs/api.md). A new
token's secret is shown once: the POST that makes it keeps it in the session and
redirects, and the page that follows takes it out as it shows it, so a reload neither
shows it again nor makes a second token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import ApiTokenForm
from api.tokens import api_token_create, api_token_revoke, tokens_of
from peernet.access import AuthenticatedRequest

# The session key a new secret waits under, once (a name, not a secret).
NEW_SECRET = "api_token_new_secret"  # noqa: S105


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _, secret = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_on=form.cleaned_data["expires_on"],
            request=request,
        )
        request.session[NEW_SECRET] = secret
        return redirect("account:api-tokens")
    return render(
        request,
        "account/api_tokens.html",
        {
            "form": form,
            "secret": request.session.pop(NEW_SECRET, "") if request.method == "GET" else "",
            "tokens": list(tokens_of(request.user)),
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@login_required
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = api_token_revoke(user=request.user, pk=pk, request=request)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("account:api-tokens")
