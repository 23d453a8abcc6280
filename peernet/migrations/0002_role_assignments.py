"""Role assignments: who may do what, nationally, in a hub or (a facilitator) for a cohort.

Squashed in issue 16: `replaces` names the old migrations this one stands for (see
peernet/migrations/0001_hubs_people_and_audit.py, and README "Upgrading").
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("peernet", "0001_initial")]

    initial = True

    dependencies = [
        ("cohorts", "0001_cohorts"),
        ("peernet", "0001_hubs_people_and_audit"),
        # 0001 again, by one of the old names it stands for: where 0001 cannot stand for
        # them (a database part-way along the old history), this names nothing and Django
        # stops before migrating anything. See 0001's docstring.
        ("peernet", "0004_audit_breach"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoleAssignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("coordinator", "National coordinator"),
                            ("funder", "Funder (BEIS)"),
                            ("evaluator", "Evaluator"),
                            ("hub_admin", "Hub administrator"),
                            ("facilitator", "Facilitator"),
                            ("one_to_one_provider", "One-to-one provider"),
                        ],
                        max_length=30,
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "cohort",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_assignments",
                        to="cohorts.cohort",
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_assignments",
                        to="peernet.hub",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_assignments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["user__name", "role"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("hub__isnull", True),
                                ("role__in", ["coordinator", "funder", "evaluator"]),
                            ),
                            models.Q(
                                models.Q(
                                    ("role__in", ["coordinator", "funder", "evaluator"]),
                                    _negated=True,
                                ),
                                ("hub__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="role_assignment_scope_matches_role",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("cohort__isnull", True), ("role", "facilitator"), _connector="OR"
                        ),
                        name="role_assignment_cohort_only_for_facilitators",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("hub__isnull", True)),
                        fields=("user", "role"),
                        name="role_assignment_unique_national_role",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("cohort__isnull", True), ("hub__isnull", False)),
                        fields=("user", "role", "hub"),
                        name="role_assignment_unique_hub_role",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("cohort__isnull", False)),
                        fields=("cohort",),
                        name="role_assignment_one_facilitator_per_cohort",
                    ),
                ],
            },
        ),
    ]
