"""The account page's personal API tokens, /account/api-tokens/ (namespace `account`):
a signed-in user makes, names, lists and revokes their own tokens (docs/api.md). A new
token's secret is shown in the one response that makes it, never again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import ApiTokenForm
from api.tokens import api_token_create, api_token_revoke, tokens_of
from peernet.access import AuthenticatedRequest


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, secret = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
            form = ApiTokenForm()
        else:
            status = 400
    return render(
        request,
        "account/api_tokens.html",
        {"form": form, "secret": secret, "tokens": list(tokens_of(request.user))},
        status=status,
    )


@require_POST
@login_required
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = api_token_revoke(user=request.user, pk=pk, request=request)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("account:api-tokens")
