"""Monthly returns and their submitted versions (frozen by the database itself), digests
sent, rule findings, risk scans and export files.

Squashed in issue 16 (README "Upgrading"; peernet/migrations/0001 says how).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# docs/security.md §26: a submitted return version never changes, enforced by the database
# as well as the model, so no route round the ORM (raw SQL, another client) can alter or
# delete one. TRUNCATE is left alone: it is how a test database is emptied, never a path
# the application takes.
MESSAGE = "a submitted return version never changes (docs/security.md §26)"

POSTGRES_FORWARD = f"""
CREATE FUNCTION reporting_returnversion_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_returnversion_frozen
    BEFORE UPDATE OR DELETE ON reporting_returnversion
    FOR EACH ROW EXECUTE FUNCTION reporting_returnversion_frozen();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS reporting_returnversion_frozen ON reporting_returnversion;
DROP FUNCTION IF EXISTS reporting_returnversion_frozen();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER reporting_returnversion_no_{action}
    BEFORE {action.upper()} ON reporting_returnversion
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
    for action in ("update", "delete")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS reporting_returnversion_no_{action};"
    for action in ("update", "delete")
]


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)


def freeze(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD)


def unfreeze(apps, schema_editor):
    _run(schema_editor, POSTGRES_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):

    replaces = [
        ('reporting', '0001_initial'),
        ('reporting', '0002_digestsent_finding_riskscan'),
        ('reporting', '0003_exportfile'),
        ('reporting', '0004_return_parts_and_frozen_versions'),
    ]

    initial = True

    dependencies = [
        ('cohorts', '0001_cohorts'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthlyReturn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month reported on.')),
                ('draft_figures', models.JSONField(blank=True, default=dict)),
                ('draft_breakdowns', models.JSONField(blank=True, default=dict)),
                ('draft_compiled_at', models.DateTimeField(blank=True, null=True)),
                ('narrative', models.TextField(blank=True, help_text='M2: the supporting narrative.')),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monthly_returns', to='peernet.hub')),
                ('draft_parts', models.JSONField(blank=True, default=dict, help_text='Numerators and denominators of the rates.')),
                ('reminder_sent_at', models.DateTimeField(blank=True, help_text='When the hub was reminded that it is due (M1).', null=True)),
            ],
            options={
                'ordering': ['-month', 'hub__name'],
                'constraints': [models.UniqueConstraint(fields=('hub', 'month'), name='monthly_return_one_per_month'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='monthly_return_month_is_first_day')],
            },
        ),
        migrations.CreateModel(
            name='ReturnVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField()),
                ('figures', models.JSONField()),
                ('breakdowns', models.JSONField()),
                ('narrative', models.TextField(blank=True)),
                ('sha256', models.CharField(max_length=64)),
                ('submitted_at', models.DateTimeField()),
                ('reason', models.TextField(blank=True, help_text='Why it was resubmitted.')),
                ('monthly_return', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='reporting.monthlyreturn')),
                ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('parts', models.JSONField(blank=True, default=dict, help_text='Numerators and denominators of the rates.')),
            ],
            options={
                'ordering': ['monthly_return', 'version'],
                'constraints': [models.UniqueConstraint(fields=('monthly_return', 'version'), name='return_version_unique'), models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='return_version_positive'), models.CheckConstraint(condition=models.Q(('version', 1), models.Q(('reason', ''), _negated=True), _connector='OR'), name='return_resubmission_has_reason')],
            },
        ),
        migrations.CreateModel(
            name='DigestSent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('run_on', models.DateField()),
                ('as_of', models.DateTimeField(help_text='The scan moment the digest reported changes up to.')),
                ('sent_at', models.DateTimeField()),
                ('new_findings', models.PositiveIntegerField(default=0)),
                ('resolved_findings', models.PositiveIntegerField(default=0)),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='risk_digests', to='peernet.hub')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='risk_digests', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'digest sent',
                'verbose_name_plural': 'digests sent',
                'ordering': ['-run_on', 'user'],
                'constraints': [models.UniqueConstraint(fields=('user', 'hub', 'run_on'), name='digest_sent_once_per_user_hub_day')],
            },
        ),
        migrations.CreateModel(
            name='Finding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=4)),
                ('subject_kind', models.CharField(choices=[('participant', 'Participant'), ('cohort', 'Cohort'), ('session', 'Group session'), ('one_to_one', 'One-to-one session'), ('observation', 'Observation'), ('facilitator', 'Facilitator'), ('complaint', 'Complaint'), ('monthly_return', 'Monthly return')], max_length=20)),
                ('subject_id', models.PositiveBigIntegerField()),
                ('subject_code', models.UUIDField(blank=True, null=True)),
                ('subject_name', models.CharField(max_length=300)),
                ('outcome', models.CharField(choices=[('warn', 'Warning'), ('fail', 'Fail')], max_length=4)),
                ('sentence', models.TextField()),
                ('due', models.DateField(blank=True, null=True)),
                ('first_found', models.DateTimeField()),
                ('last_found', models.DateTimeField()),
                ('resolved', models.DateTimeField(blank=True, null=True)),
                ('cohort', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='cohorts.cohort')),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='peernet.hub')),
                ('participant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='participants.participant')),
            ],
            options={
                'ordering': ['hub', 'rule', 'subject_kind', 'subject_id'],
                'indexes': [models.Index(fields=['hub', 'resolved'], name='reporting_f_hub_id_4a80d5_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved__isnull', True)), fields=('hub', 'rule', 'subject_kind', 'subject_id'), name='finding_one_open_per_rule_and_subject'), models.CheckConstraint(condition=models.Q(('outcome__in', ['warn', 'fail'])), name='finding_outcome_warn_or_fail'), models.CheckConstraint(condition=models.Q(('last_found__gte', models.F('first_found'))), name='finding_last_found_after_first')],
            },
        ),
        migrations.CreateModel(
            name='RiskScan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('run_on', models.DateField()),
                ('runs', models.PositiveSmallIntegerField(default=1, help_text='Times run on this day.')),
                ('as_of', models.DateTimeField(help_text='The moment the latest run judged the rules at.')),
                ('started', models.DateTimeField()),
                ('finished', models.DateTimeField(blank=True, null=True)),
                ('subjects', models.PositiveIntegerField(default=0, help_text='Records judged.')),
                ('open_findings', models.PositiveIntegerField(default=0)),
                ('new_findings', models.PositiveIntegerField(default=0, help_text='By the latest run.')),
                ('resolved_findings', models.PositiveIntegerField(default=0, help_text='By the latest run.')),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='risk_scans', to='peernet.hub')),
            ],
            options={
                'ordering': ['-run_on', 'hub__name'],
                'constraints': [models.UniqueConstraint(fields=('hub', 'run_on'), name='risk_scan_one_per_hub_and_day')],
            },
        ),
        migrations.CreateModel(
            name='ExportFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(help_text='What was asked for, e.g. return-xlsx.', max_length=40)),
                ('params', models.JSONField(blank=True, default=dict)),
                ('requested_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('pending', 'Waiting to start'), ('running', 'Being built'), ('complete', 'Ready'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('progress', models.PositiveSmallIntegerField(default=0, help_text='Per cent done.')),
                ('filename', models.CharField(blank=True, max_length=200)),
                ('content_type', models.CharField(blank=True, max_length=100)),
                ('content', models.BinaryField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='export_files', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='export_file_progress_at_most_100'), models.CheckConstraint(condition=models.Q(models.Q(('completed_at__isnull', False), ('content__isnull', False), ('status', 'complete')), models.Q(models.Q(('status', 'complete'), _negated=True), ('content__isnull', True)), _connector='OR'), name='export_file_content_only_when_complete')],
            },
        ),
        migrations.RunPython(freeze, unfreeze),
    ]
