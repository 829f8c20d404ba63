"""Who is acting. Approvals are counted per *person*, so each login is mapped to one operator identity:

- a staff user linked to a wallet (an OperatorWallet row) is that wallet's address;
- a staff user whose username is itself an address (the wallet sign-in convention) is that address;
- any other staff user is `user:<id>`.

So a person with a password account and a wallet login counts once as long as the password account is
linked to the wallet (admin → Operator wallets). Link every operator's accounts before they approve."""
from dataclasses import dataclass

from apps.common.chain import is_address

from .models import ActorRole, OperatorWallet


@dataclass(frozen=True)
class Operator:
    identity: str  # what approvals are counted by
    label: str     # how they signed in, for people reading the history
    role: str = ActorRole.OPERATOR


def operator_from_user(user) -> Operator:
    linked = OperatorWallet.objects.filter(user_id=user.pk).values_list("address", flat=True).first()
    username = user.get_username()
    if linked:
        identity = linked
    elif is_address(username):
        identity = username.lower()
    else:
        identity = f"user:{user.pk}"
    return Operator(identity=identity, label=f"admin:{username}"[:150])


EXPIRY = Operator(identity="task:expire_proposals", label="deadline", role=ActorRole.SYSTEM)
