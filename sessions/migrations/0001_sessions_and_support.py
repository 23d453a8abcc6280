"""Group sessions, attendance, facilitators' notes, action cards, observations and topics;
one-to-one support (sessions, action plans and their revisions, referrals, declines,
providers' declarations); complaints; session notices; absence follow-ups.

Squashed in issue 16 (README "Upgrading"; peernet/migrations/0001 says how).
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('delivery', '0002_initial'),
        ('delivery', '0003_initial'),
        ('delivery', '0005_complaint_kind_received_from'),
        ('delivery', '0006_attendance_apologies_hot_topic_tags_joining_instructions_sent'),
        ('delivery', '0007_observation_ratings_and_recording'),
        ('delivery', '0008_one_to_one_support'),
        ('delivery', '0009_hot_topic_tags_become_session_topics'),
        ('delivery', '0010_session_notices'),
    ]

    initial = True

    dependencies = [
        ('cohorts', '0001_cohorts'),
    ]

    operations = [
        migrations.CreateModel(
            name='ActionCard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actions', models.TextField()),
                ('report_back', models.TextField(blank=True)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_cards', to='participants.participant')),
            ],
            options={
                'ordering': ['session', 'participant'],
            },
        ),
        migrations.CreateModel(
            name='ActionPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('goal', models.TextField()),
                ('reality', models.TextField(blank=True)),
                ('options', models.TextField(blank=True, verbose_name='obstacles and options')),
                ('way_forward', models.TextField(blank=True)),
                ('tactics', models.TextField(blank=True)),
                ('habits', models.TextField(blank=True)),
                ('agreed_on', models.DateField()),
                ('participant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='action_plan', to='participants.participant')),
                ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['participant'],
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('present', models.BooleanField()),
                ('hours', models.DecimalField(decimal_places=2, max_digits=5)),
                ('recorded_at', models.DateTimeField(auto_now=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendance', to='participants.participant')),
            ],
            options={
                'verbose_name_plural': 'attendance',
                'ordering': ['session', 'participant'],
            },
        ),
        migrations.CreateModel(
            name='Complaint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('received', models.DateField()),
                ('summary', models.TextField()),
                ('action_taken', models.TextField(blank=True)),
                ('resolved', models.DateField(blank=True, null=True)),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='peernet.hub')),
                ('kind', models.CharField(choices=[('complaint', 'Complaint'), ('compliment', 'Compliment')], default='complaint', max_length=10)),
                ('received_from', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'ordering': ['-received'],
                'constraints': [models.CheckConstraint(condition=models.Q(('resolved__isnull', True), ('resolved__gte', models.F('received')), _connector='OR'), name='complaint_resolved_after_received'), models.CheckConstraint(condition=models.Q(('kind__in', ['complaint', 'compliment'])), name='complaint_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='FacilitatorNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('issues_brought', models.TextField(blank=True)),
                ('actions_agreed', models.TextField(blank=True)),
                ('process_issues', models.TextField(blank=True)),
                ('hot_topics', models.TextField(blank=True)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['session'],
            },
        ),
        migrations.CreateModel(
            name='GroupSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('code', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('starts_at', models.DateTimeField()),
                ('hours', models.DecimalField(decimal_places=2, max_digits=5)),
                ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10)),
                ('location', models.CharField(blank=True, help_text='Venue or video link.', max_length=300)),
                ('joining_instructions_sent_at', models.DateTimeField(blank=True, null=True)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='cohorts.cohort')),
                ('sequence', models.PositiveIntegerField(default=0)),
            ],
            options={
                'ordering': ['starts_at'],
            },
        ),
        migrations.CreateModel(
            name='Observation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('notice_given', models.DateTimeField(help_text='Q2: at least 24 hours before the session.')),
                ('privacy_statement_shared', models.DateTimeField(blank=True, null=True)),
                ('completed', models.DateField(blank=True, null=True)),
                ('feedback', models.TextField(blank=True)),
                ('recording_deleted', models.DateTimeField(blank=True, help_text='Q4', null=True)),
                ('observer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='observations', to=settings.AUTH_USER_MODEL)),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='observations', to='delivery.groupsession')),
                ('ratings', models.JSONField(blank=True, default=dict)),
                ('recording_made', models.BooleanField(default=False, help_text='Q4: a recording was made for the observation.')),
            ],
            options={
                'ordering': ['session'],
                'constraints': [models.UniqueConstraint(fields=('session', 'observer'), name='observation_one_per_observer')],
            },
        ),
        migrations.CreateModel(
            name='OneToOneSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('starts_at', models.DateTimeField()),
                ('hours', models.DecimalField(decimal_places=2, max_digits=5)),
                ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10)),
                ('route', models.CharField(choices=[('programme', 'Delivered by the programme'), ('existing', 'Through an existing local programme')], max_length=10)),
                ('existing_programme', models.CharField(blank=True, max_length=200)),
                ('nature_of_support', models.TextField(blank=True, help_text='O1: for an existing programme.')),
                ('joining_instructions_sent_at', models.DateTimeField(blank=True, null=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='one_to_ones', to='participants.participant')),
                ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='one_to_ones_provided', to=settings.AUTH_USER_MODEL)),
                ('actions_agreed', models.TextField(blank=True)),
                ('entered_by_hub', models.BooleanField(default=False)),
                ('evidence', models.TextField(blank=True, help_text='O1: evidence of existing-programme support.')),
                ('mode', models.CharField(blank=True, choices=[('video', 'Video call'), ('phone', 'Phone'), ('in_person', 'In person')], max_length=10)),
                ('platform', models.CharField(blank=True, help_text='For example, Teams.', max_length=100)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('sequence', models.PositiveIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'one-to-one session',
                'ordering': ['starts_at'],
                'indexes': [models.Index(fields=['status', 'starts_at'], name='delivery_on_status_d6d1a4_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('hours__gt', 0)), name='one_to_one_hours_positive'), models.CheckConstraint(condition=models.Q(('status__in', ['scheduled', 'delivered', 'cancelled'])), name='one_to_one_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('route', 'existing'), models.Q(('existing_programme', ''), _negated=True)), models.Q(('existing_programme', ''), ('provider__isnull', False), ('route', 'programme')), _connector='OR'), name='o1_one_to_one_route_recorded'), models.UniqueConstraint(fields=('participant', 'starts_at'), name='one_to_one_one_start_per_participant'), models.CheckConstraint(condition=models.Q(('mode', ''), ('mode__in', ['video', 'phone', 'in_person']), _connector='OR'), name='one_to_one_mode_valid'), models.CheckConstraint(condition=models.Q(('entered_by_hub', False), ('route', 'existing'), _connector='OR'), name='one_to_one_hub_entries_are_existing_programme')],
            },
        ),
        migrations.CreateModel(
            name='Topic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=160)),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='delivery.topic')),
            ],
            options={
                'ordering': ['position'],
            },
        ),
        migrations.CreateModel(
            name='JoiningInstructionsSent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sent_at', models.DateTimeField()),
                ('one_to_one', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='joining_instructions_sent', to='delivery.onetoonesession')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='joining_instructions_received', to='participants.participant')),
                ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='joining_instructions_sent', to='delivery.groupsession')),
                ('kind', models.CharField(choices=[('schedule', 'The whole schedule'), ('instructions', 'Joining instructions'), ('update', 'Update: moved or changed'), ('cancellation', 'Cancellation')], default='instructions', max_length=12)),
                ('sequence', models.PositiveIntegerField(default=0)),
                ('starts_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name_plural': 'joining instructions sent',
                'ordering': ['-sent_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('one_to_one__isnull', True), ('session__isnull', False)), models.Q(('one_to_one__isnull', False), ('session__isnull', True)), _connector='OR'), name='joining_instructions_for_one_session'), models.CheckConstraint(condition=models.Q(('kind__in', ['schedule', 'instructions', 'update', 'cancellation'])), name='session_notice_kind_valid'), models.UniqueConstraint(condition=models.Q(('session__isnull', False)), fields=('session', 'participant', 'kind', 'sequence'), name='joining_instructions_once_per_member'), models.UniqueConstraint(condition=models.Q(('one_to_one__isnull', False)), fields=('one_to_one', 'kind', 'sequence'), name='joining_instructions_once_per_one_to_one')],
            },
        ),
        migrations.CreateModel(
            name='ActionPlanRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField()),
                ('goal', models.TextField()),
                ('reality', models.TextField(blank=True)),
                ('options', models.TextField(blank=True, verbose_name='obstacles and options')),
                ('way_forward', models.TextField(blank=True)),
                ('tactics', models.TextField(blank=True)),
                ('habits', models.TextField(blank=True)),
                ('agreed_on', models.DateField()),
                ('revised_at', models.DateTimeField()),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='delivery.actionplan')),
                ('revised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['plan', 'number'],
                'constraints': [models.UniqueConstraint(fields=('plan', 'number'), name='action_plan_revision_numbered_once')],
            },
        ),
        migrations.CreateModel(
            name='OneToOneDecline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('declined_on', models.DateField()),
                ('note', models.TextField(blank=True)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('participant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='one_to_one_decline', to='participants.participant')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['declined_on'],
            },
        ),
        migrations.CreateModel(
            name='OneToOneReferral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('programme_name', models.CharField(max_length=200)),
                ('nature_of_support', models.TextField()),
                ('contact', models.CharField(max_length=200)),
                ('referred_on', models.DateField()),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='one_to_one_referrals', to='participants.participant')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['referred_on', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('programme_name', ''), _negated=True), name='one_to_one_referral_names_programme')],
            },
        ),
        migrations.CreateModel(
            name='ProviderDeclaration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('has_conflict', models.BooleanField()),
                ('conflict_details', models.TextField(blank=True)),
                ('declared_on', models.DateField()),
                ('private_work_from', models.DateField(blank=True, null=True)),
                ('private_work_details', models.TextField(blank=True)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='provider_declarations', to='participants.participant')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='provider_declarations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['participant', 'provider'],
                'constraints': [models.UniqueConstraint(fields=('participant', 'provider'), name='provider_declaration_once_per_pair'), models.CheckConstraint(condition=models.Q(('has_conflict', False), models.Q(('conflict_details', ''), _negated=True), _connector='OR'), name='o7_conflict_described')],
            },
        ),
        migrations.CreateModel(
            name='AbsenceFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('followed_up_on', models.DateField()),
                ('method', models.CharField(choices=[('phone', 'Phone call'), ('email', 'Email'), ('message', 'Text or other message'), ('in_person', 'In person'), ('other', 'Another way')], max_length=10)),
                ('outcome', models.TextField()),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cohorts.cohort')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='absence_follow_ups', to='participants.participant')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['followed_up_on', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('method__in', ['phone', 'email', 'message', 'in_person', 'other'])), name='absence_follow_up_method_valid')],
            },
        ),
        migrations.AddField(
            model_name='actioncard',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_cards', to='delivery.groupsession'),
        ),
        migrations.AddField(
            model_name='attendance',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='delivery.groupsession'),
        ),
        migrations.AddField(
            model_name='attendance',
            name='apologies',
            field=models.BooleanField(default=False, help_text='Absent with apologies.'),
        ),
        migrations.AddField(
            model_name='facilitatornote',
            name='session',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='facilitator_note', to='delivery.groupsession'),
        ),
        migrations.AddField(
            model_name='groupsession',
            name='topics',
            field=models.ManyToManyField(blank=True, related_name='sessions', to='delivery.topic'),
        ),
        migrations.AddConstraint(
            model_name='actioncard',
            constraint=models.UniqueConstraint(fields=('session', 'participant'), name='action_card_one_per_session'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(fields=('session', 'participant'), name='attendance_one_per_session'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('hours__gt', 0), ('present', True)), models.Q(('hours', 0), ('present', False)), _connector='OR'), name='attendance_hours_match_presence'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.CheckConstraint(condition=models.Q(('present', False), ('apologies', False), _connector='OR'), name='attendance_apologies_only_when_absent'),
        ),
        migrations.AddIndex(
            model_name='groupsession',
            index=models.Index(fields=['status', 'starts_at'], name='delivery_gr_status_454f68_idx'),
        ),
        migrations.AddConstraint(
            model_name='groupsession',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gt', 0)), name='group_session_hours_positive'),
        ),
        migrations.AddConstraint(
            model_name='groupsession',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['scheduled', 'delivered', 'cancelled'])), name='group_session_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='groupsession',
            constraint=models.UniqueConstraint(fields=('cohort', 'starts_at'), name='group_session_one_start_per_cohort'),
        ),
    ]
