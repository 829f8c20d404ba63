"""The stake the gates read moves to the agents app (the house issue): copy the projection's rows
into agents_onchainstake, then drop the old table. The indexer can also rebuild them from
StakeLedger, but copying keeps a running deployment's gates unchanged across the migration."""
from django.db import migrations

COPY = """
INSERT INTO agents_onchainstake (address, staked_units, updated_at, stake_tx_hash, stake_chain_id,
                                 stake_contract_address, stake_block_number, stake_log_index)
SELECT address, staked_units, updated_at, stake_tx_hash, stake_chain_id, stake_contract_address,
       stake_block_number, stake_log_index
FROM onchain_onchainstake
ON CONFLICT (address) DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [
        ("onchain", "0001_initial"),
        ("agents", "0002_onchainstake"),
    ]

    operations = [
        migrations.RunSQL(COPY, reverse_sql=migrations.RunSQL.noop),
        migrations.DeleteModel(name="OnchainStake"),
    ]
