"""Role assignments (a facilitator's for a cohort), worker heartbeats, rule warnings, the
audit trail (append-only in the database itself) and breaches.

Squashed in issue 16 (README "Upgrading"; peernet/migrations/0001 says how).
"""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
import uuid
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
        ('peernet', '0002_workerheartbeat'),
        ('peernet', '0003_rulewarning'),
    ]

    initial = True

    dependencies = [
        ('cohorts', '0001_cohorts'),
        ('peernet', '0001_hubs_and_people'),
        # 0001 again, by an old name it stands for: where it cannot stand for them (a
        # database part-way along the old history), this names nothing and Django stops
        # before it migrates anything. See 0001's docstring.
        ('peernet', '0004_audit_breach'),
    ]

    operations = [
        migrations.CreateModel(
            name='RoleAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('coordinator', 'National coordinator'), ('funder', 'Funder (BEIS)'), ('evaluator', 'Evaluator'), ('hub_admin', 'Hub administrator'), ('facilitator', 'Facilitator'), ('one_to_one_provider', 'One-to-one provider')], max_length=30)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('cohort', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to='cohorts.cohort')),
                ('hub', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to='peernet.hub')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['user__name', 'role'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('hub__isnull', True), ('role__in', ['coordinator', 'funder', 'evaluator'])), models.Q(models.Q(('role__in', ['coordinator', 'funder', 'evaluator']), _negated=True), ('hub__isnull', False)), _connector='OR'), name='role_assignment_scope_matches_role'), models.CheckConstraint(condition=models.Q(('cohort__isnull', True), ('role', 'facilitator'), _connector='OR'), name='role_assignment_cohort_only_for_facilitators'), models.UniqueConstraint(condition=models.Q(('hub__isnull', True)), fields=('user', 'role'), name='role_assignment_unique_national_role'), models.UniqueConstraint(condition=models.Q(('cohort__isnull', True), ('hub__isnull', False)), fields=('user', 'role', 'hub'), name='role_assignment_unique_hub_role'), models.UniqueConstraint(condition=models.Q(('cohort__isnull', False)), fields=('cohort',), name='role_assignment_one_facilitator_per_cohort')],
            },
        ),
        migrations.CreateModel(
            name='WorkerHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker', models.CharField(max_length=200, unique=True)),
                ('seen_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['-seen_at'],
            },
        ),
        migrations.CreateModel(
            name='RuleWarning',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=4)),
                ('subject_kind', models.CharField(max_length=20)),
                ('subject_id', models.PositiveBigIntegerField()),
                ('sentence', models.TextField()),
                ('action', models.CharField(help_text='The service that acted.', max_length=40)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rule_warnings', to='peernet.hub')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-recorded_at', 'rule'],
                'indexes': [models.Index(fields=['subject_kind', 'subject_id'], name='peernet_rul_subject_c90adf_idx')],
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor_email', models.CharField(blank=True, max_length=254)),
                ('action', models.CharField(choices=[('create', 'Created'), ('update', 'Changed'), ('delete', 'Deleted'), ('view', 'Viewed personal data'), ('export', 'Exported personal data'), ('erase', 'Erased personal data'), ('login', 'Signed in'), ('retention', 'Applied the retention schedule')], max_length=20)),
                ('object_type', models.CharField(blank=True, help_text='app_label.model', max_length=60)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('summary', models.CharField(max_length=300)),
                ('before', models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True)),
                ('after', models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True)),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                ('request_id', models.CharField(blank=True, max_length=64)),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('hub', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='peernet.hub')),
            ],
            options={
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='peernet_aud_object__48ce0c_idx'), models.Index(fields=['actor_email', 'at'], name='peernet_aud_actor_e_3f951e_idx')],
            },
        ),
        migrations.CreateModel(
            name='Breach',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('discovered_at', models.DateTimeField()),
                ('description', models.TextField()),
                ('data_affected', models.TextField(help_text='What personal data, about whom, how many.')),
                ('reported_to_ico_at', models.DateTimeField(blank=True, null=True)),
                ('not_reported_reason', models.TextField(blank=True, help_text='Why it was decided not to report it to the ICO.')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('hubs', models.ManyToManyField(blank=True, related_name='breaches', to='peernet.hub')),
            ],
            options={
                'ordering': ['-discovered_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('reported_to_ico_at__isnull', True), ('not_reported_reason', ''), _connector='OR'), name='breach_reported_or_not_not_both'), models.CheckConstraint(condition=models.Q(('reported_to_ico_at__isnull', True), ('reported_to_ico_at__gte', models.F('discovered_at')), _connector='OR'), name='breach_reported_after_discovery')],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
