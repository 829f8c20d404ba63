from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from apps.agents.models import OnchainStake
from apps.slashing.models import OperatorWallet, SlashProposal
from apps.slashing.operators import operator_from_user
from apps.slashing.services import slash_proposal_create

ALL_PERMS = ("view_slashproposal", "add_slashproposal", "approve_slashproposal", "cancel_slashproposal",
             "export_slashproposal", "view_unexplainedslash", "resolve_unexplainedslash")
TREASURY = "0x" + "7e" * 20


def make_operator(name: str, *perms: str, wallet: str | None = None) -> User:
    """A staff user with exactly these slashing permissions (all of them by default)."""
    user = User.objects.create_user(name, f"{name}@ops.example", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="slashing",
                                                         codename__in=perms or ALL_PERMS))
    if wallet:
        OperatorWallet.objects.create(user=user, address=wallet.lower())
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached per instance


@pytest.fixture
def ops(db):
    """Three people: alice proposes, bob and carol approve."""
    return {name: make_operator(name) for name in ("alice", "bob", "carol")}


def set_stake(address: str, units: int) -> None:
    OnchainStake.objects.update_or_create(address=address, defaults={"staked_units": units})


def propose(user, agent: str, *, units: int = 5_000_000, **extra) -> SlashProposal:
    args = {"agent_address": agent, "amount_units": units, "recipient_address": TREASURY,
            "violation_type": "spam_sybil", "reason": "forty copies of one submission",
            "evidence": ["https://evidence.example/1"], **extra}
    return slash_proposal_create(operator=operator_from_user(user), **args)


def open_window(proposal: SlashProposal) -> None:
    """The agent's response window has passed (instead of waiting 48 hours)."""
    SlashProposal.objects.filter(pk=proposal.pk).update(response_due_at=timezone.now() - timedelta(seconds=1))
