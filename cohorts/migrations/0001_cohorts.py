"""Cohorts, their members' spells and their joining instructions.

Squashed in issue 16 (README "Upgrading"; peernet/migrations/0001 says how).
"""

import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('cohorts', '0002_initial'),
        ('cohorts', '0003_cohort_delivery_partner_planned_start'),
        ('cohorts', '0004_joininginstructions'),
    ]

    initial = True

    dependencies = [
        ('participants', '0001_participants_and_businesses'),
    ]

    operations = [
        migrations.CreateModel(
            name='Cohort',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=60, unique=True)),
                ('code', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('name', models.CharField(max_length=120)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cohorts', to='peernet.hub')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cohorts', to='peernet.programme')),
                ('delivery_partner', models.ForeignKey(blank=True, help_text='The organisation that facilitates this cohort, if not the hub itself.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cohorts', to='peernet.deliverypartner')),
                ('planned_start', models.DateField(blank=True, null=True)),
            ],
            options={
                'ordering': ['hub__name', 'name'],
                'constraints': [models.UniqueConstraint(fields=('hub', 'name'), name='cohort_unique_name_in_hub')],
            },
        ),
        migrations.CreateModel(
            name='CohortMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('joined', models.DateField()),
                ('left', models.DateField(blank=True, null=True)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='cohorts.cohort')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='participants.participant')),
            ],
            options={
                'ordering': ['joined'],
                'constraints': [models.CheckConstraint(condition=models.Q(('left__isnull', True), ('left__gte', models.F('joined')), _connector='OR'), name='membership_left_after_joined'), models.UniqueConstraint(condition=models.Q(('left__isnull', True)), fields=('participant',), name='membership_one_current_cohort'), models.UniqueConstraint(fields=('cohort', 'participant', 'joined'), name='membership_unique_spell')],
            },
        ),
        migrations.CreateModel(
            name='JoiningInstructions',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('platform', models.CharField(blank=True, help_text='Venue or platform.', max_length=120)),
                ('link', models.URLField(blank=True, help_text='The video call link, if online.')),
                ('dial_in', models.CharField(blank=True, max_length=200)),
                ('backup_plan', models.TextField(blank=True, help_text='What happens if the connection fails or the venue changes.')),
                ('contact_name', models.CharField(blank=True, max_length=160)),
                ('contact_details', models.CharField(blank=True, help_text='Phone or email for connection problems.', max_length=200)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('cohort', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='joining_instructions', to='cohorts.cohort')),
                ('mode', models.CharField(blank=True, choices=[('in_person', 'In person'), ('online', 'Online'), ('hybrid', 'Hybrid: in person, and online for some')], max_length=10)),
            ],
            options={
                'verbose_name_plural': 'joining instructions',
            },
        ),
    ]
