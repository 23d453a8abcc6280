"""Participants and their businesses, eligibility, equality data and business matches; the
survey instruments (their rows: 0002), invitations and responses, and participants'
signed links (their group sessions: 0003).

Squashed in issue 16 (README "Upgrading"; peernet/migrations/0001 says how).
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('participants', '0002_initial'),
        ('participants', '0007_business_match'),
    ]

    initial = True

    dependencies = [
        ('peernet', '0001_hubs_and_people'),
    ]

    operations = [
        migrations.CreateModel(
            name='EligibilityException',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(choices=[('E3', 'E3 — fewer than 5 employees, under a flexibility'), ('E4', 'E4 — turnover under £100,000, under the Covid-19 flexibility'), ('E6', 'E6 — out-of-area, agreed by both LEPs'), ('E8', 'E8 — previous-year drop-out, admitted at local discretion')], max_length=2)),
                ('agreed_by', models.CharField(help_text='Who agreed (for E6: both LEPs).', max_length=200)),
                ('agreed_on', models.DateField()),
                ('details', models.TextField(blank=True)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['participant', 'rule'],
            },
        ),
        migrations.CreateModel(
            name='EligibilityOutcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=4)),
                ('outcome', models.CharField(choices=[('pass', 'Pass'), ('warn', 'Warning'), ('fail', 'Fail'), ('n/a', 'Not applicable')], max_length=4)),
                ('sentence', models.TextField()),
            ],
            options={
                'ordering': ['participant', 'rule'],
            },
        ),
        migrations.CreateModel(
            name='EqualityData',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gender', models.CharField(blank=True, choices=[('female', 'Female'), ('male', 'Male'), ('non-binary', 'Non-binary'), ('other', 'Other'), ('prefer-not-to-say', 'Prefer not to say')], max_length=20)),
                ('ethnic_group', models.CharField(blank=True, choices=[('asian', 'Asian or Asian British'), ('black', 'Black, Black British, Caribbean or African'), ('mixed', 'Mixed or multiple ethnic groups'), ('white', 'White'), ('other', 'Other ethnic group'), ('prefer-not-to-say', 'Prefer not to say')], max_length=20)),
                ('age_band', models.CharField(blank=True, choices=[('16-24', '16 to 24'), ('25-34', '25 to 34'), ('35-44', '35 to 44'), ('45-54', '45 to 54'), ('55-64', '55 to 64'), ('65+', '65 or over'), ('prefer-not-to-say', 'Prefer not to say')], max_length=20)),
                ('disability', models.CharField(blank=True, choices=[('yes', 'Yes'), ('no', 'No'), ('prefer-not-to-say', 'Prefer not to say')], max_length=20)),
            ],
            options={
                'verbose_name': 'equality data',
                'verbose_name_plural': 'equality data',
            },
        ),
        migrations.CreateModel(
            name='Participant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('code', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('first_name', models.CharField(max_length=100)),
                ('last_name', models.CharField(max_length=100)),
                ('email', models.EmailField(max_length=254)),
                ('phone', models.CharField(blank=True, max_length=30)),
                ('job_title', models.CharField(blank=True, max_length=120)),
                ('registered', models.DateField(help_text='The first enquiry recorded.')),
                ('privacy_notice_acknowledged', models.DateField()),
                ('senior_decision_maker', models.BooleanField(help_text='E7')),
                ('aspiration_to_improve', models.BooleanField(help_text='E5')),
                ('previous_year_participant', models.BooleanField(help_text='E8')),
                ('eligibility_status', models.CharField(choices=[('pending', 'Not yet decided'), ('eligible', 'Eligible'), ('ineligible', 'Ineligible')], default='pending', max_length=12)),
                ('eligibility_decided', models.DateField(blank=True, null=True)),
                ('eligibility_notes', models.TextField(blank=True)),
                ('charter_signed_at', models.DateTimeField(blank=True, null=True)),
                ('charter_version', models.CharField(blank=True, max_length=20)),
                ('one_to_one_declined', models.BooleanField(default=False)),
                ('dropped_out_on', models.DateField(blank=True, null=True)),
                ('dropout_reason', models.TextField(blank=True)),
                ('created', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['last_name', 'first_name'],
            },
        ),
        migrations.CreateModel(
            name='SurveyInstrument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('baseline', 'Baseline (S1)'), ('session_feedback', 'After each session (S2)'), ('exit', 'Exit (S3)'), ('dropout', 'Drop-out (S4)')], max_length=20)),
                ('version', models.PositiveSmallIntegerField()),
                ('title', models.CharField(max_length=200)),
                ('questions', models.JSONField()),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['kind', '-version'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'version'), name='survey_instrument_version'), models.UniqueConstraint(condition=models.Q(('active', True)), fields=('kind',), name='survey_instrument_one_active_per_kind'), models.CheckConstraint(condition=models.Q(('kind__in', ['baseline', 'session_feedback', 'exit', 'dropout'])), name='survey_instrument_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='SurveyInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nonce', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField()),
                ('reminded_at', models.DateTimeField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='participants.surveyinstrument')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_invitations', to='participants.participant')),
            ],
            options={
                'ordering': ['-sent_at'],
            },
        ),
        migrations.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('baseline', 'Baseline (S1)'), ('session_feedback', 'After each session (S2)'), ('exit', 'Exit (S3)'), ('dropout', 'Drop-out (S4)')], max_length=20)),
                ('completed', models.DateField()),
                ('answers', models.JSONField(default=dict)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='participants.surveyinstrument')),
                ('invitation', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='response', to='participants.surveyinvitation')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_responses', to='participants.participant')),
            ],
            options={
                'ordering': ['-completed'],
            },
        ),
        migrations.CreateModel(
            name='Business',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=200)),
                ('company_number', models.CharField(blank=True, max_length=8)),
                ('local_authority', models.CharField(help_text='E6: trading address area.', max_length=120)),
                ('postcode', models.CharField(blank=True, max_length=10)),
                ('sector', models.CharField(blank=True, choices=[('A', 'A — Agriculture, forestry and fishing'), ('B', 'B — Mining and quarrying'), ('C', 'C — Manufacturing'), ('D', 'D — Electricity, gas, steam and air conditioning supply'), ('E', 'E — Water supply; sewerage, waste management and remediation'), ('F', 'F — Construction'), ('G', 'G — Wholesale and retail trade; repair of motor vehicles'), ('H', 'H — Transportation and storage'), ('I', 'I — Accommodation and food service activities'), ('J', 'J — Information and communication'), ('K', 'K — Financial and insurance activities'), ('L', 'L — Real estate activities'), ('M', 'M — Professional, scientific and technical activities'), ('N', 'N — Administrative and support service activities'), ('O', 'O — Public administration and defence'), ('P', 'P — Education'), ('Q', 'Q — Human health and social work activities'), ('R', 'R — Arts, entertainment and recreation'), ('S', 'S — Other service activities'), ('T', 'T — Activities of households as employers'), ('U', 'U — Activities of extraterritorial organisations')], max_length=1)),
                ('trading_since', models.DateField(blank=True, help_text='E2', null=True)),
                ('employees', models.PositiveIntegerField(blank=True, help_text='E1, E3: on PAYE', null=True)),
                ('turnover', models.DecimalField(blank=True, decimal_places=2, help_text='E1, E4: £', max_digits=14, null=True)),
                ('balance_sheet_total', models.DecimalField(blank=True, decimal_places=2, help_text='E1: £', max_digits=14, null=True)),
                ('exporter', models.BooleanField(blank=True, help_text='E10', null=True)),
                ('scale_up_potential', models.BooleanField(blank=True, help_text='E10', null=True)),
            ],
            options={
                'verbose_name_plural': 'businesses',
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('turnover__isnull', True), ('turnover__gte', 0), _connector='OR'), name='business_turnover_not_negative'), models.CheckConstraint(condition=models.Q(('balance_sheet_total__isnull', True), ('balance_sheet_total__gte', 0), _connector='OR'), name='business_balance_sheet_not_negative'), models.CheckConstraint(condition=models.Q(('sector', ''), ('sector__in', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U']), _connector='OR'), name='business_sector_valid')],
            },
        ),
        migrations.CreateModel(
            name='ParticipantLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('charter', 'Participant Charter'), ('action_card', 'Action card')], max_length=20)),
                ('nonce', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('superseded_at', models.DateTimeField(blank=True, null=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='participants.participant')),
            ],
            options={
                'ordering': ['-sent_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='BusinessMatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('possible', 'Possible match, not yet decided'), ('confirmed', 'The same business'), ('dismissed', 'Not the same business')], default='possible', max_length=10)),
                ('found_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='participants.business')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='business_matches', to='participants.participant')),
            ],
            options={
                'ordering': ['found_at', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['possible', 'confirmed', 'dismissed'])), name='business_match_status_valid'), models.UniqueConstraint(fields=('participant', 'business'), name='business_match_once')],
            },
        ),
        migrations.AddField(
            model_name='eligibilityexception',
            name='participant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='eligibility_exceptions', to='participants.participant'),
        ),
        migrations.AddField(
            model_name='eligibilityexception',
            name='flexibility',
            field=models.CharField(blank=True, choices=[('covid', 'Covid-19: would have qualified in the 12 months before March 2020'), ('creative', 'Creative industries: associates and freelancers counted')], max_length=10),
        ),
        migrations.AddField(
            model_name='eligibilityoutcome',
            name='participant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='eligibility_outcomes', to='participants.participant'),
        ),
        migrations.AddField(
            model_name='equalitydata',
            name='participant',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='equality', to='participants.participant'),
        ),
        migrations.AddField(
            model_name='participant',
            name='business',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='participants', to='participants.business'),
        ),
        migrations.AddField(
            model_name='participant',
            name='eligibility_decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='participant',
            name='hub',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='participants', to='peernet.hub'),
        ),
        migrations.AddField(
            model_name='participant',
            name='one_to_one_provider',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='one_to_one_participants', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='participant',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='participants', to='peernet.programme'),
        ),
        migrations.AddConstraint(
            model_name='eligibilityexception',
            constraint=models.UniqueConstraint(fields=('participant', 'rule'), name='eligibility_exception_one_per_rule'),
        ),
        migrations.AddConstraint(
            model_name='eligibilityexception',
            constraint=models.CheckConstraint(condition=models.Q(('rule__in', ['E3', 'E4', 'E6', 'E8'])), name='eligibility_exception_allowed_rules'),
        ),
        migrations.AddConstraint(
            model_name='eligibilityexception',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('flexibility__in', ['covid', 'creative']), ('rule', 'E3')), models.Q(('flexibility', 'covid'), ('rule', 'E4')), models.Q(('rule__in', ['E6', 'E8']), ('flexibility', '')), _connector='OR'), name='eligibility_exception_flexibility_fits_rule'),
        ),
        migrations.AddConstraint(
            model_name='eligibilityexception',
            constraint=models.CheckConstraint(condition=models.Q(('agreed_by', ''), _negated=True), name='eligibility_exception_names_who_agreed'),
        ),
        migrations.AddConstraint(
            model_name='eligibilityoutcome',
            constraint=models.UniqueConstraint(fields=('participant', 'rule'), name='eligibility_outcome_one_per_rule'),
        ),
        migrations.AddConstraint(
            model_name='eligibilityoutcome',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['pass', 'warn', 'fail', 'n/a'])), name='eligibility_outcome_valid'),
        ),
        migrations.AddConstraint(
            model_name='equalitydata',
            constraint=models.CheckConstraint(condition=models.Q(('gender', ''), ('gender__in', ['female', 'male', 'non-binary', 'other', 'prefer-not-to-say']), _connector='OR'), name='equality_gender_valid'),
        ),
        migrations.AddConstraint(
            model_name='equalitydata',
            constraint=models.CheckConstraint(condition=models.Q(('ethnic_group', ''), ('ethnic_group__in', ['asian', 'black', 'mixed', 'white', 'other', 'prefer-not-to-say']), _connector='OR'), name='equality_ethnic_group_valid'),
        ),
        migrations.AddConstraint(
            model_name='equalitydata',
            constraint=models.CheckConstraint(condition=models.Q(('age_band', ''), ('age_band__in', ['16-24', '25-34', '35-44', '45-54', '55-64', '65+', 'prefer-not-to-say']), _connector='OR'), name='equality_age_band_valid'),
        ),
        migrations.AddConstraint(
            model_name='equalitydata',
            constraint=models.CheckConstraint(condition=models.Q(('disability', ''), ('disability__in', ['yes', 'no', 'prefer-not-to-say']), _connector='OR'), name='equality_disability_valid'),
        ),
        migrations.AddIndex(
            model_name='participant',
            index=models.Index(fields=['hub', 'eligibility_status'], name='participant_hub_id_54ef31_idx'),
        ),
        migrations.AddIndex(
            model_name='participant',
            index=models.Index(fields=['hub', 'registered'], name='participant_hub_id_806046_idx'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.UniqueConstraint(condition=models.Q(('eligibility_status', 'eligible')), fields=('programme', 'business'), name='e9_one_eligible_participant_per_business'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('eligibility_status__in', ['pending', 'eligible', 'ineligible'])), name='participant_eligibility_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('eligibility_decided__isnull', True), ('eligibility_status', 'pending')), models.Q(models.Q(('eligibility_status', 'pending'), _negated=True), ('eligibility_decided__isnull', False)), _connector='OR'), name='participant_decision_dated'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('eligibility_decided__isnull', True), ('eligibility_decided__gte', models.F('registered')), _connector='OR'), name='participant_decision_after_registration'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('privacy_notice_acknowledged__lte', models.F('registered'))), name='c2_privacy_notice_before_registration'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('charter_signed_at__isnull', True), models.Q(('charter_version', ''), _negated=True), _connector='OR'), name='participant_charter_version_recorded'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('dropped_out_on__isnull', False), ('dropout_reason', ''), _connector='OR'), name='participant_dropout_reason_needs_date'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('dropped_out_on__isnull', True), ('dropped_out_on__gte', models.F('registered')), _connector='OR'), name='participant_dropout_after_registration'),
        ),
    ]
