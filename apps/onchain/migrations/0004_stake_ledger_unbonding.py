"""StakeLedger rows say which event they are and carry what a withdrawal request moved, so the projection
can split active and unbonding stake. Existing rows get their kind from their event; WithdrawalRequested
events already stored (decoded, but not projected before) get their ledger rows, and the agents that
have one are replayed so their split is exact without re-indexing."""
from collections import defaultdict
from datetime import UTC, datetime

from django.db import migrations, models

from apps.onchain.stake_split import REQUESTED, Split, combine

KINDS = """
UPDATE onchain_stakeledger AS l SET kind = e.name
FROM onchain_chainevent AS e WHERE e.id = l.event_id
"""


def _stake_stream_ids(ChainStream):
    return {s.id: s for s in ChainStream.objects.all() if s.name.split("@", 1)[0] == "stake_vault"}


def project_requests(apps, schema_editor):
    ChainEvent = apps.get_model("onchain", "ChainEvent")
    ChainStream = apps.get_model("onchain", "ChainStream")
    StakeLedger = apps.get_model("onchain", "StakeLedger")
    OnchainStake = apps.get_model("agents", "OnchainStake")
    streams = _stake_stream_ids(ChainStream)
    requests = ChainEvent.objects.filter(name=REQUESTED, stream_id__in=streams, stake_entry__isnull=True)
    StakeLedger.objects.bulk_create([
        StakeLedger(event_id=e.id, stream_id=e.stream_id, agent=e.args["agent"], kind=REQUESTED, delta=0,
                    requested=int(e.args["amount"]), release_at=int(e.args["releaseAt"]),
                    block_number=e.block_number, log_index=e.log_index, tx_hash=e.tx_hash)
        for e in requests.iterator()])
    agents = set(StakeLedger.objects.filter(kind=REQUESTED).values_list("agent", flat=True))
    for agent in agents:
        per_vault = defaultdict(Split)
        rows = StakeLedger.objects.filter(agent=agent, stream_id__in=streams).order_by(
            "stream_id", "block_number", "log_index")
        for row in rows:
            per_vault[row.stream_id].apply(row.kind, int(row.delta), int(row.requested), row.release_at)
        split = combine(per_vault.values())
        OnchainStake.objects.filter(address=agent).update(
            active_units=split.active, unbonding_units=split.unbonding,
            unbonding_release_at=datetime.fromtimestamp(split.release_at, UTC) if split.unbonding else None)


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0003_onchainstake_unbonding_split'),
        ('onchain', '0003_anchors'),
    ]

    operations = [
        migrations.AddField(
            model_name='stakeledger',
            name='kind',
            field=models.CharField(default='', help_text='the event: Deposited, Withdrawn, Slashed or WithdrawalRequested', max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='stakeledger',
            name='requested',
            field=models.DecimalField(decimal_places=0, default=0, help_text='WithdrawalRequested: moved from active into unbonding', max_digits=78),
        ),
        migrations.AddField(
            model_name='stakeledger',
            name='release_at',
            field=models.BigIntegerField(blank=True, help_text='WithdrawalRequested: unix seconds', null=True),
        ),
        migrations.AlterField(
            model_name='stakeledger',
            name='delta',
            field=models.DecimalField(decimal_places=0, help_text='change of the total (0 for a request)', max_digits=78),
        ),
        migrations.RunSQL(KINDS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(project_requests, migrations.RunPython.noop),
    ]
