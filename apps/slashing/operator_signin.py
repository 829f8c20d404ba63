"""Operators sign in to the console with their wallet: the EIP-4361 challenge the pages use, for an
address in AGORA_OPERATOR_ADDRESSES. They land as a staff user named by the address (no usable
password) in the "operators" group. Passwords stay for break-glass superusers.

Lives in slashing because slashing owns the operator identity (operators.py, OperatorWallet) and sits
above every app whose permissions the group grants."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from apps.auth.services import challenge_consume
from apps.common.chain import is_address
from apps.common.errors import Forbidden
from apps.common.services import audit_record

from .models import OperatorWallet

OPERATORS_GROUP = "operators"

# The permissions behind the state-changing admin actions an operator runs day to day. Resetting
# an indexer cursor stays superuser-only (apps/onchain/admin.py) and editing periodic tasks too.
ACTION_PERMISSIONS = (
    ("agents", "reset_reputation"),
    ("agora_auth", "revoke_agentsession"),
    ("jobs", "export_anchorbatch"),
    ("slashing", "add_slashproposal"),
    ("slashing", "approve_slashproposal"),
    ("slashing", "cancel_slashproposal"),
    ("slashing", "export_slashproposal"),
    ("slashing", "resolve_unexplainedslash"),
)
# Operators may look at every project model (and the beat schedule), not edit rows.
VIEW_APPS = ("agents", "agora_auth", "common", "jobs", "onchain", "slashing", "treasury", "django_celery_beat")


def is_operator_address(address: str) -> bool:
    # Read at every call, so removing an address from the setting takes effect at the next request.
    return address.lower() in settings.AGORA_OPERATOR_ADDRESSES


def is_wallet_operator(user) -> bool:
    """An account made by wallet sign-in: named by an address, no password to fall back on."""
    return is_address(user.get_username()) and not user.has_usable_password()


def operators_group_ensure() -> Group:
    """Idempotent: creates the group and (re)sets its permissions. Called at every wallet sign-in, so
    a permission added to ACTION_PERMISSIONS reaches every operator without a data migration (which
    could not grant it anyway: permissions are created after migrations run)."""
    group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
    action = Q()
    for app_label, codename in ACTION_PERMISSIONS:
        action |= Q(content_type__app_label=app_label, codename=codename)
    wanted = Permission.objects.filter(action | Q(content_type__app_label__in=VIEW_APPS, codename__startswith="view_"))
    group.permissions.set(wanted)
    return group


def operator_wallet_sign_in(*, address: str, signature: str, nonce: str | None = None):
    """The staff user for a signed challenge of an operator address. Raises NotAuthenticated (bad or
    expired signature) or Forbidden (not an operator, or the account was deactivated)."""
    # Verified first (and outside our transaction: a contract wallet's check calls the chain), so the
    # answer never tells an unauthenticated caller which addresses are operators.
    address = challenge_consume(address=address, signature=signature, nonce=nonce)
    if not is_operator_address(address):
        audit_record(actor=address, action="operator_sign_in_refused", subject=address,
                     data={"why": "not in AGORA_OPERATOR_ADDRESSES"})
        raise Forbidden("this address is not an operator (AGORA_OPERATOR_ADDRESSES)", code="not_operator")
    with transaction.atomic():
        user_model = get_user_model()
        user, created = user_model.objects.select_for_update().get_or_create(
            username=address, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not user.is_active:
            # Deactivated in the admin: the setting alone does not bring the account back.
            raise Forbidden("this operator account is deactivated; ask a superuser", code="operator_inactive")
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(operators_group_ensure())
        # Approvals count per operator identity; a wallet already linked to a password account keeps
        # that link (operators.py maps both to the address).
        if not OperatorWallet.objects.filter(address=address).exists():
            OperatorWallet.objects.get_or_create(user=user, defaults={"address": address})
        audit_record(actor=address, action="operator_sign_in", subject=f"user:{user.pk}",
                     data={"created": created})
    return user
