"""The ground floor: programmes, clusters, hubs, delivery partners, staff users, worker
heartbeats, rule warnings, the audit trail (append-only in the database itself) and breaches.

Issue 16 squashed each app's migration history into a few files that build the same
database. A database at the end of the old history (commit 2638e65) already has all of it:
`replaces` names the old migrations each new one stands for, so Django sees it as applied.
This first migration also stands for the first and the last migration of every app's old
history (the rows below the line in `replaces`), and 0002_role_assignments depends on it by
one of those names: so a database part-way along the old history, which has some of them
and not others, makes Django stop before migrating anything ("... depends on nonexistent
node ... some of the replaced migrations are already applied"). README "Upgrading".
"""

import django.core.serializers.json
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import peernet.models
import uuid
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

# docs/security.md §21: the database itself refuses to rewrite the audit trail. DELETE is let
# through only inside the retention purge (peernet.audit.purge_expired), which sets
# `peernet.audit_purge` for its own transaction. TRUNCATE (the test runner's flush) is
# not a row event and is unaffected.
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION peernet_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('peernet.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % refused on peernet_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER peernet_auditevent_append_only
    BEFORE UPDATE OR DELETE ON peernet_auditevent
    FOR EACH ROW EXECUTE FUNCTION peernet_auditevent_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS peernet_auditevent_append_only ON peernet_auditevent;
DROP FUNCTION IF EXISTS peernet_auditevent_append_only();
"""
# The SQLite demo: no updates at all; deletes only of rows past the seven-year retention.
SQLITE_UP = [
    """CREATE TRIGGER peernet_auditevent_no_update BEFORE UPDATE ON peernet_auditevent
    BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER peernet_auditevent_no_delete BEFORE DELETE ON peernet_auditevent
    WHEN OLD.at > datetime('now', '-7 years')
    BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS peernet_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS peernet_auditevent_no_delete;",
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    replaces = [
        ("peernet", "0002_workerheartbeat"),
        ("peernet", "0003_rulewarning"),
        # The old history's first migrations (those with no migration of ours before them)
        # and its last ones (none of ours after them): see the docstring.
        ("cohorts", "0001_initial"),
        ("participants", "0001_initial"),
        ("delivery", "0001_initial"),
        ("peernet", "0004_audit_breach"),
        ("cohorts", "0005_joining_mode"),
        ("participants", "0008_e3_e4_flexibilities"),
        ("delivery", "0011_absence_follow_up"),
        ("reporting", "0005_frozen_versions_message"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Cluster",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=60, unique=True)),
                ("name", models.CharField(max_length=120, unique=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Programme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "delivery_start",
                    models.DateField(help_text="K5: first day of the delivery window."),
                ),
                (
                    "delivery_end",
                    models.DateField(help_text="K5: last day of the delivery window."),
                ),
                (
                    "national_target",
                    models.PositiveIntegerField(help_text="Participants starting nationally."),
                ),
                ("cohort_size", models.PositiveSmallIntegerField(default=11)),
                (
                    "cohort_hours",
                    models.DecimalField(decimal_places=2, default=Decimal("18"), max_digits=5),
                ),
                (
                    "session_hours_min",
                    models.DecimalField(decimal_places=2, default=Decimal("2"), max_digits=4),
                ),
                (
                    "session_hours_max",
                    models.DecimalField(decimal_places=2, default=Decimal("3"), max_digits=4),
                ),
                ("session_gap_days_max", models.PositiveSmallIntegerField(default=21)),
                ("joining_instructions_hours", models.PositiveSmallIntegerField(default=48)),
                (
                    "one_to_one_hours",
                    models.DecimalField(decimal_places=2, default=Decimal("3.5"), max_digits=4),
                ),
                ("one_to_one_months_after_final", models.PositiveSmallIntegerField(default=1)),
                ("observation_notice_hours", models.PositiveSmallIntegerField(default=24)),
                ("return_due_day", models.PositiveSmallIntegerField(default=7)),
                ("sme_max_employees", models.PositiveIntegerField(default=250)),
                (
                    "sme_max_turnover",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("36000000"), max_digits=14
                    ),
                ),
                (
                    "sme_max_balance_sheet",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("18000000"), max_digits=14
                    ),
                ),
                ("min_trading_months", models.PositiveSmallIntegerField(default=12)),
                ("min_paye_employees", models.PositiveSmallIntegerField(default=5)),
                (
                    "min_turnover",
                    models.DecimalField(decimal_places=2, default=Decimal("100000"), max_digits=14),
                ),
            ],
            options={
                "ordering": ["-delivery_start"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("delivery_end__gt", models.F("delivery_start"))),
                        name="programme_window_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("session_hours_max__gte", models.F("session_hours_min")),
                            ("session_hours_min__gt", 0),
                        ),
                        name="programme_session_hours_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("cohort_size__gt", 0),
                            ("cohort_hours__gt", 0),
                            ("one_to_one_hours__gt", 0),
                        ),
                        name="programme_minimums_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("return_due_day__gte", 1), ("return_due_day__lte", 28)),
                        name="programme_return_due_day_in_month",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Hub",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=60, unique=True)),
                ("name", models.CharField(max_length=160)),
                ("lep", models.CharField(max_length=160, verbose_name="LEP name")),
                (
                    "target",
                    models.PositiveIntegerField(help_text="Participants the hub aims to start."),
                ),
                ("local_authorities", models.JSONField(blank=True, default=list)),
                (
                    "privacy_notice_url",
                    models.URLField(
                        blank=True,
                        help_text="C2: the hub's own privacy notice, shown before registration.",
                    ),
                ),
                (
                    "cluster",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hubs",
                        to="peernet.cluster",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="DeliveryPartner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=60, unique=True)),
                ("name", models.CharField(max_length=160)),
                (
                    "service",
                    models.CharField(
                        choices=[
                            ("facilitation", "Facilitation"),
                            ("one_to_one", "One-to-one support"),
                            ("both", "Facilitation and one-to-one support"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="delivery_partners",
                        to="peernet.hub",
                    ),
                ),
            ],
            options={
                "ordering": ["hub__name", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("hub", "name"), name="delivery_partner_unique_name"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                (
                    "last_login",
                    models.DateTimeField(blank=True, null=True, verbose_name="last login"),
                ),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                ("email", models.EmailField(max_length=254, unique=True)),
                ("name", models.CharField(max_length=160)),
                (
                    "key",
                    models.SlugField(
                        blank=True, help_text="Scenario key.", max_length=60, null=True, unique=True
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                (
                    "is_staff",
                    models.BooleanField(default=False, help_text="May use the Django admin."),
                ),
                ("date_joined", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="staff",
                        to="peernet.deliverypartner",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("email", django.db.models.functions.text.Lower("email"))
                        ),
                        name="user_email_lower_case",
                    )
                ],
            },
            managers=[
                ("objects", peernet.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("worker", models.CharField(max_length=200, unique=True)),
                ("seen_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["-seen_at"],
            },
        ),
        migrations.CreateModel(
            name="RuleWarning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule", models.CharField(max_length=4)),
                ("subject_kind", models.CharField(max_length=20)),
                ("subject_id", models.PositiveBigIntegerField()),
                ("sentence", models.TextField()),
                ("action", models.CharField(help_text="The service that acted.", max_length=40)),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "hub",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rule_warnings",
                        to="peernet.hub",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-recorded_at", "rule"],
                "indexes": [
                    models.Index(
                        fields=["subject_kind", "subject_id"], name="peernet_rul_subject_c90adf_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("actor_email", models.CharField(blank=True, max_length=254)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("create", "Created"),
                            ("update", "Changed"),
                            ("delete", "Deleted"),
                            ("view", "Viewed personal data"),
                            ("export", "Exported personal data"),
                            ("erase", "Erased personal data"),
                            ("login", "Signed in"),
                            ("retention", "Applied the retention schedule"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "object_type",
                    models.CharField(blank=True, help_text="app_label.model", max_length=60),
                ),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("summary", models.CharField(max_length=300)),
                (
                    "before",
                    models.JSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                    ),
                ),
                (
                    "after",
                    models.JSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                    ),
                ),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("request_id", models.CharField(blank=True, max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="peernet.hub",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["object_type", "object_id"], name="peernet_aud_object__48ce0c_idx"
                    ),
                    models.Index(
                        fields=["actor_email", "at"], name="peernet_aud_actor_e_3f951e_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Breach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("discovered_at", models.DateTimeField()),
                ("description", models.TextField()),
                (
                    "data_affected",
                    models.TextField(help_text="What personal data, about whom, how many."),
                ),
                ("reported_to_ico_at", models.DateTimeField(blank=True, null=True)),
                (
                    "not_reported_reason",
                    models.TextField(
                        blank=True, help_text="Why it was decided not to report it to the ICO."
                    ),
                ),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hubs",
                    models.ManyToManyField(blank=True, related_name="breaches", to="peernet.hub"),
                ),
            ],
            options={
                "ordering": ["-discovered_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("reported_to_ico_at__isnull", True),
                            ("not_reported_reason", ""),
                            _connector="OR",
                        ),
                        name="breach_reported_or_not_not_both",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("reported_to_ico_at__isnull", True),
                            ("reported_to_ico_at__gte", models.F("discovered_at")),
                            _connector="OR",
                        ),
                        name="breach_reported_after_discovery",
                    ),
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
