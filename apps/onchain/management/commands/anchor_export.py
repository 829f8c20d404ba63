import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.common.chain import is_address
from apps.common.errors import ApplicationError
from apps.jobs.selectors import anchor_list
from apps.onchain.anchor_services import anchor_export


class Command(BaseCommand):
    help = ("Write a Safe Transaction Builder batch that posts the pending anchors (one postAnchor per closed "
            "topic). A dry run unless --commit: it lists what it would export; with --commit it writes the file "
            "and marks the anchors exported.")

    def add_arguments(self, parser):
        parser.add_argument("--safe", required=True, help="the operators' Safe that owns the AnchorRegistry")
        parser.add_argument("--out", type=Path, default=Path("agora-anchors.json"))
        parser.add_argument("--status", default="pending", choices=["pending", "exported"],
                            help="export pending anchors (default) or re-export exported ones (needs --reason)")
        parser.add_argument("--limit", type=int, default=50, help="anchors per batch (a Safe tx has a gas limit)")
        parser.add_argument("--reason", default="", help="why anchors are exported again")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **opts):
        if not is_address(opts["safe"]):
            raise CommandError("--safe must be 0x followed by 40 hex characters")
        if not 1 <= opts["limit"] <= 500:
            raise CommandError("--limit must be between 1 and 500")
        anchors = list(anchor_list(status=opts["status"])[: opts["limit"]])
        if not anchors:
            self.stdout.write(f"no {opts['status']} anchors: nothing to export")
            return
        for anchor in anchors:
            self.stdout.write(f"  {anchor.job_id}  {anchor.anchor_root}  {anchor.leaves} leaves")
        if not opts["commit"]:
            self.stdout.write(f"dry run: {len(anchors)} anchor(s) would be exported. Add --commit to write "
                              f"{opts['out']} and mark them exported.")
            return
        try:
            batch = anchor_export(anchor_ids=[a.id for a in anchors], safe_address=opts["safe"],
                                  actor="anchor_export", reason=opts["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        opts["out"].write_text(json.dumps(batch, indent=2) + "\n")
        self.stdout.write(self.style.SUCCESS(f"wrote {opts['out']}: {len(anchors)} postAnchor call(s) for Safe "
                                             f"{opts['safe']}; load it in Safe{{Wallet}}'s Transaction Builder"))
