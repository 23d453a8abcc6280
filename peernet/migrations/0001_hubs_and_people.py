"""The ground floor: clusters, hubs, their delivery partners, staff users and programmes.

Issue 16 squashed each app's migration history into a few files that build the same
database. A database at the end of the old history (commit 2638e65) already has all of
it: `replaces` names the old migrations each new one stands for, so Django sees it as
applied. This first migration also stands for the first and the last migration of each
app's old history (after the comment in `replaces`), and 0002 depends on it by one of
those names, so a database part-way along the old history, which has some of them and
not others, makes Django stop before it migrates anything ("... depends on nonexistent
node ... some of the replaced migrations are already applied"). README "Upgrading".
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import peernet.models
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('peernet', '0001_initial'),
        # The old history's first migrations (with none of ours before them) and its
        # last ones (with none of ours after them): see the docstring.
        ('cohorts', '0001_initial'),
        ('participants', '0001_initial'),
        ('delivery', '0001_initial'),
        ('peernet', '0004_audit_breach'),
        ('cohorts', '0005_joining_mode'),
        ('participants', '0008_e3_e4_flexibilities'),
        ('delivery', '0011_absence_follow_up'),
        ('reporting', '0005_frozen_versions_message'),
    ]

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='Cluster',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=120, unique=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='DeliveryPartner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=160)),
                ('service', models.CharField(choices=[('facilitation', 'Facilitation'), ('one_to_one', 'One-to-one support'), ('both', 'Facilitation and one-to-one support')], max_length=20)),
            ],
            options={
                'ordering': ['hub__name', 'name'],
            },
        ),
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('email', models.EmailField(max_length=254, unique=True)),
                ('name', models.CharField(max_length=160)),
                ('key', models.SlugField(blank=True, help_text='Scenario key.', max_length=60, null=True, unique=True)),
                ('is_active', models.BooleanField(default=True)),
                ('is_staff', models.BooleanField(default=False, help_text='May use the Django admin.')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now)),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='staff', to='peernet.deliverypartner')),
                ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('email', django.db.models.functions.text.Lower('email'))), name='user_email_lower_case')],
            },
            managers=[
                ('objects', peernet.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name='Hub',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=160)),
                ('lep', models.CharField(max_length=160, verbose_name='LEP name')),
                ('target', models.PositiveIntegerField(help_text='Participants the hub aims to start.')),
                ('local_authorities', models.JSONField(blank=True, default=list)),
                ('privacy_notice_url', models.URLField(blank=True, help_text="C2: the hub's own privacy notice, shown before registration.")),
                ('cluster', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='hubs', to='peernet.cluster')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Programme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('delivery_start', models.DateField(help_text='K5: first day of the delivery window.')),
                ('delivery_end', models.DateField(help_text='K5: last day of the delivery window.')),
                ('national_target', models.PositiveIntegerField(help_text='Participants starting nationally.')),
                ('cohort_size', models.PositiveSmallIntegerField(default=11)),
                ('cohort_hours', models.DecimalField(decimal_places=2, default=Decimal('18'), max_digits=5)),
                ('session_hours_min', models.DecimalField(decimal_places=2, default=Decimal('2'), max_digits=4)),
                ('session_hours_max', models.DecimalField(decimal_places=2, default=Decimal('3'), max_digits=4)),
                ('session_gap_days_max', models.PositiveSmallIntegerField(default=21)),
                ('joining_instructions_hours', models.PositiveSmallIntegerField(default=48)),
                ('one_to_one_hours', models.DecimalField(decimal_places=2, default=Decimal('3.5'), max_digits=4)),
                ('one_to_one_months_after_final', models.PositiveSmallIntegerField(default=1)),
                ('observation_notice_hours', models.PositiveSmallIntegerField(default=24)),
                ('return_due_day', models.PositiveSmallIntegerField(default=7)),
                ('sme_max_employees', models.PositiveIntegerField(default=250)),
                ('sme_max_turnover', models.DecimalField(decimal_places=2, default=Decimal('36000000'), max_digits=14)),
                ('sme_max_balance_sheet', models.DecimalField(decimal_places=2, default=Decimal('18000000'), max_digits=14)),
                ('min_trading_months', models.PositiveSmallIntegerField(default=12)),
                ('min_paye_employees', models.PositiveSmallIntegerField(default=5)),
                ('min_turnover', models.DecimalField(decimal_places=2, default=Decimal('100000'), max_digits=14)),
            ],
            options={
                'ordering': ['-delivery_start'],
                'constraints': [models.CheckConstraint(condition=models.Q(('delivery_end__gt', models.F('delivery_start'))), name='programme_window_ordered'), models.CheckConstraint(condition=models.Q(('session_hours_max__gte', models.F('session_hours_min')), ('session_hours_min__gt', 0)), name='programme_session_hours_ordered'), models.CheckConstraint(condition=models.Q(('cohort_size__gt', 0), ('cohort_hours__gt', 0), ('one_to_one_hours__gt', 0)), name='programme_minimums_positive'), models.CheckConstraint(condition=models.Q(('return_due_day__gte', 1), ('return_due_day__lte', 28)), name='programme_return_due_day_in_month')],
            },
        ),
        migrations.AddField(
            model_name='deliverypartner',
            name='hub',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delivery_partners', to='peernet.hub'),
        ),
        migrations.AddConstraint(
            model_name='deliverypartner',
            constraint=models.UniqueConstraint(fields=('hub', 'name'), name='delivery_partner_unique_name'),
        ),
    ]
