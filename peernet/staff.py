"""A hub's own staff (issue 15): who works in a hub, inviting someone by email, giving a
facilitator another cohort and removing a role; and the emailed links that set a
password (a new member of staff's invitation, "Forgot your password?").

Writes are `@transaction.atomic` services that record an audit event; emails go after
the commit, so no one is sent a link to an account that was rolled back.

The links use Django's own token machinery (`PasswordResetTokenGenerator`): a token is
an HMAC of the user's id, password hash, last sign-in and email with the time it was
made, so it stops working once a password is set with it (the hash changes) and after
its lifetime. A reset link lives `settings.PASSWORD_RESET_TIMEOUT` seconds; an
invitation has its own salt (one is never the other) and lives
`settings.INVITATION_TIMEOUT` seconds. Django's PasswordResetConfirmView takes the token
out of the URL at once (peernet/logs.py redacts it from every log before that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from cohorts.models import Cohort
from peernet import audit, mail
from peernet.models import EmailKind, Hub, Role, RoleAssignment, User
from peernet.roles import forget_reach

# The roles a hub gives its own staff (the national roles are the coordinator's to give).
HUB_ROLES = (Role.HUB_ADMIN, Role.FACILITATOR, Role.ONE_TO_ONE_PROVIDER)


# --- the links -----------------------------------------------------------------------------


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, with its own salt and its own lifetime
    (settings.INVITATION_TIMEOUT): a new member of staff may not read the email within
    the hour a reset link lives."""

    key_salt = "peernet.staff.InvitationTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:
        # Django's check_token, reading INVITATION_TIMEOUT for PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        genuine = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return genuine and age <= settings.INVITATION_TIMEOUT


invitation_tokens = InvitationTokenGenerator()


def lifetime_words(seconds: int) -> str:
    """How long a link works, in words: "3 days", "1 hour", "30 minutes"."""
    if seconds >= 24 * 60 * 60 and seconds % (24 * 60 * 60) == 0:
        count, unit = seconds // (24 * 60 * 60), "day"
    elif seconds >= 60 * 60 and seconds % (60 * 60) == 0:
        count, unit = seconds // (60 * 60), "hour"
    else:
        count, unit = max(1, seconds // 60), "minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def activation_path(user: User) -> str:
    """The path of a new invitation link for `user` (absolute URLs come from the caller,
    which knows the site's address)."""
    return reverse(
        "account:activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


# --- reads ---------------------------------------------------------------------------------


@dataclass
class StaffMember:
    """One person's roles in one hub."""

    user: User
    assignments: list[RoleAssignment] = field(default_factory=list)

    @property
    def hub_admin(self) -> bool:
        return any(a.role == Role.HUB_ADMIN for a in self.assignments)

    @property
    def facilitator(self) -> bool:
        return any(a.role == Role.FACILITATOR for a in self.assignments)

    @property
    def provider(self) -> bool:
        return any(a.role == Role.ONE_TO_ONE_PROVIDER for a in self.assignments)

    @property
    def cohorts(self) -> list[Cohort]:
        return [a.cohort for a in self.assignments if a.cohort is not None]

    @property
    def activated(self) -> bool:
        """Whether they have set a password (an invited person has not yet)."""
        return self.user.has_usable_password()

    @property
    def status(self) -> str:
        if not self.user.is_active:
            return "Deactivated"
        return "Active" if self.activated else "Invited"


def _members(assignments: Iterable[RoleAssignment]) -> list[StaffMember]:
    members: dict[int, StaffMember] = {}
    for assignment in assignments:
        member = members.setdefault(assignment.user_id, StaffMember(user=assignment.user))
        member.assignments.append(assignment)
    return list(members.values())


def _hub_assignments(hub: Hub):
    return (
        RoleAssignment.objects.filter(hub=hub, role__in=HUB_ROLES)
        .select_related("user", "cohort")
        .order_by("user__name", "user__pk", "role", "cohort__name")
    )


def hub_staff(hub: Hub) -> list[StaffMember]:
    """Everyone with a role in the hub, by name, each with their roles there (facilitators
    with their cohorts). One query, whatever the number of staff."""
    return _members(_hub_assignments(hub))


def hub_staff_member(hub: Hub, user: User) -> StaffMember:
    """`user`'s roles in the hub (none: an empty member)."""
    return (_members(_hub_assignments(hub).filter(user=user)) or [StaffMember(user=user)])[0]


def cohorts_without_facilitator(hub: Hub):
    """The hub's cohorts that nobody facilitates yet: the ones a facilitator can be given
    (a cohort has one facilitator, RoleAssignment's constraint)."""
    return (
        Cohort.objects.filter(hub=hub)
        .exclude(role_assignments__role=Role.FACILITATOR)
        .order_by("name", "pk")
    )


def role_words(assignment: RoleAssignment) -> str:
    """The role as a sentence's object: "facilitator of Salford autumn"."""
    if assignment.role == Role.FACILITATOR and assignment.cohort is not None:
        return f"facilitator of {assignment.cohort.name}"
    return assignment.get_role_display().lower()


# --- writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    user: User
    created: bool  # a new account
    assignments: list[RoleAssignment]


def _check_cohorts(hub: Hub, cohorts: Sequence[Cohort]) -> list[Cohort]:
    """docs/security.md §4: only this hub's cohorts, and only ones without a facilitator."""
    checked = []
    for cohort in cohorts:
        # Read afresh and locked: two assignments of one cohort at once queue here.
        locked = (
            Cohort.objects.select_for_update(of=("self",)).filter(pk=cohort.pk).order_by().first()
        )
        if locked is None or locked.hub_id != hub.pk:
            raise ValidationError(
                {"cohorts": f"Choose cohorts of {hub.name}: {cohort} is not one of them"}
            )
        current = (
            RoleAssignment.objects.filter(role=Role.FACILITATOR, cohort=locked)
            .select_related("user")
            .first()
        )
        if current is not None:
            raise ValidationError(
                {
                    "cohorts": f"{locked.name} already has a facilitator, {current.user}: "
                    "remove them from it first"
                }
            )
        checked.append(locked)
    return checked


def _give_cohorts(user: User, hub: Hub, cohorts: Sequence[Cohort]) -> list[RoleAssignment]:
    made = [
        RoleAssignment.objects.create(user=user, role=Role.FACILITATOR, hub=hub, cohort=cohort)
        for cohort in cohorts
    ]
    if made:
        # A facilitator with cohorts needs no hub-wide row ("facilitator, no cohort yet").
        RoleAssignment.objects.filter(
            user=user, role=Role.FACILITATOR, hub=hub, cohort__isnull=True
        ).delete()
    return made


def _given(assignment: RoleAssignment) -> dict[str, object]:
    return {"user": assignment.user_id, "role": assignment.role, "cohort": assignment.cohort_id}


@transaction.atomic
def staff_invite(
    *,
    hub: Hub,
    name: str,
    email: str,
    role: str,
    cohorts: Sequence[Cohort] = (),
    by: User,
    absolute: Callable[[str], str],
    request: object = None,
) -> Invitation:
    """Give `email` a role in `hub`: a new account when no one has that address (they
    are emailed a link to set a password, then set up their second factor), else the
    role is added to the existing account (one person, one account) and they are told.
    A facilitator is given `cohorts` of this hub. `absolute` turns a path into a URL."""
    email = User.objects.normalize_email(email.strip()).lower()
    name = name.strip()
    if role not in HUB_ROLES:
        raise ValidationError({"role": "Choose the role they will have"})
    if cohorts and role != Role.FACILITATOR:
        raise ValidationError({"cohorts": "Choose cohorts only for a facilitator"})
    user = User.objects.select_for_update().filter(email=email).first()
    created = user is None
    if user is not None:
        if not user.is_active:
            raise ValidationError(
                {
                    "email": f"The account for {email} is deactivated: ask the national "
                    "coordinator to reactivate it"
                }
            )
        if RoleAssignment.objects.filter(user=user, role=role, hub=hub).exists():
            what = Role(role).label.lower()
            also = ": give them another cohort on their page" if role == Role.FACILITATOR else ""
            raise ValidationError({"email": f"{user} is already a {what} of {hub.name}{also}"})
    elif not name:
        raise ValidationError({"name": "Enter their full name"})
    cohorts = _check_cohorts(hub, cohorts)
    if user is None:
        user = _create_account(email=email, name=name)
        audit.record(
            by,
            "create",
            user,
            hub=hub,
            summary="Staff account created by invitation",
            request=request,
        )
    if role == Role.FACILITATOR and cohorts:
        assignments = _give_cohorts(user, hub, cohorts)
    else:
        assignments = [RoleAssignment.objects.create(user=user, role=role, hub=hub)]
    _audit_given(assignments, hub=hub, by=by, request=request)
    forget_reach(user)
    _email_after_commit(user, hub, assignments, by=by, absolute=absolute)
    return Invitation(user=user, created=created, assignments=assignments)


def _create_account(*, email: str, name: str) -> User:
    """A new account for `email`. Two invitations of one new address at once both find no
    account (there is no row to lock); the second one's insert waits for the first to
    commit, then breaks the unique email. It says so, as a form error, instead of a 500."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=None, name=name)
    except IntegrityError:
        raise ValidationError(
            {"email": f"{email} was invited by someone else a moment ago: see the hub's staff"}
        ) from None


def _audit_given(
    assignments: Sequence[RoleAssignment], *, hub: Hub, by: User, request: object
) -> None:
    """One audit row per role given."""
    for assignment in assignments:
        audit.record(
            by,
            "create",
            assignment,
            hub=hub,
            summary=f"Role given: {assignment.get_role_display()}",
            after=_given(assignment),
            request=request,
        )


@transaction.atomic
def staff_invitation_resend(
    *, hub: Hub, user: User, by: User, absolute: Callable[[str], str], request: object = None
) -> None:
    """Send someone who has not set a password yet a new invitation link."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(f"{user}'s account is deactivated")
    if user.has_usable_password():
        raise ValidationError(
            f"{user} has already set a password: they can use “Forgot your password?” "
            "on the sign-in page"
        )
    assignments = list(
        RoleAssignment.objects.filter(user=user, hub=hub, role__in=HUB_ROLES).select_related(
            "cohort"
        )
    )
    if not assignments:
        raise ValidationError(f"{user} has no role in {hub.name}")
    audit.record(
        by, "update", user, hub=hub, summary="Staff invitation sent again", request=request
    )
    _email_after_commit(user, hub, assignments, by=by, absolute=absolute)


@transaction.atomic
def staff_cohorts_assign(
    *, hub: Hub, user: User, cohorts: Sequence[Cohort], by: User, request: object = None
) -> list[RoleAssignment]:
    """Give a facilitator of the hub more of its cohorts to facilitate."""
    if not cohorts:
        raise ValidationError({"cohorts": "Choose a cohort for them to facilitate"})
    if not RoleAssignment.objects.filter(user=user, role=Role.FACILITATOR, hub=hub).exists():
        raise ValidationError(f"{user} is not a facilitator of {hub.name}")
    if not user.is_active:
        raise ValidationError(f"{user}'s account is deactivated")
    assignments = _give_cohorts(user, hub, _check_cohorts(hub, cohorts))
    _audit_given(assignments, hub=hub, by=by, request=request)
    forget_reach(user)
    return assignments


@transaction.atomic
def staff_role_remove(
    *, hub: Hub, assignment: RoleAssignment, by: User, request: object = None
) -> bool:
    """Take a role away (a facilitator's: one cohort). Access is decided from the role
    assignments on every request, so it stops at their next one (docs/security.md §5).
    Returns whether they keep any role in the hub."""
    locked = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user", "cohort")
        .filter(pk=assignment.pk, hub=hub, role__in=HUB_ROLES)
        .first()
    )
    if locked is None:
        raise ValidationError(f"That role is not one of {hub.name}'s")
    assignment = locked
    if assignment.user_id == by.pk and assignment.role == Role.HUB_ADMIN:
        raise ValidationError(
            "You cannot remove your own hub administrator role: ask another administrator "
            "of the hub or the national coordinator"
        )
    audit.record(
        by,
        "delete",
        assignment,
        hub=hub,
        summary=f"Role removed: {assignment.get_role_display()}",
        before=_given(assignment),
        request=request,
    )
    assignment.delete()
    forget_reach(assignment.user)
    return RoleAssignment.objects.filter(user_id=assignment.user_id, hub=hub).exists()


@transaction.atomic
def staff_password_set(*, form: SetPasswordForm, invitation: bool, request: object = None) -> User:
    """Save the password chosen through an emailed link (`form`, valid), and record it.
    The link stops working: its token was made from the old password hash."""
    user = form.save()
    audit.record(
        user,
        "update",
        user,
        summary="Password set from an invitation" if invitation else "Password reset by email",
        request=request,
    )
    return user


# --- emails --------------------------------------------------------------------------------


def _email_after_commit(
    user: User,
    hub: Hub,
    assignments: list[RoleAssignment],
    *,
    by: User,
    absolute: Callable[[str], str],
) -> None:
    roles = [role_words(a) for a in assignments]
    user_id, hub_id, by_name = user.pk, hub.pk, str(by)

    def send() -> None:
        # Read afresh: the token is made from the committed row.
        person = User.objects.get(pk=user_id)
        hub_ = Hub.objects.get(pk=hub_id)
        context = {
            "user": person,
            "hub": hub_,
            "roles": roles,
            "by": by_name,
            "service_name": settings.SERVICE_NAME,
            "sign_in_url": absolute(reverse("login")),
            "lifetime": lifetime_words(settings.INVITATION_TIMEOUT),
        }
        if person.has_usable_password():
            template, subject = "account/role_added_email.txt", f"A new role in {hub_.name}"
        else:
            context["url"] = absolute(activation_path(person))
            template = "account/invitation_email.txt"
            subject = f"Set up your {settings.SERVICE_NAME} account – {hub_.name}"
        mail.send(
            kind=EmailKind.ACCOUNT,
            subject=subject,
            body=render_to_string(template, context),
            to=[person.email],
            hub=hub_,
        )

    transaction.on_commit(send)
