"""The public slashing lists don't issue more queries as rows grow (no N+1), and the link marks what it finds."""
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.onchain.models import SlashingEvent
from apps.slashing.operators import operator_from_user
from apps.slashing.projections import slashes_link
from apps.slashing.services import slash_export, slash_proposal_approve

from .conftest import TREASURY, open_window, propose, set_stake

pytestmark = pytest.mark.django_db
VAULT = "0x" + "5a" * 20
_serial = itertools.count(1)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _slashed(agent: str, units: int, *, recipient: str = TREASURY) -> SlashingEvent:
    """A Slashed event as the StakeVault projection writes it (the chain itself is in test_safe_slashing.py)."""
    n = next(_serial)
    return SlashingEvent.objects.create(
        id=f"31337:0x{n:064x}:0", agent_address=agent, amount_units=units, requested_units=units,
        recipient_address=recipient, tx_hash=f"0x{n:064x}", chain_id=31337, contract_address=VAULT,
        block_number=n, log_index=0)


def _grow(ops, n: int) -> None:
    for _ in range(n):
        agent = f"0x{next(_serial):040x}"
        set_stake(agent, 10**8)
        proposal = propose(ops["alice"], agent)
        open_window(proposal)
        slash_proposal_approve(proposal_id=proposal.pk, operator=operator_from_user(ops["bob"]), reason="ok")
        slash_export(proposal_ids=[proposal.pk], safe_address="0x" + "5f" * 20, operator=operator_from_user(ops["bob"]))
        propose(ops["alice"], agent)  # another one, still open
        assert slashes_link(slashes=[_slashed(agent, proposal.amount_units), _slashed(agent, 1)]) == 1


def test_slashing_lists_are_constant_in_queries(ops, api, settings):
    settings.AGORA_STAKE_CONTRACT_ADDRESS = VAULT
    urls = ["/api/v1/slashing/events?limit=200", "/api/v1/slashing/proposals?status=all&limit=200", "/slashing"]
    _grow(ops, 2)
    small = [_queries(api, url) for url in urls]
    _grow(ops, 6)
    assert [_queries(api, url) for url in urls] == small
    events = api.get("/api/v1/slashing/events?limit=200").json()["events"]
    assert len(events) == 16 and sum(e["unexplained"] for e in events) == 8
    assert all(e["proposal_id"] for e in events if not e["unexplained"])
