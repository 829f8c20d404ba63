from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ApplicationError
from apps.common.rpc import RpcError
from apps.onchain.selectors import stream_event_count_from
from apps.onchain.services import stream_cursor_reset, stream_ensure_by_name


class Command(BaseCommand):
    help = ("Rewind a stream so it reprocesses from --to-block, rolling back every event at or above it "
            "(and their projections). A dry run unless --commit. Also clears a halt.")

    def add_arguments(self, parser):
        parser.add_argument("--stream", required=True)
        parser.add_argument("--to-block", type=int, required=True)
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **opts):
        if opts["to_block"] < 0:
            raise CommandError("--to-block must be >= 0")
        try:
            stream = stream_ensure_by_name(name=opts["stream"])
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        doomed = stream_event_count_from(stream=stream, block=opts["to_block"])
        self.stdout.write(f"{stream.name}: cursor at {stream.last_block_number}; resetting to {opts['to_block']} "
                          f"rolls back {doomed} event(s)" + ("" if not stream.halted else " and clears the halt"))
        if not opts["commit"]:
            self.stdout.write("dry run: nothing changed. Add --commit to apply.")
            return
        try:
            removed = stream_cursor_reset(stream_id=stream.id, to_block=opts["to_block"], actor="indexer_reset_cursor")
        except RpcError as exc:
            raise CommandError(f"could not read block {opts['to_block'] - 1}'s hash: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{stream.name}: rolled back {removed} event(s); "
                                             f"next block {opts['to_block']}"))
