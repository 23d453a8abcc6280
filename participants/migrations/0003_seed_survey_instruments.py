"""Seed version 1 of the four survey instruments (S1–S4).

Baseline questions follow the Playbook's "Summary of baseline survey data collection
topics"; the session-feedback survey always has `overall_satisfaction` (1 to 5), which
the monthly return averages (the figure `session_satisfaction_mean`, docs/returns.md).
"""

from django.db import migrations


def scale(key, text, low=1, high=5):
    return {"key": key, "text": text, "type": "scale", "min": low, "max": high}


def free_text(key, text):
    return {"key": key, "text": text, "type": "text"}


def yes_no(key, text):
    return {"key": key, "text": text, "type": "yes_no"}


INSTRUMENTS = [
    (
        "baseline",
        "Baseline survey",
        [
            scale("covid_adaptation", "How well has the business adapted to COVID-19 and other shocks?"),
            scale("resilience", "How resilient is the business to adversity?"),
            scale("leadership_management", "How would you rate leadership and management practice?"),
            scale("recruitment_retention", "How confident are you in recruiting and keeping staff?"),
            scale("technology_adoption", "How well does the business adopt new technology?"),
            scale("networks", "How engaged are you with business networks?"),
            scale("growth_ambition", "How ambitious are you to grow the business?"),
            yes_no("business_plan", "Does the business have a written business plan?"),
            scale("use_of_data", "How well does the business use data to drive value?"),
            scale("change_management", "How well does the business manage change?"),
            scale("innovation", "How innovative is the business?"),
            scale("business_confidence", "How confident are you about the next 12 months?"),
            yes_no("evaluator_consent", "May the independent evaluator contact you (G3, S5)?"),
        ],
    ),
    (
        "session_feedback",
        "After the session",
        [
            scale("overall_satisfaction", "Overall, how satisfied were you with this session?"),
            scale("usefulness", "How useful was the session to your business?"),
            free_text("comments", "Anything else you would like to tell us?"),
        ],
    ),
    (
        "exit",
        "Exit survey",
        [
            scale("overall_satisfaction", "Overall, how satisfied were you with Peer Networks?"),
            scale("goals_achieved", "How far did you achieve what you hoped to?"),
            scale("one_to_one_useful", "How useful was the one-to-one support?"),
            scale("recommend", "How likely are you to recommend Peer Networks?", 0, 10),
            scale("business_confidence", "How confident are you about the next 12 months?"),
            yes_no("stay_in_touch", "Will your group keep meeting after the programme?"),
            free_text("comments", "Anything else you would like to tell us?"),
            yes_no("evaluator_consent", "May the independent evaluator contact you (G3, S5)?"),
        ],
    ),
    (
        "dropout",
        "Leaving the programme",
        [
            {
                "key": "reason",
                "text": "What is the main reason you are leaving?",
                "type": "choice",
                "choices": [
                    "time",
                    "business-pressures",
                    "not-what-i-expected",
                    "personal",
                    "other",
                ],
            },
            yes_no("outside_control", "Was the reason outside your control (E8)?"),
            scale("overall_satisfaction", "Overall, how satisfied were you while taking part?"),
            free_text("comments", "Anything else you would like to tell us?"),
        ],
    ),
]


def seed(apps, schema_editor):
    SurveyInstrument = apps.get_model("participants", "SurveyInstrument")
    for kind, title, questions in INSTRUMENTS:
        SurveyInstrument.objects.update_or_create(
            kind=kind, version=1, defaults={"title": title, "questions": questions, "active": True}
        )


def unseed(apps, schema_editor):
    apps.get_model("participants", "SurveyInstrument").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
