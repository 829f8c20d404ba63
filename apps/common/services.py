from .models import AuditEntry


def audit_record(*, actor: str, action: str, subject: str, data: dict | None = None) -> AuditEntry:
    """Called inside the acting service's transaction, so the entry and the change commit together."""
    return AuditEntry.objects.create(actor=actor[:100], action=action, subject=subject, data=data or {})
