"""Version 2 of the four survey instruments (S1–S4), published beside version 1.

Version 1 stays (answers keep the version they were given against); version 2 becomes
the active one. It keeps every version 1 question key with its type, so answers to
either version read the same, and adds labels, help text, required/optional, pages
(`section`), the matched baseline/exit questions for distance travelled (`matched`),
business size now (number, money) and equality monitoring (`equality`, each with
"Prefer not to say"). The question types are described in participants/surveys.py.
"""

from django.db import migrations

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

INSTRUMENTS = [
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


def publish(apps, schema_editor):
    SurveyInstrument = apps.get_model("participants", "SurveyInstrument")
    for kind, title, questions in INSTRUMENTS:
        SurveyInstrument.objects.filter(kind=kind, active=True).update(active=False)
        SurveyInstrument.objects.update_or_create(
            kind=kind, version=2, defaults={"title": title, "questions": questions, "active": True}
        )


def unpublish(apps, schema_editor):
    SurveyInstrument = apps.get_model("participants", "SurveyInstrument")
    SurveyInstrument.objects.filter(version=2).delete()
    SurveyInstrument.objects.filter(version=1).update(active=True)


class Migration(migrations.Migration):
    dependencies = [("participants", "0004_survey_invitation_kind_draft")]
    operations = [migrations.RunPython(publish, unpublish)]
