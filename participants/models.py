"""Businesses, participants, eligibility, the charter, equality data and surveys."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from peernet.db import choices_check, set_only_when, staff_member
from peernet.models import Hub, Programme
from peernet.scoping import ScopedQuerySet


class Sector(models.TextChoices):
    """SIC 2007 sections."""

    A = "A", "A — Agriculture, forestry and fishing"
    B = "B", "B — Mining and quarrying"
    C = "C", "C — Manufacturing"
    D = "D", "D — Electricity, gas, steam and air conditioning supply"
    E = "E", "E — Water supply; sewerage, waste management and remediation"
    F = "F", "F — Construction"
    G = "G", "G — Wholesale and retail trade; repair of motor vehicles"
    H = "H", "H — Transportation and storage"
    I = "I", "I — Accommodation and food service activities"  # noqa: E741
    J = "J", "J — Information and communication"
    K = "K", "K — Financial and insurance activities"
    L = "L", "L — Real estate activities"
    M = "M", "M — Professional, scientific and technical activities"
    N = "N", "N — Administrative and support service activities"
    O = "O", "O — Public administration and defence"  # noqa: E741
    P = "P", "P — Education"
    Q = "Q", "Q — Human health and social work activities"
    R = "R", "R — Arts, entertainment and recreation"
    S = "S", "S — Other service activities"
    T = "T", "T — Activities of households as employers"
    U = "U", "U — Activities of extraterritorial organisations"


class BusinessQuerySet(ScopedQuerySet):
    hub_path = "participants__hub"
    cohort_path = "participants__memberships__cohort"
    provider_path = "participants__one_to_one_provider"


class Business(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    company_number = models.CharField(max_length=8, blank=True)
    local_authority = models.CharField(max_length=120, help_text="E6: trading address area.")
    postcode = models.CharField(max_length=10, blank=True)
    sector = models.CharField(max_length=1, choices=Sector.choices, blank=True)
    trading_since = models.DateField(null=True, blank=True, help_text="E2")
    employees = models.PositiveIntegerField(null=True, blank=True, help_text="E1, E3: on PAYE")
    turnover = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="E1, E4: £"
    )
    balance_sheet_total = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="E1: £"
    )
    exporter = models.BooleanField(null=True, blank=True, help_text="E10")
    scale_up_potential = models.BooleanField(null=True, blank=True, help_text="E10")

    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "businesses"
        constraints = [
            models.CheckConstraint(
                condition=Q(turnover__isnull=True) | Q(turnover__gte=0),
                name="business_turnover_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(balance_sheet_total__isnull=True) | Q(balance_sheet_total__gte=0),
                name="business_balance_sheet_not_negative",
            ),
            choices_check("sector", Sector, name="business_sector_valid", blank=True),
        ]

    def __str__(self) -> str:
        return self.name


class EligibilityStatus(models.TextChoices):
    PENDING = "pending", "Not yet decided"
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Ineligible"


class DropoutCause(models.TextChoices):
    """Why a participant dropped out, in a few kinds. "Outside their control" is the one
    the Playbook names: such a participant may, at the hub's discretion, join next year's
    programme (E8's local discretion), so it is recorded as a choice, not only in words."""

    OUTSIDE_CONTROL = (
        "outside_control",
        "Circumstances outside their control (for example illness, bereavement or caring)",
    )
    BUSINESS_PRESSURES = "business_pressures", "The demands of running their business"
    NOT_WHAT_THEY_NEEDED = "not_needed", "The programme was not what they needed"
    OTHER = "other", "Another reason"


class ParticipantQuerySet(ScopedQuerySet):
    hub_path = "hub"
    cohort_path = "memberships__cohort"
    provider_path = "one_to_one_provider"


class Participant(models.Model):
    """An SME leader, from first enquiry to completion or drop-out."""

    key = models.SlugField(max_length=60, unique=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="participants")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="participants")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="participants")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    registered = models.DateField(help_text="The first enquiry recorded.")
    # C2: no record exists before the hub's privacy notice was shown and acknowledged.
    privacy_notice_acknowledged = models.DateField()
    senior_decision_maker = models.BooleanField(help_text="E7")
    aspiration_to_improve = models.BooleanField(help_text="E5")
    previous_year_participant = models.BooleanField(help_text="E8")

    eligibility_status = models.CharField(
        max_length=12, choices=EligibilityStatus.choices, default=EligibilityStatus.PENDING
    )
    eligibility_decided = models.DateField(null=True, blank=True)
    eligibility_decided_by = staff_member()
    eligibility_notes = models.TextField(blank=True)

    # C1: the Participant Charter, signed before allocation to a cohort.
    charter_signed_at = models.DateTimeField(null=True, blank=True)
    charter_version = models.CharField(max_length=20, blank=True)

    # O1, O8: assigned provider, or a recorded refusal of one-to-one support.
    one_to_one_provider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="one_to_one_participants",
    )
    one_to_one_declined = models.BooleanField(default=False)

    dropped_out_on = models.DateField(null=True, blank=True)
    dropout_reason = models.TextField(blank=True)
    # The kind of reason (DropoutCause); blank for drop-outs recorded before it was asked.
    dropout_cause = models.CharField(max_length=20, choices=DropoutCause.choices, blank=True)

    created = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["hub", "eligibility_status"]),
            models.Index(fields=["hub", "registered"]),
        ]
        constraints = [
            # E9: one person from a business takes part in a programme year.
            models.UniqueConstraint(
                fields=["programme", "business"],
                condition=Q(eligibility_status="eligible"),
                name="e9_one_eligible_participant_per_business",
            ),
            choices_check(
                "eligibility_status", EligibilityStatus, name="participant_eligibility_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(eligibility_status="pending", eligibility_decided__isnull=True)
                    | (~Q(eligibility_status="pending") & Q(eligibility_decided__isnull=False))
                ),
                name="participant_decision_dated",
            ),
            models.CheckConstraint(
                condition=Q(eligibility_decided__isnull=True)
                | Q(eligibility_decided__gte=F("registered")),
                name="participant_decision_after_registration",
            ),
            models.CheckConstraint(
                condition=Q(privacy_notice_acknowledged__lte=F("registered")),
                name="c2_privacy_notice_before_registration",
            ),
            models.CheckConstraint(
                condition=Q(charter_signed_at__isnull=True) | ~Q(charter_version=""),
                name="participant_charter_version_recorded",
            ),
            models.CheckConstraint(
                condition=Q(dropped_out_on__isnull=False) | Q(dropout_reason=""),
                name="participant_dropout_reason_needs_date",
            ),
            models.CheckConstraint(
                condition=Q(dropped_out_on__isnull=True) | Q(dropped_out_on__gte=F("registered")),
                name="participant_dropout_after_registration",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RuleOutcome(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warning"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "n/a", "Not applicable"


class ParticipantRecordQuerySet(ScopedQuerySet):
    """A record about one participant, seen through the participant's hub: eligibility
    outcomes and exceptions, surveys, emailed links, business matches."""

    hub_path = "participant__hub"


class EligibilityOutcome(models.Model):
    """One eligibility rule's outcome at the decision, with its sentence (E1–E10, C1–C2)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="eligibility_outcomes"
    )
    rule = models.CharField(max_length=4)
    outcome = models.CharField(max_length=4, choices=RuleOutcome.choices)
    sentence = models.TextField()

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "rule"], name="eligibility_outcome_one_per_rule"
            ),
            choices_check("outcome", RuleOutcome, name="eligibility_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.outcome}"


class Flexibility(models.TextChoices):
    """The Playbook's two eligibility flexibilities (E3, E4)."""

    COVID = "covid", "Covid-19: would have qualified in the 12 months before March 2020"
    CREATIVE = "creative", "Creative industries: associates and freelancers counted"


class EligibilityException(models.Model):
    """A recorded exception a rule allows: E3/E4 (the Playbook's flexibilities), E6 (both
    LEPs agreed) or E8 (local discretion): who agreed, when, and why."""

    class Rule(models.TextChoices):
        E3 = "E3", "E3 — fewer than 5 employees, under a flexibility"
        E4 = "E4", "E4 — turnover under £100,000, under the Covid-19 flexibility"
        E6 = "E6", "E6 — out-of-area, agreed by both LEPs"
        E8 = "E8", "E8 — previous-year drop-out, admitted at local discretion"

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="eligibility_exceptions"
    )
    rule = models.CharField(max_length=2, choices=Rule.choices)
    agreed_by = models.CharField(max_length=200, help_text="Who agreed (for E6: both LEPs).")
    agreed_on = models.DateField()
    details = models.TextField(blank=True)
    flexibility = models.CharField(max_length=10, choices=Flexibility.choices, blank=True)
    recorded_by = staff_member()

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "rule"], name="eligibility_exception_one_per_rule"
            ),
            models.CheckConstraint(
                condition=Q(rule__in=["E3", "E4", "E6", "E8"]),
                name="eligibility_exception_allowed_rules",
            ),
            # E3: either flexibility; E4: Covid-19 only; E6 and E8: none.
            models.CheckConstraint(
                condition=Q(rule="E3", flexibility__in=["covid", "creative"])
                | Q(rule="E4", flexibility="covid")
                | (Q(rule__in=["E6", "E8"]) & Q(flexibility="")),
                name="eligibility_exception_flexibility_fits_rule",
            ),
            models.CheckConstraint(
                condition=~Q(agreed_by=""), name="eligibility_exception_names_who_agreed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} exception for {self.participant}"


class EqualityQuerySet(ScopedQuerySet):
    # docs/security.md §25: equality answers are only ever shown aggregated; no staff role
    # reads them row by row except the national coordinator's subject-access export.
    scope_path = "participant__hub"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non-binary", "Non-binary"
    OTHER = "other", "Other"
    PREFER_NOT_TO_SAY = "prefer-not-to-say", "Prefer not to say"


class EthnicGroup(models.TextChoices):
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    PREFER_NOT_TO_SAY = "prefer-not-to-say", "Prefer not to say"


class AgeBand(models.TextChoices):
    A16_24 = "16-24", "16 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65 = "65+", "65 or over"
    PREFER_NOT_TO_SAY = "prefer-not-to-say", "Prefer not to say"


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = "prefer-not-to-say", "Prefer not to say"


class EqualityData(models.Model):
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="equality"
    )
    # An empty value means "not asked or not answered" (null in the scenario format).
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    ethnic_group = models.CharField(max_length=20, choices=EthnicGroup.choices, blank=True)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)

    objects = EqualityQuerySet.as_manager()

    class Meta:
        verbose_name = "equality data"
        verbose_name_plural = "equality data"
        constraints = [
            choices_check("gender", Gender, name="equality_gender_valid", blank=True),
            choices_check(
                "ethnic_group", EthnicGroup, name="equality_ethnic_group_valid", blank=True
            ),
            choices_check("age_band", AgeBand, name="equality_age_band_valid", blank=True),
            choices_check("disability", Disability, name="equality_disability_valid", blank=True),
        ]

    def __str__(self) -> str:
        return f"Equality data for participant {self.participant_id}"


class SurveyKind(models.TextChoices):
    BASELINE = "baseline", "Baseline (S1)"
    SESSION_FEEDBACK = "session_feedback", "After each session (S2)"
    EXIT = "exit", "Exit (S3)"
    DROPOUT = "dropout", "Drop-out (S4)"
    # The evaluator's survey six months after completion, sent by the evaluator to
    # completers who consented (docs/after-the-programme.md). No return counts it.
    FOLLOW_UP = "follow_up", "Six months on (S5)"


class SurveyInstrument(models.Model):
    """A versioned questionnaire. `questions` is a list of {"key", "text", "type", ...};
    the types and their fields are described in participants/surveys/instruments.py. A published
    instrument is never edited: a change is a new version (`survey_instrument_publish`),
    and each answer keeps the instrument it was given against."""

    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    questions = models.JSONField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="survey_instrument_version"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(active=True),
                name="survey_instrument_one_active_per_kind",
            ),
            choices_check("kind", SurveyKind, name="survey_instrument_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def question_keys(self) -> list[str]:
        return [question["key"] for question in self.questions]


def _one_survey_each(
    *, only_feedback: str, per_session: str, per_kind: str
) -> list[models.BaseConstraint]:
    """S1–S4: one survey of each kind per participant, and one feedback survey per session
    (only a feedback survey names its session). Invitations and responses alike."""
    return [
        set_only_when("session", kind="session_feedback", name=only_feedback),
        models.UniqueConstraint(
            fields=["participant", "session"],
            condition=Q(kind="session_feedback"),
            name=per_session,
        ),
        models.UniqueConstraint(
            fields=["participant", "kind"],
            condition=~Q(kind="session_feedback"),
            name=per_kind,
        ),
    ]


class SurveyInvitation(models.Model):
    """One emailed link to one survey for one participant (S1–S4)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    instrument = models.ForeignKey(
        SurveyInstrument, on_delete=models.PROTECT, related_name="invitations"
    )
    session = models.ForeignKey(
        "delivery.GroupSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    # Copied from the instrument so the database can hold one invitation per survey
    # (the events that invite may fire twice; see participants/surveys/services.py).
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Answers saved page by page before the participant submits them.
    draft = models.JSONField(default=dict, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            choices_check("kind", SurveyKind, name="survey_invitation_kind_valid"),
            *_one_survey_each(
                only_feedback="survey_invitation_session_only_for_feedback",
                per_session="survey_invitation_one_per_session",
                per_kind="survey_invitation_one_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} for {self.participant}"


class SurveyResponse(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="survey_responses"
    )
    instrument = models.ForeignKey(
        SurveyInstrument, on_delete=models.PROTECT, related_name="responses"
    )
    # Copied from the instrument so the database can hold the session rule below
    # and the monthly return can count by kind without a join.
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    session = models.ForeignKey(
        "delivery.GroupSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
    )
    completed = models.DateField()
    answers = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed"]
        indexes = [models.Index(fields=["kind", "completed"])]
        constraints = _one_survey_each(
            only_feedback="survey_response_session_only_for_feedback",
            per_session="survey_response_one_feedback_per_session",
            per_kind="survey_response_one_per_kind",
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} response from {self.participant}"


class LinkPurpose(models.TextChoices):
    CHARTER = "charter", "Participant Charter"
    ACTION_CARD = "action_card", "Action card"


class LinkRow(models.Model):
    """What the row of every participant link holds (participants/links.py): the nonce its
    signed token names, and when it was sent, expires, was used or was superseded."""

    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ParticipantLink(LinkRow):
    """One emailed link for one purpose (docs/security.md §14): the Participant Charter, or the
    action card of one session. Its token names this row, so the link works for this one
    invitation only: it stops once used, or once a newer link for the same purpose (and
    session) supersedes it, or when it expires. Surveys keep their own invitations
    (SurveyInvitation), whose tokens are read the same way (participants/links.py)."""

    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="links")
    session = models.ForeignKey(
        "delivery.GroupSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participant_links",
    )

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            choices_check("purpose", LinkPurpose, name="participant_link_purpose_valid"),
            set_only_when(
                "session",
                purpose="action_card",
                name="participant_link_session_only_for_action_cards",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("sent_at")), name="participant_link_expires_after_sent"
            ),
        ]
        indexes = [models.Index(fields=["participant", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for {self.participant}"


class MatchStatus(models.TextChoices):
    POSSIBLE = "possible", "Possible match, not yet decided"
    CONFIRMED = "confirmed", "The same business"
    DISMISSED = "dismissed", "Not the same business"


class BusinessMatch(models.Model):
    """E9 without a company number: the participant's business may be one already
    registered (the same name, normalised, and postcode, in any hub). The hub confirms
    it (the participant then belongs to that business, and E9 judges them with its
    people) or dismisses it."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="business_matches"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.POSSIBLE
    )
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = staff_member()
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["found_at", "pk"]
        constraints = [
            choices_check("status", MatchStatus, name="business_match_status_valid"),
            models.UniqueConstraint(fields=["participant", "business"], name="business_match_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}'s business may be {self.business}"
