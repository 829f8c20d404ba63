from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.onchain.models import ChainStream
from apps.onchain.streams import streams_from_deployment


class Command(BaseCommand):
    help = "One line per stream: cursor, safe head, lag, events, reorgs, errors, last success, state."

    def handle(self, *args, **options):
        streams_from_deployment()
        rows = [("stream", "chain", "cursor", "safe head", "lag", "events", "reorgs", "rpc errors", "last success",
                 "state")]
        now = timezone.now()
        for s in ChainStream.objects.order_by("chain_id", "name"):
            lag = "" if s.last_safe_head is None else str(max(0, s.last_safe_head - (s.last_block_number or
                                                                                      s.start_block - 1)))
            ago = f"{(now - s.last_success_at).total_seconds():.0f}s ago" if s.last_success_at else "never"
            state = "HALTED: " + s.halted_reason[:60] if s.halted else ("backoff" if s.retry_at and s.retry_at > now
                                                                        else "ok")
            rows.append((s.name, str(s.chain_id), str(s.last_block_number if s.last_block_number is not None else "-"),
                         str(s.last_safe_head if s.last_safe_head is not None else "-"), lag, str(s.events_ingested),
                         str(s.reorgs), str(sum((s.rpc_errors or {}).values())), ago, state))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if len(rows) == 1:
            self.stdout.write("no streams yet: deploy the contracts (deploy_contracts) first")
