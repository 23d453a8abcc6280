"""Survey invitations, survey responses and participants' links: the group session each
may belong to, and what came after it in their tables.

Squashed in issue 16 (README "Upgrading"; peernet/migrations/0001 says how).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('participants', '0004_survey_invitation_kind_draft'),
        ('participants', '0006_participant_link'),
    ]

    initial = True

    dependencies = [
        ('delivery', '0001_sessions_and_support'),
        ('participants', '0002_survey_instruments'),
    ]

    operations = [
        migrations.AddField(
            model_name='surveyinvitation',
            name='session',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='survey_invitations', to='delivery.groupsession'),
        ),
        migrations.AddField(
            model_name='surveyinvitation',
            name='kind',
            field=models.CharField(choices=[('baseline', 'Baseline (S1)'), ('session_feedback', 'After each session (S2)'), ('exit', 'Exit (S3)'), ('dropout', 'Drop-out (S4)')], max_length=20),
        ),
        migrations.AddField(
            model_name='surveyinvitation',
            name='created',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='surveyinvitation',
            name='draft',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='surveyresponse',
            name='session',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='survey_responses', to='delivery.groupsession'),
        ),
        migrations.AddField(
            model_name='participantlink',
            name='session',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='participant_links', to='delivery.groupsession'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['baseline', 'session_feedback', 'exit', 'dropout'])), name='survey_invitation_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'session_feedback'), ('session__isnull', False)), models.Q(models.Q(('kind', 'session_feedback'), _negated=True), ('session__isnull', True)), _connector='OR'), name='survey_invitation_session_only_for_feedback'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'session_feedback')), fields=('participant', 'session'), name='survey_invitation_one_per_session'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'session_feedback'), _negated=True), fields=('participant', 'kind'), name='survey_invitation_one_per_kind'),
        ),
        migrations.AddIndex(
            model_name='surveyresponse',
            index=models.Index(fields=['kind', 'completed'], name='participant_kind_3f7732_idx'),
        ),
        migrations.AddConstraint(
            model_name='surveyresponse',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'session_feedback'), ('session__isnull', False)), models.Q(models.Q(('kind', 'session_feedback'), _negated=True), ('session__isnull', True)), _connector='OR'), name='survey_response_session_only_for_feedback'),
        ),
        migrations.AddConstraint(
            model_name='surveyresponse',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'session_feedback')), fields=('participant', 'session'), name='survey_response_one_feedback_per_session'),
        ),
        migrations.AddConstraint(
            model_name='surveyresponse',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'session_feedback'), _negated=True), fields=('participant', 'kind'), name='survey_response_one_per_kind'),
        ),
        migrations.AddIndex(
            model_name='participantlink',
            index=models.Index(fields=['participant', 'purpose'], name='participant_partici_5a3fbe_idx'),
        ),
        migrations.AddConstraint(
            model_name='participantlink',
            constraint=models.CheckConstraint(condition=models.Q(('purpose__in', ['charter', 'action_card'])), name='participant_link_purpose_valid'),
        ),
        migrations.AddConstraint(
            model_name='participantlink',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('purpose', 'action_card'), ('session__isnull', False)), models.Q(models.Q(('purpose', 'action_card'), _negated=True), ('session__isnull', True)), _connector='OR'), name='participant_link_session_only_for_action_cards'),
        ),
        migrations.AddConstraint(
            model_name='participantlink',
            constraint=models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('sent_at'))), name='participant_link_expires_after_sent'),
        ),
    ]
