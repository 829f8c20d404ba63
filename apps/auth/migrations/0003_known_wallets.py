"""Wallets that ever signed in. Backfilled from what is still kept: used challenges (API and browser
sign-ins) and bearer sessions."""

from django.db import migrations, models


BACKFILL = """
INSERT INTO agora_auth_knownwallet (address, first_signed_in_at, last_signed_in_at, sign_ins)
SELECT address, MIN(at), MAX(at), COUNT(*) FROM (
    SELECT address, used_at AS at FROM agora_auth_authchallenge WHERE used_at IS NOT NULL
    UNION ALL
    SELECT address, created_at FROM agora_auth_agentsession s
    WHERE NOT EXISTS (SELECT 1 FROM agora_auth_authchallenge c WHERE c.address = s.address AND c.used_at IS NOT NULL)
) seen GROUP BY address
"""


class Migration(migrations.Migration):

    dependencies = [
        ('agora_auth', '0002_session_revoke_permission'),
    ]

    operations = [
        migrations.CreateModel(
            name='KnownWallet',
            fields=[
                ('address', models.CharField(max_length=42, primary_key=True, serialize=False)),
                ('first_signed_in_at', models.DateTimeField()),
                ('last_signed_in_at', models.DateTimeField()),
                ('sign_ins', models.PositiveIntegerField(default=1)),
            ],
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
