"""The four survey instruments (S1–S4): version 1, which answers given against it keep,
and version 2, the active one.

Version 1's baseline questions follow the Playbook's "Summary of baseline survey data
collection topics"; the session-feedback survey always has `overall_satisfaction` (1 to 5),
which the monthly return averages (the figure `session_satisfaction_mean`, docs/returns.md).

Version 2 keeps every version 1 question key with its type, so answers to either version
read the same, and adds labels, help text, required/optional, pages (`section`), the
matched baseline/exit questions for distance travelled (`matched`), business size now
(number, money) and equality monitoring (`equality`, each with "Prefer not to say"). The
question types are described in participants/surveys/.

Squashed in issue 16 from the two migrations that published them (`replaces`).
"""

from django.db import migrations


def v1_scale(key, text, low=1, high=5):
    return {"key": key, "text": text, "type": "scale", "min": low, "max": high}


def v1_text(key, text):
    return {"key": key, "text": text, "type": "text"}


def v1_yes_no(key, text):
    return {"key": key, "text": text, "type": "yes_no"}


VERSION_1 = [
    (
        "baseline",
        "Baseline survey",
        [
            v1_scale(
                "covid_adaptation",
                "How well has the business adapted to COVID-19 and other shocks?",
            ),
            v1_scale("resilience", "How resilient is the business to adversity?"),
            v1_scale(
                "leadership_management", "How would you rate leadership and management practice?"
            ),
            v1_scale(
                "recruitment_retention", "How confident are you in recruiting and keeping staff?"
            ),
            v1_scale("technology_adoption", "How well does the business adopt new technology?"),
            v1_scale("networks", "How engaged are you with business networks?"),
            v1_scale("growth_ambition", "How ambitious are you to grow the business?"),
            v1_yes_no("business_plan", "Does the business have a written business plan?"),
            v1_scale("use_of_data", "How well does the business use data to drive value?"),
            v1_scale("change_management", "How well does the business manage change?"),
            v1_scale("innovation", "How innovative is the business?"),
            v1_scale("business_confidence", "How confident are you about the next 12 months?"),
            v1_yes_no("evaluator_consent", "May the independent evaluator contact you (G3, S5)?"),
        ],
    ),
    (
        "session_feedback",
        "After the session",
        [
            v1_scale("overall_satisfaction", "Overall, how satisfied were you with this session?"),
            v1_scale("usefulness", "How useful was the session to your business?"),
            v1_text("comments", "Anything else you would like to tell us?"),
        ],
    ),
    (
        "exit",
        "Exit survey",
        [
            v1_scale("overall_satisfaction", "Overall, how satisfied were you with Peer Networks?"),
            v1_scale("goals_achieved", "How far did you achieve what you hoped to?"),
            v1_scale("one_to_one_useful", "How useful was the one-to-one support?"),
            v1_scale("recommend", "How likely are you to recommend Peer Networks?", 0, 10),
            v1_scale("business_confidence", "How confident are you about the next 12 months?"),
            v1_yes_no("stay_in_touch", "Will your group keep meeting after the programme?"),
            v1_text("comments", "Anything else you would like to tell us?"),
            v1_yes_no("evaluator_consent", "May the independent evaluator contact you (G3, S5)?"),
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
            v1_yes_no("outside_control", "Was the reason outside your control (E8)?"),
            v1_scale("overall_satisfaction", "Overall, how satisfied were you while taking part?"),
            v1_text("comments", "Anything else you would like to tell us?"),
        ],
    ),
]


AGREE = {
    "1": "Very poor",
    "2": "Poor",
    "3": "Average",
    "4": "Good",
    "5": "Very good",
}
SATISFIED = {
    "1": "Very dissatisfied",
    "2": "Dissatisfied",
    "3": "Neither satisfied nor dissatisfied",
    "4": "Satisfied",
    "5": "Very satisfied",
}
USEFUL = {
    "1": "Not at all useful",
    "2": "Not very useful",
    "3": "Somewhat useful",
    "4": "Very useful",
    "5": "Extremely useful",
}
CONFIDENT = {
    "1": "Not at all confident",
    "2": "Not very confident",
    "3": "Fairly confident",
    "4": "Confident",
    "5": "Very confident",
}
AMBITION = {
    "1": "No wish to grow",
    "2": "A little",
    "3": "Moderately",
    "4": "Ambitious",
    "5": "Very ambitious",
}


def scale(key, text, labels, *, section, low=1, high=5, required=True, help="", **extra):
    question = {
        "key": key,
        "text": text,
        "type": "scale",
        "min": low,
        "max": high,
        "labels": labels,
        "required": required,
        "help": help,
        "section": section,
    }
    question.update(extra)
    return question


def ask(key, text, kind, *, section, required=True, help="", **extra):
    question = {
        "key": key,
        "text": text,
        "type": kind,
        "required": required,
        "help": help,
        "section": section,
    }
    question.update(extra)
    return question


def choice(key, text, labels, *, section, kind="choice", required=True, help="", **extra):
    return ask(
        key,
        text,
        kind,
        section=section,
        required=required,
        help=help,
        choices=list(labels),
        labels=labels,
        **extra,
    )


NOW = "Your business now"
SHOCKS = "Adapting and resilience"
PEOPLE = "Leadership, people and change"
TECH = "Technology, data and innovation"
GROWTH = "Networks, growth and confidence"
CONSENT = "The independent evaluation"
EQUALITY = "About you (equality monitoring)"


def matched_questions():
    """The baseline questions asked again at exit (distance travelled)."""
    m = {"matched": True}
    return [
        ask(
            "employees_now",
            "How many people does the business employ now?",
            "number",
            section=NOW,
            help="Count people on the payroll (PAYE); a part-time permanent employee "
            "counts as one.",
            **m,
        ),
        ask(
            "turnover_now",
            "What was the business's turnover in the last 12 months?",
            "money",
            section=NOW,
            help="In pounds, your best estimate, for example 450000.",
            **m,
        ),
        scale(
            "covid_adaptation",
            "How well has the business adapted to COVID-19 and other economic shocks?",
            AGREE,
            section=SHOCKS,
            **m,
        ),
        scale(
            "resilience",
            "How resilient is the business: able to adapt, compete and recover from adversity?",
            AGREE,
            section=SHOCKS,
            **m,
        ),
        scale(
            "leadership_management",
            "How would you rate the business's leadership and management practices?",
            AGREE,
            section=PEOPLE,
            **m,
        ),
        scale(
            "recruitment_retention",
            "How well does the business recruit and keep the staff it needs?",
            AGREE,
            section=PEOPLE,
            **m,
        ),
        scale(
            "change_management",
            "How well does the business manage change?",
            AGREE,
            section=PEOPLE,
            **m,
        ),
        scale(
            "technology_adoption",
            "How well does the business adopt new technology?",
            AGREE,
            section=TECH,
            **m,
        ),
        scale(
            "use_of_data",
            "How well does the business use data to make decisions?",
            AGREE,
            section=TECH,
            **m,
        ),
        scale("innovation", "How innovative is the business?", AGREE, section=TECH, **m),
        scale(
            "networks",
            "How engaged are you with business networks and peers?",
            AGREE,
            section=GROWTH,
            **m,
        ),
        scale(
            "growth_ambition",
            "How ambitious are you to grow the business over the next three years?",
            AMBITION,
            section=GROWTH,
            **m,
        ),
        ask(
            "business_plan",
            "Does the business have a written business plan?",
            "yes_no",
            section=GROWTH,
            **m,
        ),
        scale(
            "business_confidence",
            "How confident are you about the business's prospects over the next 12 months?",
            CONFIDENT,
            section=GROWTH,
            **m,
        ),
    ]


def consent():
    return ask(
        "evaluator_consent",
        "May the programme's independent evaluator contact you about your experience?",
        "yes_no",
        section=CONSENT,
        help="The evaluator surveys people shortly after they complete the programme and "
        "again six months later. You can change your mind at any time.",
    )


PREFER = {"prefer-not-to-say": "Prefer not to say"}
EQUALITY_QUESTIONS = [
    choice(
        "gender",
        "What is your sex or gender?",
        {
            "female": "Female",
            "male": "Male",
            "non-binary": "Non-binary",
            "other": "Other",
            **PREFER,
        },
        section=EQUALITY,
        required=False,
        equality=True,
    ),
    choice(
        "ethnic_group",
        "What is your ethnic group?",
        {
            "asian": "Asian or Asian British",
            "black": "Black, Black British, Caribbean or African",
            "mixed": "Mixed or multiple ethnic groups",
            "white": "White",
            "other": "Other ethnic group",
            **PREFER,
        },
        section=EQUALITY,
        required=False,
        equality=True,
    ),
    choice(
        "age_band",
        "What is your age?",
        {
            "16-24": "16 to 24",
            "25-34": "25 to 34",
            "35-44": "35 to 44",
            "45-54": "45 to 54",
            "55-64": "55 to 64",
            "65+": "65 or over",
            **PREFER,
        },
        section=EQUALITY,
        required=False,
        equality=True,
    ),
    choice(
        "disability",
        "Do you consider yourself to have a disability or long-term health condition?",
        {"yes": "Yes", "no": "No", **PREFER},
        section=EQUALITY,
        required=False,
        equality=True,
    ),
]

FEEDBACK = "Your feedback"
EXIT_VALUE = "Your time on Peer Networks"
LEAVING = "Leaving the programme"

VERSION_2 = [
    (
        "baseline",
        "Baseline survey",
        [*matched_questions(), consent(), *EQUALITY_QUESTIONS],
    ),
    (
        "session_feedback",
        "After the session",
        [
            scale(
                "overall_satisfaction",
                "Overall, how satisfied were you with this session?",
                SATISFIED,
                section=FEEDBACK,
            ),
            scale(
                "usefulness",
                "How useful was the session to you and your business?",
                USEFUL,
                section=FEEDBACK,
            ),
            ask(
                "one_change",
                "What one thing would you change about the session?",
                "text",
                section=FEEDBACK,
                required=False,
                help="Your facilitator reads these comments, without your name.",
            ),
            ask(
                "comments",
                "Anything else you would like to tell us?",
                "text",
                section=FEEDBACK,
                required=False,
            ),
        ],
    ),
    (
        "exit",
        "Exit survey",
        [
            *matched_questions(),
            scale(
                "overall_satisfaction",
                "Overall, how satisfied were you with Peer Networks?",
                SATISFIED,
                section=EXIT_VALUE,
            ),
            scale(
                "goals_achieved",
                "How far did you achieve what you hoped to?",
                {
                    "1": "Not at all",
                    "2": "A little",
                    "3": "Partly",
                    "4": "Mostly",
                    "5": "Completely",
                },
                section=EXIT_VALUE,
            ),
            scale(
                "one_to_one_useful",
                "How useful was the one-to-one support?",
                USEFUL,
                section=EXIT_VALUE,
                required=False,
            ),
            scale(
                "recommend",
                "How likely are you to recommend Peer Networks to another business leader?",
                {"0": "Not at all likely", "10": "Extremely likely"},
                section=EXIT_VALUE,
                low=0,
                high=10,
            ),
            ask(
                "stay_in_touch",
                "Will your group keep meeting after the programme?",
                "yes_no",
                section=EXIT_VALUE,
            ),
            choice(
                "intentions",
                "What do you intend to do in the next 12 months?",
                {
                    "grow-turnover": "Grow turnover",
                    "recruit": "Take on staff",
                    "new-products": "Launch new products or services",
                    "new-markets": "Enter new markets, including exporting",
                    "invest-technology": "Invest in technology",
                    "seek-finance": "Seek finance",
                    "more-support": "Look for more business support",
                },
                kind="multi_choice",
                section=EXIT_VALUE,
                required=False,
                help="Select all that apply.",
            ),
            ask(
                "comments",
                "Anything else you would like to tell us?",
                "text",
                section=EXIT_VALUE,
                required=False,
            ),
            consent(),
        ],
    ),
    (
        "dropout",
        "Leaving the programme",
        [
            choice(
                "reason",
                "What is the main reason you are leaving?",
                {
                    "time": "I do not have the time",
                    "business-pressures": "Pressures in the business",
                    "not-what-i-expected": "It was not what I expected",
                    "personal": "Personal reasons",
                    "other": "Another reason",
                },
                section=LEAVING,
            ),
            ask(
                "outside_control",
                "Was the reason outside your control?",
                "yes_no",
                section=LEAVING,
                help="Someone who left for reasons outside their control may be able to "
                "join again next year.",
            ),
            scale(
                "overall_satisfaction",
                "Overall, how satisfied were you while taking part?",
                SATISFIED,
                section=LEAVING,
                required=False,
            ),
            ask(
                "what_would_have_helped",
                "What would have helped you stay?",
                "text",
                section=LEAVING,
                required=False,
            ),
            ask(
                "comments",
                "Anything else you would like to tell us?",
                "text",
                section=LEAVING,
                required=False,
            ),
        ],
    ),
]


def seed_survey_instruments(apps, schema_editor):
    """Version 1, then version 2 as the active one: the rows the old migrations left."""
    SurveyInstrument = apps.get_model("participants", "SurveyInstrument")
    for version, instruments in ((1, VERSION_1), (2, VERSION_2)):
        for kind, title, questions in instruments:
            SurveyInstrument.objects.filter(kind=kind, active=True).update(active=False)
            SurveyInstrument.objects.update_or_create(
                kind=kind,
                version=version,
                defaults={"title": title, "questions": questions, "active": True},
            )


def unseed_survey_instruments(apps, schema_editor):
    apps.get_model("participants", "SurveyInstrument").objects.filter(version__in=(1, 2)).delete()


class Migration(migrations.Migration):
    replaces = [
        ("participants", "0003_seed_survey_instruments"),
        ("participants", "0005_survey_instruments_v2"),
    ]

    dependencies = [("participants", "0001_participants_and_businesses")]

    operations = [migrations.RunPython(seed_survey_instruments, unseed_survey_instruments)]
