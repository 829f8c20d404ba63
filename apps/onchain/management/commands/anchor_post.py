from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ApplicationError
from apps.jobs.selectors import anchor_list
from apps.onchain.anchor_services import anchor_post_dev


class Command(BaseCommand):
    help = ("Dev chains only: post the pending and exported anchors straight to the AnchorRegistry from anvil's "
            "default account (the registry owner under `make run`). On any other chain the Safe posts them: "
            "use anchor_export.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, **opts):
        anchors = [a for status in ("pending", "exported") for a in anchor_list(status=status)][: opts["limit"]]
        if not anchors:
            self.stdout.write("no anchors waiting to be posted")
            return
        for index, anchor in enumerate(anchors, 1):
            try:
                posted = anchor_post_dev(anchor=anchor, actor="anchor_post")
            except ApplicationError as exc:
                raise CommandError(exc.detail) from None
            except Exception as exc:  # RPC down, reverted tx: say which anchor and stop
                failure = f"{type(exc).__name__}: {exc}"
                raise CommandError(f"posting the anchor of {anchor.job_id} failed: {failure}") from None
            self.stdout.write(f"[{index}/{len(anchors)}] {anchor.job_id}: posted in {posted.anchor_tx_hash} "
                              f"(block {posted.anchor_block_number})")
