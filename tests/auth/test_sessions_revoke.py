"""`manage.py sessions_revoke`: the runbook's step after a leaked key or token (docs/runbook.md, "Rotate the
secrets and revoke sessions")."""
import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from apps.common.models import AuditEntry

pytestmark = pytest.mark.django_db


def _works(wallet) -> bool:
    return wallet.client.get("/api/v1/profile").status_code == 200


def test_dry_run_then_commit_revokes_one_wallets_tokens(make_wallet, capsys):
    leaked, other = make_wallet(), make_wallet()
    call_command("sessions_revoke", "--address", leaked.address, "--reason", "token leaked")
    assert "would revoke 1 bearer session(s); add --commit" in capsys.readouterr().out and _works(leaked)
    call_command("sessions_revoke", "--address", leaked.address.upper().replace("0X", "0x"), "--reason",
                 "token leaked", "--commit")
    assert "revoked 1 bearer session(s)" in capsys.readouterr().out
    assert not _works(leaked) and _works(other)
    entry = AuditEntry.objects.get(action="sessions_revoked")
    assert entry.actor == "manage.py sessions_revoke" and entry.data == {"sessions": 1, "reason": "token leaked"}


def test_all_revokes_every_token_and_signs_every_browser_out(make_wallet, client, django_user_model, capsys):
    wallets = [make_wallet() for _ in range(3)]
    client.force_login(django_user_model.objects.create_superuser("ops", password="x"))
    assert client.get("/admin/").status_code == 200
    call_command("sessions_revoke", "--all", "--reason", "SECRET_KEY rotated", "--commit")
    assert "revoked 3 bearer session(s) and 1 browser session(s)" in capsys.readouterr().out
    assert not any(_works(w) for w in wallets) and Session.objects.count() == 0
    assert client.get("/admin/").status_code == 302  # signed out
    with pytest.raises(CommandError):
        call_command("sessions_revoke", "--reason", "no target")
