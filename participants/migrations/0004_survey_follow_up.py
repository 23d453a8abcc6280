"""The six-month follow-up survey (S5): a fifth kind of survey, and its instrument's
version 1, published as the others are (a later version from the coordinator's
instruments page).

It asks the matched baseline and exit questions again, with the same keys, wording and
sections (taken from the migration that published them, so they are written once), so
distance travelled reads baseline, exit and six months on alike; then what has happened
since the programme, and the evaluator's consent again.
"""

import importlib

from django.db import migrations, models

INSTRUMENTS = importlib.import_module("participants.migrations.0002_survey_instruments")
SINCE = "Since the programme"


def follow_up_questions():
    ask, choice = INSTRUMENTS.ask, INSTRUMENTS.choice
    return [
        *INSTRUMENTS.matched_questions(),
        ask(
            "group_still_meeting",
            "Does your peer group still meet?",
            "yes_no",
            section=SINCE,
        ),
        choice(
            "support_used",
            "Which other business support have you used since the programme?",
            {
                "help-to-grow-management": "Help to Grow: Management",
                "help-to-grow-digital": "Help to Grow: Digital",
                "helpline": "The Business Support Helpline",
                "local": "Support from your Growth Hub or a local scheme",
            },
            kind="multi_choice",
            section=SINCE,
            required=False,
            help="Select all that apply.",
        ),
        ask(
            "lasting_change",
            "What has changed in the business because of Peer Networks?",
            "text",
            section=SINCE,
            required=False,
        ),
        ask(
            "evaluator_consent",
            "May the programme's independent evaluator use these answers and contact you "
            "about them?",
            "yes_no",
            section=INSTRUMENTS.CONSENT,
            help="You can change your mind at any time.",
        ),
    ]


def seed_follow_up(apps, schema_editor):
    SurveyInstrument = apps.get_model("participants", "SurveyInstrument")
    SurveyInstrument.objects.update_or_create(
        kind="follow_up",
        version=1,
        defaults={
            "title": "Six months on",
            "questions": follow_up_questions(),
            "active": True,
        },
    )


def unseed_follow_up(apps, schema_editor):
    apps.get_model("participants", "SurveyInstrument").objects.filter(kind="follow_up").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0003_joining_notices_emails"),
        ("participants", "0003_surveys_and_links_in_sessions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="surveyinstrument",
            name="survey_instrument_kind_valid",
        ),
        migrations.RemoveConstraint(
            model_name="surveyinvitation",
            name="survey_invitation_kind_valid",
        ),
        migrations.AlterField(
            model_name="surveyinstrument",
            name="kind",
            field=models.CharField(
                choices=[
                    ("baseline", "Baseline (S1)"),
                    ("session_feedback", "After each session (S2)"),
                    ("exit", "Exit (S3)"),
                    ("dropout", "Drop-out (S4)"),
                    ("follow_up", "Six months on (S5)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="surveyinvitation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("baseline", "Baseline (S1)"),
                    ("session_feedback", "After each session (S2)"),
                    ("exit", "Exit (S3)"),
                    ("dropout", "Drop-out (S4)"),
                    ("follow_up", "Six months on (S5)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="kind",
            field=models.CharField(
                choices=[
                    ("baseline", "Baseline (S1)"),
                    ("session_feedback", "After each session (S2)"),
                    ("exit", "Exit (S3)"),
                    ("dropout", "Drop-out (S4)"),
                    ("follow_up", "Six months on (S5)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyinstrument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["baseline", "session_feedback", "exit", "dropout", "follow_up"])
                ),
                name="survey_instrument_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyinvitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["baseline", "session_feedback", "exit", "dropout", "follow_up"])
                ),
                name="survey_invitation_kind_valid",
            ),
        ),
        migrations.RunPython(seed_follow_up, unseed_follow_up),
    ]
