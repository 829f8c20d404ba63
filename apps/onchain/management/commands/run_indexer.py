import signal
import time

from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ApplicationError
from apps.onchain.indexer import run_until_idle
from apps.onchain.models import ChainStream
from apps.onchain.services import stream_ensure_by_name, streams_ensure_from_deployment


class Command(BaseCommand):
    help = "Run the chain indexer: catch every stream up once, or keep following the chain with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running; sleep --interval when all are idle")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds with --loop")
        parser.add_argument("--stream", action="append", help="only this stream (repeatable)")

    def handle(self, *args, **opts):
        try:
            streams_ensure_from_deployment()
            ids = ([stream_ensure_by_name(name=n).id for n in opts["stream"]] if opts["stream"]
                   else list(ChainStream.objects.values_list("id", flat=True)))
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        if not ids:
            raise CommandError("no streams: deploy the contracts (deploy_contracts) or set AGORA_DEPLOYMENT_FILE")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))  # finish the step, then exit
        while True:
            results = run_until_idle(stream_ids=ids, on_step=self._report)
            if not opts["loop"] or stopping:
                break
            if not any(r.status == "advanced" for r in results):
                time.sleep(opts["interval"])

    def _report(self, result):
        if result.status == "advanced":
            self.stdout.write(f"{result.stream}: blocks {result.from_block}-{result.to_block}, {result.events} events")
        elif result.status not in ("idle", "locked", "backoff"):
            self.stdout.write(f"{result.stream}: {result.status} {result.detail}".rstrip())
