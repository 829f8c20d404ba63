from django.db import migrations, models

# Topics closed before close details were checked carry only what their sponsor reported.
MARK_REPORTED = """
UPDATE jobs_job SET close_details_verified = false
WHERE close_tx_hash IS NOT NULL OR close_chain_id IS NOT NULL OR close_contract_address IS NOT NULL
   OR close_block_number IS NOT NULL OR close_log_index IS NOT NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0006_anchors'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='close_details_verified',
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.RunSQL(MARK_REPORTED, migrations.RunSQL.noop),
    ]
