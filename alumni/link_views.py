"""The participant's pages after the programme, behind their emailed links (/p/..., the
`public` namespace; no password): their continuing group (opt in and choose what to share,
withdraw, answer meetings and keep an action card for each, as in the programme; the
host schedules them), and the business support their hub
offers at the end of the programme. The links are `participants.links`'s: the landing
moves the token into the session and redirects to the clean page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alumni import selectors, services
from alumni.forms import InterestForm, MeetingForm, ReplyForm, ShareForm
from alumni.links import GROUP, SUPPORT
from alumni.models import GroupMeeting, GroupMember
from participants.action_card_link_views import ActionCardForm
from participants.links import LinkProblem, landing, link_open, no_referrer, problem_page
from peernet.forms import form_written
from sessions.action_cards import CardText, split_actions

GROUP_KEY = "peernet.continuing_group.token"
SUPPORT_KEY = "peernet.business_support.token"
SUPPORT_DONE_KEY = "peernet.business_support.done"

group_landing = landing(session_key=GROUP_KEY, then="public:group")
support_landing = landing(session_key=SUPPORT_KEY, then="public:support")


def _member(request: HttpRequest) -> GroupMember:
    link = link_open(request.session.get(GROUP_KEY), kind=GROUP)
    try:
        return selectors.member_for_link(link)
    except GroupMember.DoesNotExist as exc:
        raise GROUP.invalid() from exc


def _answer(request: HttpRequest, member: GroupMember) -> None:
    """A member's yes or no to one of the group's meetings."""
    form = ReplyForm(request.POST)
    meeting = None
    if form.is_valid():
        meeting = member.group.meetings.filter(pk=form.cleaned_data["meeting"]).first()
    if meeting is None:
        messages.error(request, "Choose yes or no for one of the group's meetings")
        return
    try:
        services.meeting_reply(
            meeting=meeting, member=member, yes=form.cleaned_data["answer"] == "yes"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your answer was saved.")


def _withdraw(request: HttpRequest, member: GroupMember) -> None:
    try:
        services.member_withdraw(member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "You have left the group. The others no longer see your details.")


@require_http_methods(["GET", "POST"])
def group_page(request: HttpRequest) -> HttpResponse:
    """The member's page of their continuing group."""
    try:
        member = _member(request)
    except LinkProblem as problem:
        return no_referrer(problem_page(request, problem))
    which = request.POST.get("form") if request.method == "POST" else None
    initial = {
        "share_email": member.share_email,
        "share_phone": member.share_phone,
        "share_business": member.share_business,
    }
    share = ShareForm(request.POST if which == "share" else None, initial=initial)
    meeting = MeetingForm(request.POST if which == "meeting" else None)
    if which == "share" and form_written(
        request,
        share,
        lambda: services.member_opt_in(
            member=member,
            **{k: share.cleaned_data[k] for k in ("share_email", "share_phone", "share_business")},
        ),
        done="Your choices were saved: you are in the group.",
    ):
        return redirect("public:group")
    if which == "meeting" and form_written(
        request,
        meeting,
        lambda: services.group_meeting_schedule(
            member=member,
            starts_at=meeting.starts_at(),
            place=meeting.cleaned_data["place"],
            topic=meeting.cleaned_data["topic"],
        ),
        done="The meeting was scheduled. The members see it when they open their link.",
    ):
        return redirect("public:group")
    if which in ("reply", "withdraw"):
        (_answer if which == "reply" else _withdraw)(request, member)
        return redirect("public:group")
    return render(
        request,
        "alumni/member.html",
        {
            "member": member,
            "group": member.group,
            "hub": member.group.hub,
            "fellows": selectors.fellow_members(member) if member.is_in else [],
            "meetings": selectors.member_meetings(member) if member.is_in else [],
            "share": share,
            "meeting_form": meeting,
            "now": timezone.now(),
        },
        status=400 if share.errors or meeting.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def meeting_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's action card for one of their group's meetings, once it has begun: the
    programme's card page and form (the actions agreed last meeting shown above), through
    the same link, which stays usable after saving. Another group's meeting is a 404."""
    try:
        member = _member(request)
    except LinkProblem as problem:
        return no_referrer(problem_page(request, problem))
    if not member.is_in:
        return redirect("public:group")
    try:
        meeting, card, previous = selectors.member_meeting_cards(member, pk)
    except GroupMeeting.DoesNotExist as exc:
        raise Http404("No such meeting.") from exc
    initial = {}
    if card is not None:
        problem, actions = split_actions(card.actions)
        initial = {"problem": problem, "actions": actions, "report_back": card.report_back}
    form = ActionCardForm(request.POST or None, initial=initial, occasion="meeting")
    if form_written(
        request,
        form,
        lambda: services.meeting_action_card_write(
            meeting=meeting,
            member=member,
            text=CardText(*(form.cleaned_data[k] for k in ("problem", "actions", "report_back"))),
        ),
        done="Your action card was saved.",
    ):
        return redirect("public:group")
    return render(
        request,
        "participants/action_card_edit.html",
        {
            "participant": member.participant,
            "session": meeting,
            "occasion": "meeting",
            "back_url": reverse("public:group"),
            "form": form,
            "previous_actions": split_actions(previous.actions)[1] if previous else "",
            "previous_session": previous.meeting if previous else None,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def support_page(request: HttpRequest) -> HttpResponse:
    """The business support the participant's hub offers; their interest is a referral."""
    try:
        link = link_open(request.session.get(SUPPORT_KEY), kind=SUPPORT)
    except LinkProblem as problem:
        return no_referrer(problem_page(request, problem))
    hub = link.participant.hub
    schemes = selectors.offered_schemes(hub)
    form = InterestForm(
        request.POST if request.method == "POST" else None,
        schemes=[(s.key, s.title) for s in schemes],
    )
    if form_written(
        request,
        form,
        lambda: services.referrals_record(link=link, keys=form.cleaned_data["schemes"]),
        done="Thank you: your Growth Hub will be in touch.",
    ):
        request.session.pop(SUPPORT_KEY, None)
        request.session[SUPPORT_DONE_KEY] = {
            "hub": hub.name,
            "schemes": [s.title for s in schemes if s.key in form.cleaned_data["schemes"]],
        }
        return redirect("public:support-done")
    return render(
        request,
        "alumni/support.html",
        {"participant": link.participant, "hub": hub, "schemes": schemes, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def support_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(SUPPORT_DONE_KEY)
    if not done:
        return no_referrer(problem_page(request, SUPPORT.invalid()))
    return render(request, "alumni/support_done.html", {"done": done})


public_urlpatterns: list[URLPattern] = [
    path("group/", group_page, name="group"),
    path("group/meetings/<int:pk>/card/", meeting_card, name="group-meeting-card"),
    path("group/<str:token>/", group_landing, name="group-link"),
    path("support/", support_page, name="support"),
    path("support/done/", support_done, name="support-done"),
    path("support/<str:token>/", support_landing, name="support-link"),
]
