"""The BEIS core topics and the finer topics the Playbook lists under them
(Playbook: "The BEIS Core Topics: a springboard to success").

Squashed in issue 16 from the migration that seeded them (`replaces`).
"""

from django.db import migrations

CORE_TOPICS = [
    ("finance", "Finance", []),
    ("hr", "HR", []),
    ("sales-and-marketing", "Sales and marketing", []),
    ("business-model-innovation", "Business model innovation", []),
    ("change-management", "Change management", []),
    ("management-processes", "Embedding formal management processes and systems", []),
    (
        "digital",
        "Digital (adoption and implementation of technology, cyber security)",
        [
            ("technology-adoption", "Adoption and implementation of technology"),
            ("cyber-security", "Cyber security"),
        ],
    ),
    ("use-of-data", "Use of data to drive value in the business", []),
    (
        "covid-19",
        "COVID-19",
        [
            ("social-distancing", "Adjusting to social distancing and its impact on models"),
            ("organisational-culture", "Impact on organisational culture"),
            ("furlough", "Management of staff on and off furlough"),
            ("further-lockdown", "Fear of a further lockdown"),
            ("redundancy", "Redundancy: emotional, cash and culture impact"),
        ],
    ),
    (
        "net-zero",
        "The impact of net-zero carbon emissions on UK business",
        [
            ("understanding-net-zero", "Understanding what net zero carbon means"),
            ("carbon-footprint", "How to calculate carbon footprints"),
            ("carbon-efficiency", "Reducing carbon through efficiencies, innovation, behaviour"),
            ("carbon-reduction-ideas", "Thinking creatively about carbon reduction"),
        ],
    ),
    (
        "eu-exit",
        "Being out of the European Union",
        [
            ("trade-compliance", "Compliance with trade requirements and tariffs"),
            ("funding-sources", "Changes in sources of funding"),
            ("staff-employment", "Staff employment requirements"),
            ("supply-chain", "Supply chain issues"),
        ],
    ),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("delivery", "Topic")
    position = 0
    for key, name, children in CORE_TOPICS:
        position += 1
        parent, _ = Topic.objects.update_or_create(
            key=key, defaults={"name": name, "parent": None, "position": position}
        )
        for child_key, child_name in children:
            position += 1
            Topic.objects.update_or_create(
                key=child_key, defaults={"name": child_name, "parent": parent, "position": position}
            )


def unseed(apps, schema_editor):
    Topic = apps.get_model("delivery", "Topic")
    Topic.objects.filter(parent__isnull=False).delete()
    Topic.objects.all().delete()


class Migration(migrations.Migration):
    replaces = [("delivery", "0004_seed_beis_topics")]

    dependencies = [("delivery", "0001_sessions_and_support")]

    operations = [migrations.RunPython(seed, unseed)]
