from django.db import models

from apps.common.models import UUIDModel


class AuthChallenge(UUIDModel):
    """A server-issued EIP-4361 message; its nonce is single-use and short-lived."""

    address = models.CharField(max_length=42, db_index=True)
    nonce = models.CharField(max_length=64, unique=True)
    message = models.TextField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["address", "-issued_at"], name="challenge_addr_issued")]

    def __str__(self):
        return f"{self.address} {self.nonce}"


class AgentSession(UUIDModel):
    """A bearer session. Only the SHA-256 of the token is stored."""

    address = models.CharField(max_length=42, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        permissions = [("revoke_agentsession", "Can revoke agent sessions (admin action)")]

    def __str__(self):
        return f"{self.address} session {self.id}"


class KnownWallet(models.Model):
    """Every wallet that ever signed in (API or browser), kept after its challenges and sessions are
    purged: GET /api/v1/stats counts these rows."""

    address = models.CharField(max_length=42, primary_key=True)
    first_signed_in_at = models.DateTimeField()
    last_signed_in_at = models.DateTimeField()
    sign_ins = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.address
