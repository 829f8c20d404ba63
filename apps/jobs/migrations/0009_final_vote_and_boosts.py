"""Final votes, boosts, and how a receipt was closed. Topics that already exist get a final-vote window
that opened at their creation and lasts AGORA_FINAL_VOTE_WINDOW_SECONDS (the AddField defaults would
give every one of them the same window from the moment of migrating)."""

import apps.jobs.models
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models




def windows_from_creation(apps, schema_editor):
    seconds = settings.AGORA_FINAL_VOTE_WINDOW_SECONDS
    schema_editor.execute("UPDATE jobs_job SET final_vote_starts_at = created_at, "
                          "final_vote_ends_at = created_at + make_interval(secs => %s)", [seconds])


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0005_agr_spends'),
        ('jobs', '0008_receipt_no_truncate'),
    ]

    operations = [
        migrations.CreateModel(
            name='FinalVote',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('voter_address', models.CharField(max_length=42)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='JobBoost',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('booster_address', models.CharField(db_index=True, max_length=42)),
                ('amount_agr', models.BigIntegerField()),
                ('duration_hours', models.PositiveSmallIntegerField()),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name='job',
            name='featured_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='job',
            name='final_vote_ends_at',
            field=models.DateTimeField(default=apps.jobs.models.final_vote_default_end),
        ),
        migrations.AddField(
            model_name='job',
            name='final_vote_starts_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(windows_from_creation, migrations.RunPython.noop),
        migrations.AddField(
            model_name='jobreceipt',
            name='close_method',
            field=models.CharField(choices=[('sponsor', 'Sponsor'), ('final_vote', 'Final Vote')], default='sponsor', max_length=10),
        ),
        migrations.AlterField(
            model_name='jobevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('closed', 'Closed'), ('boosted', 'Boosted'), ('anchor_built', 'Anchor Built'), ('anchor_exported', 'Anchor Exported'), ('anchor_posted', 'Anchor Posted'), ('anchor_confirmed', 'Anchor Confirmed'), ('anchor_reorged', 'Anchor Reorged')], max_length=24),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(condition=models.Q(('featured_until__isnull', False)), fields=['-featured_until'], name='job_featured'),
        ),
        migrations.AddField(
            model_name='finalvote',
            name='job',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='final_votes', to='jobs.job'),
        ),
        migrations.AddField(
            model_name='finalvote',
            name='submission',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='final_votes', to='jobs.submission'),
        ),
        migrations.AddField(
            model_name='jobboost',
            name='agr_entry',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='boost', to='agents.agrledger'),
        ),
        migrations.AddField(
            model_name='jobboost',
            name='job',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='boosts', to='jobs.job'),
        ),
        migrations.AddIndex(
            model_name='finalvote',
            index=models.Index(fields=['job', 'submission'], name='final_vote_tally'),
        ),
        migrations.AddConstraint(
            model_name='finalvote',
            constraint=models.UniqueConstraint(fields=('job', 'voter_address'), name='one_final_vote_per_voter'),
        ),
        migrations.AddIndex(
            model_name='jobboost',
            index=models.Index(fields=['job', 'ends_at'], include=('amount_agr',), name='boost_running'),
        ),
        migrations.AddConstraint(
            model_name='jobboost',
            constraint=models.CheckConstraint(condition=models.Q(('amount_agr__gt', 0)), name='boost_amount_positive'),
        ),
    ]
