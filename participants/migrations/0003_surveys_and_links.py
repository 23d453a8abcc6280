"""Survey invitations and responses, and participants' signed links (charter, action
cards): after the group sessions they may belong to.

Squashed in issue 16: `replaces` names the old migrations this one stands for (see
peernet/migrations/0001_hubs_people_and_audit.py, and README "Upgrading").
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("participants", "0004_survey_invitation_kind_draft"),
        ("participants", "0006_participant_link"),
    ]

    initial = True

    dependencies = [
        ("delivery", "0001_sessions_and_support"),
        ("participants", "0002_survey_instruments"),
    ]

    operations = [
        migrations.CreateModel(
            name="SurveyInvitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nonce", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField()),
                ("reminded_at", models.DateTimeField(blank=True, null=True)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "instrument",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invitations",
                        to="participants.surveyinstrument",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_invitations",
                        to="participants.participant",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_invitations",
                        to="delivery.groupsession",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("baseline", "Baseline (S1)"),
                            ("session_feedback", "After each session (S2)"),
                            ("exit", "Exit (S3)"),
                            ("dropout", "Drop-out (S4)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                ("draft", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "ordering": ["-sent_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["baseline", "session_feedback", "exit", "dropout"])
                        ),
                        name="survey_invitation_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "session_feedback"), ("session__isnull", False)),
                            models.Q(
                                models.Q(("kind", "session_feedback"), _negated=True),
                                ("session__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="survey_invitation_session_only_for_feedback",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "session_feedback")),
                        fields=("participant", "session"),
                        name="survey_invitation_one_per_session",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "session_feedback"), _negated=True),
                        fields=("participant", "kind"),
                        name="survey_invitation_one_per_kind",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SurveyResponse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("baseline", "Baseline (S1)"),
                            ("session_feedback", "After each session (S2)"),
                            ("exit", "Exit (S3)"),
                            ("dropout", "Drop-out (S4)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("completed", models.DateField()),
                ("answers", models.JSONField(default=dict)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "instrument",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="participants.surveyinstrument",
                    ),
                ),
                (
                    "invitation",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="response",
                        to="participants.surveyinvitation",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_responses",
                        to="participants.participant",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_responses",
                        to="delivery.groupsession",
                    ),
                ),
            ],
            options={
                "ordering": ["-completed"],
                "indexes": [
                    models.Index(fields=["kind", "completed"], name="participant_kind_3f7732_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "session_feedback"), ("session__isnull", False)),
                            models.Q(
                                models.Q(("kind", "session_feedback"), _negated=True),
                                ("session__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="survey_response_session_only_for_feedback",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "session_feedback")),
                        fields=("participant", "session"),
                        name="survey_response_one_feedback_per_session",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "session_feedback"), _negated=True),
                        fields=("participant", "kind"),
                        name="survey_response_one_per_kind",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ParticipantLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("charter", "Participant Charter"),
                            ("action_card", "Action card"),
                        ],
                        max_length=20,
                    ),
                ),
                ("nonce", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("superseded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="participants.participant",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participant_links",
                        to="delivery.groupsession",
                    ),
                ),
            ],
            options={
                "ordering": ["-sent_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["participant", "purpose"], name="participant_partici_5a3fbe_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("purpose__in", ["charter", "action_card"])),
                        name="participant_link_purpose_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("purpose", "action_card"), ("session__isnull", False)),
                            models.Q(
                                models.Q(("purpose", "action_card"), _negated=True),
                                ("session__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="participant_link_session_only_for_action_cards",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("sent_at"))),
                        name="participant_link_expires_after_sent",
                    ),
                ],
            },
        ),
    ]
