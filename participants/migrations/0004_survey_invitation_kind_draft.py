"""Survey invitations: their kind (one invitation per survey, held by the database),
when they were created, and the answers saved page by page before submission."""

import django.utils.timezone
from django.db import migrations, models


def fill_kind(apps, schema_editor):
    SurveyInvitation = apps.get_model("participants", "SurveyInvitation")
    for invitation in SurveyInvitation.objects.select_related("instrument"):
        invitation.kind = invitation.instrument.kind
        invitation.save(update_fields=["kind"])


class Migration(migrations.Migration):
    dependencies = [("participants", "0003_seed_survey_instruments")]

    operations = [
        migrations.AddField(
            model_name="surveyinvitation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("baseline", "Baseline (S1)"),
                    ("session_feedback", "After each session (S2)"),
                    ("exit", "Exit (S3)"),
                    ("dropout", "Drop-out (S4)"),
                ],
                default="baseline",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_kind, migrations.RunPython.noop),
        migrations.AddField(
            model_name="surveyinvitation",
            name="created",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="surveyinvitation",
            name="draft",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddConstraint(
            model_name="surveyinvitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["baseline", "session_feedback", "exit", "dropout"])
                ),
                name="survey_invitation_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyinvitation",
            constraint=models.CheckConstraint(
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
        ),
        migrations.AddConstraint(
            model_name="surveyinvitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "session_feedback")),
                fields=("participant", "session"),
                name="survey_invitation_one_per_session",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyinvitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "session_feedback"), _negated=True),
                fields=("participant", "kind"),
                name="survey_invitation_one_per_kind",
            ),
        ),
    ]
