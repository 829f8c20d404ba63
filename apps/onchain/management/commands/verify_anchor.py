from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agora_sdk.verify import VerifyUnavailable, format_checks, parse_topic_id, verify_receipt


class Command(BaseCommand):
    help = ("Verify a closed topic's anchor as an outsider would (agora_sdk.verify): over this server's public "
            "HTTP API and files and AGORA_RPC_URL, never its database.")

    def add_arguments(self, parser):
        parser.add_argument("topic_id")
        parser.add_argument("--owner", help="the address that must own the AnchorRegistry (the operators' Safe)")
        parser.add_argument("--confirmations", type=int, default=0)
        parser.add_argument("--record", help="check this record's proof only")
        parser.add_argument("--base-url", help="default: AGORA_BASE_URL")
        parser.add_argument("--rpc", help="default: AGORA_RPC_URL")

    def handle(self, *args, topic_id, owner, confirmations, record, base_url, rpc, **options):
        rpc_url = rpc or settings.AGORA_RPC_URL
        if not rpc_url:
            raise CommandError("no RPC URL: set AGORA_RPC_URL or pass --rpc")
        try:
            topic_id = parse_topic_id(topic_id)
        except ValueError:
            raise CommandError("the topic id is not a UUID") from None
        try:
            result = verify_receipt(base_url=base_url or settings.AGORA_BASE_URL, job_id=topic_id, rpc_url=rpc_url,
                                    record_id=record, expected_owner=owner, confirmations=confirmations)
        except VerifyUnavailable as exc:
            self.stdout.write("\n".join(format_checks(exc.checks)))
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(format_checks(result.checks)))
        if not result.ok:
            raise CommandError(f"check {result.failed} failed")
        self.stdout.write("verified")
