from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.onchain.selectors import stream_lag, stream_list, stream_state
from apps.onchain.services import streams_ensure_from_deployment


class Command(BaseCommand):
    help = "One line per stream: cursor, safe head, lag, events, reorgs, errors, last success, state."

    def handle(self, *args, **options):
        streams_ensure_from_deployment()
        rows = [("stream", "chain", "cursor", "safe head", "lag", "events", "reorgs", "rpc errors", "last success",
                 "state")]
        now = timezone.now()
        for s in stream_list():
            lag = stream_lag(s)
            ago = f"{(now - s.last_success_at).total_seconds():.0f}s ago" if s.last_success_at else "never"
            state = stream_state(s)
            if s.halted:
                state += ": " + s.halted_reason[:60]
            rows.append((s.name, str(s.chain_id), str(s.last_block_number if s.last_block_number is not None else "-"),
                         str(s.last_safe_head if s.last_safe_head is not None else "-"),
                         "" if lag is None else str(lag), str(s.events_ingested),
                         str(s.reorgs), str(sum((s.rpc_errors or {}).values())), ago, state))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip())
        if len(rows) == 1:
            self.stdout.write("no streams yet: deploy the contracts (deploy_contracts) first")
