import sys
import time

from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ApplicationError
from apps.common.rpc import RpcError
from apps.onchain.indexer import index_step
from apps.onchain.models import ChainStream
from apps.onchain.selectors import stream_event_count_from
from apps.onchain.services import stream_cursor_reset, stream_ensure_by_name


class Command(BaseCommand):
    help = ("Re-index blocks A..B of a stream: rewind the cursor to A (rolling back what lies above), then "
            "index up to B with a progress bar and ETA. The stream then carries on from B as usual. "
            "A dry run unless --commit.")

    def add_arguments(self, parser):
        parser.add_argument("--stream", required=True)
        parser.add_argument("--from-block", type=int, required=True)
        parser.add_argument("--to-block", type=int, required=True)
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **opts):
        start, end = opts["from_block"], opts["to_block"]
        if start < 0 or end < start:
            raise CommandError("need 0 <= --from-block <= --to-block")
        try:
            stream = stream_ensure_by_name(name=opts["stream"])
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        above = stream_event_count_from(stream=stream, block=start)
        self.stdout.write(f"{stream.name}: backfill blocks {start}-{end} ({end - start + 1} blocks); rewinding to "
                          f"{start} first rolls back {above} stored event(s)")
        if not opts["commit"]:
            self.stdout.write("dry run: nothing changed. Add --commit to apply.")
            return
        try:
            stream_cursor_reset(stream_id=stream.id, to_block=start, actor="indexer_backfill")
        except RpcError as exc:
            raise CommandError(f"could not rewind: {exc}") from None
        started, events, stalls = time.monotonic(), 0, 0
        while True:
            stream = ChainStream.objects.get(pk=stream.pk)
            if stream.next_block > end:
                break
            result = index_step(stream.id)
            if result.status == "advanced":
                events += result.events
                stalls = 0
            elif result.status in ("idle", "halted"):
                self.stdout.write("")
                raise CommandError(f"stopped at block {stream.next_block}: {result.status} {result.detail} "
                                   "(is --to-block beyond the safe head?)")
            else:
                stalls += 1
                time.sleep(min(5.0, 0.2 * stalls))
            self._progress(stream.pk, start, end, started, events)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{stream.name}: backfilled {start}-{end}, {events} events in "
                                             f"{time.monotonic() - started:.1f}s"))

    def _progress(self, stream_id, start, end, started, events):
        done_to = ChainStream.objects.values_list("next_block", flat=True).get(pk=stream_id) - 1
        total = end - start + 1
        done = max(0, min(total, done_to - start + 1))
        elapsed = time.monotonic() - started
        eta = (elapsed / done) * (total - done) if done else 0
        width = 30
        bar = "#" * int(width * done / total) + "-" * (width - int(width * done / total))
        sys.stdout.write(f"\r[{bar}] {done}/{total} blocks  {events} events  ETA {eta:.0f}s ")
        sys.stdout.flush()
