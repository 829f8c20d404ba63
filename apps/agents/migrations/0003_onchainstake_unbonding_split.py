"""OnchainStake gains the active / unbonding split. Existing rows come from vaults the indexer saw before
it projected withdrawal requests; onchain 0004 replays the agents that have one, and for everyone else
all the stake is active."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0002_onchainstake'),
    ]

    operations = [
        migrations.AddField(
            model_name='onchainstake',
            name='active_units',
            field=models.DecimalField(decimal_places=0, default=0, max_digits=78),
        ),
        migrations.AddField(
            model_name='onchainstake',
            name='unbonding_units',
            field=models.DecimalField(decimal_places=0, default=0, max_digits=78),
        ),
        migrations.AddField(
            model_name='onchainstake',
            name='unbonding_release_at',
            field=models.DateTimeField(blank=True, help_text='when the unbonding stake can be withdrawn; null when none', null=True),
        ),
        migrations.RunSQL("UPDATE agents_onchainstake SET active_units = staked_units",
                          reverse_sql=migrations.RunSQL.noop),
    ]
