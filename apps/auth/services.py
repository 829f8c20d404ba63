import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.agents.services import profile_ensure
from apps.common.chain import normalize_address
from apps.common.errors import NotAuthenticated, NotFound
from apps.common.services import audit_record

from .eip1271 import is_valid_contract_signature
from .models import AgentSession, AuthChallenge, KnownWallet
from .signatures import parse_signature, recover_signer
from .siwe import build_message

# Outstanding challenges checked per verify: an agent that asked twice may sign either.
_MAX_OPEN_CHALLENGES = 5


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def challenge_create(*, address: str) -> AuthChallenge:
    address = normalize_address(address)
    now = timezone.now()
    # The message shows whole seconds; the row keeps microseconds so "newest challenge" is well defined
    # between two asked within one second (a contract wallet is checked against the newest only).
    shown = now.replace(microsecond=0)
    nonce = secrets.token_hex(16)
    expires_at = shown + timedelta(seconds=settings.AGORA_AUTH_NONCE_TTL_SECONDS)
    message = build_message(base_url=settings.AGORA_BASE_URL, address=address,
                            chain_id=settings.AGORA_CHAIN_ID, nonce=nonce,
                            issued_at=shown, expires_at=expires_at)
    return AuthChallenge.objects.create(address=address, nonce=nonce, message=message,
                                        issued_at=now, expires_at=expires_at)


def challenge_verify(*, address: str, signature: str, nonce: str | None = None) -> tuple[AgentSession, str]:
    """Consume the challenge the signature is over and open a bearer session. Every failure is a 401,
    except a contract wallet whose check could not reach the chain (503)."""
    challenge = _challenge_signed(address=address, signature=signature, nonce=nonce)
    with transaction.atomic():
        _challenge_use(challenge)
        profile_ensure(address=challenge.address)
        return session_create(address=challenge.address)


def challenge_consume(*, address: str, signature: str, nonce: str | None = None) -> str:
    """Check the signature against an open challenge of `address` and use that challenge up.
    Shared by the API (bearer sessions) and the sponsor pages (Django session cookie)."""
    challenge = _challenge_signed(address=address, signature=signature, nonce=nonce)
    with transaction.atomic():
        _challenge_use(challenge)
        profile_ensure(address=challenge.address)
    return challenge.address


def _challenge_signed(*, address: str, signature: str, nonce: str | None) -> AuthChallenge:
    """The open challenge `signature` is over. Reads without locks, outside any transaction: a
    contract wallet's check calls the chain, and nothing may be held while it does.

    ecrecover is local and cheap, so an account's signature is tried against its newest open
    challenges (asking twice and signing either works). A contract wallet's check costs RPC calls and
    runs the wallet's code, so it is made once: against the challenge named by `nonce`, else the
    newest unexpired one."""
    address = normalize_address(address)
    signature_bytes = parse_signature(signature, allow_contract=settings.AGORA_AUTH_EIP1271_ENABLED)
    now = timezone.now()
    candidates = AuthChallenge.objects.filter(address=address, used_at__isnull=True)
    if nonce:
        candidates = candidates.filter(nonce=nonce)
    candidates = list(candidates.order_by("-issued_at")[:_MAX_OPEN_CHALLENGES])
    if not candidates:
        raise NotAuthenticated("no open challenge for this address; request a new one", code="challenge_not_found")
    live = [c for c in candidates if c.expires_at > now]
    if not live:
        raise NotAuthenticated("the challenge has expired; request a new one", code="challenge_expired")
    for challenge in live:
        if recover_signer(challenge.message, signature_bytes) == address:
            return challenge
    if is_valid_contract_signature(address=address, message=live[0].message, signature=signature_bytes):
        return live[0]
    raise NotAuthenticated("signature does not match the issued message for this address",
                           code="signature_invalid")


def _challenge_use(challenge: AuthChallenge) -> None:
    """Single use without locks held during the check: only the first of two racing verifies of
    the same challenge gets the row."""
    now = timezone.now()
    used = (AuthChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True, expires_at__gt=now)
            .update(used_at=now))
    if not used:
        raise NotAuthenticated("the challenge was used or expired meanwhile; request a new one",
                               code="challenge_not_found")
    _known_wallet_seen(challenge.address, now)


def _known_wallet_seen(address: str, now) -> None:
    """Count the sign-in: one upsert, so concurrent sign-ins of one wallet never collide."""
    table = KnownWallet._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} (address, first_signed_in_at, last_signed_in_at, sign_ins) "
                    f"VALUES (%s, %s, %s, 1) ON CONFLICT (address) DO UPDATE SET "
                    f"last_signed_in_at = excluded.last_signed_in_at, sign_ins = {table}.sign_ins + 1",
                    [address, now, now])


def session_create(*, address: str) -> tuple[AgentSession, str]:
    token = secrets.token_urlsafe(32)
    session = AgentSession.objects.create(
        address=address, token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(seconds=settings.AGORA_SESSION_TTL_SECONDS),
    )
    return session, token


@transaction.atomic
def session_revoke(*, session_id, reason: str = "signed out", actor: str = "",
                   owner: str | None = None) -> AgentSession:
    """Revoke a bearer session. With `owner` (the account page), only that wallet's own sessions: any
    other id is answered as not found, so ids of other wallets' sessions can't be probed."""
    session = AgentSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None or (owner is not None and session.address != owner):
        raise NotFound("session not found", code="session_not_found")
    if session.revoked_at is None:
        session.revoked_at = timezone.now()
        session.revoked_reason = f"{reason} ({actor})" if actor else reason
        session.save(update_fields=["revoked_at", "revoked_reason"])
    return session


@transaction.atomic
def sessions_revoke_bulk(*, addresses: list[str] | None, reason: str, actor: str, commit: bool) -> int:
    """Revoke every live bearer session (or those of `addresses`): the runbook's answer to a leaked token or key.
    Without `commit` it only counts them. Each session records why and by whom; one audit entry sums it up."""
    live = AgentSession.objects.select_for_update().filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    if addresses is not None:
        live = live.filter(address__in=[normalize_address(a) for a in addresses])
    count = live.count()
    if commit and count:
        live.update(revoked_at=timezone.now(), revoked_reason=f"{reason} ({actor})"[:200])
        subject = "all" if addresses is None else ",".join(addresses)
        audit_record(actor=actor, action="sessions_revoked", subject=subject[:100],
                     data={"sessions": count, "reason": reason})
    return count


def challenge_purge_expired(*, keep_days: int = 7) -> int:
    """Drop challenges that expired more than keep_days ago (kept a while for audit)."""
    removed, _ = AuthChallenge.objects.filter(expires_at__lt=timezone.now() - timedelta(days=keep_days)).delete()
    return removed


def session_purge_expired(*, keep_days: int = 7) -> int:
    """Drop sessions that expired more than keep_days ago (kept a while for audit)."""
    removed, _ = AgentSession.objects.filter(expires_at__lt=timezone.now() - timedelta(days=keep_days)).delete()
    return removed
