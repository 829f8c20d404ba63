import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.common.chain import is_address
from apps.common.errors import ApplicationError
from apps.slashing.operators import Operator
from apps.slashing.selectors import proposal_list, stake_warning, usdc_text
from apps.slashing.services import slash_export


class Command(BaseCommand):
    help = ("Write a Safe Transaction Builder batch of StakeVault.slash(agent, amount, recipient) for the approved "
            "slash proposals (the same file as the admin's \"Export to Safe\"). A dry run unless --commit: it lists "
            "what it would export; with --commit it writes the file and marks the proposals exported.")

    def add_arguments(self, parser):
        parser.add_argument("--safe", required=True, help="the operators' Safe, the StakeVault's slasher")
        parser.add_argument("--operator", required=True,
                            help="who is exporting (your operator identity, e.g. your wallet address); recorded")
        parser.add_argument("--out", type=Path, default=Path("agora-slashes.json"))
        parser.add_argument("--status", default="approved", choices=["approved", "exported"],
                            help="export approved proposals (default) or re-export exported ones (needs --reason)")
        parser.add_argument("--id", action="append", default=[], dest="ids",
                            help="only this proposal (repeat for several)")
        parser.add_argument("--limit", type=int, default=50, help="slashes per batch (a Safe tx has a gas limit)")
        parser.add_argument("--reason", default="", help="why proposals are exported again")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **opts):
        if not is_address(opts["safe"]):
            raise CommandError("--safe must be 0x followed by 40 hex characters")
        if not 1 <= opts["limit"] <= 200:
            raise CommandError("--limit must be between 1 and 200")
        proposals = [p for p in proposal_list(status=opts["status"], limit=200)
                     if not opts["ids"] or str(p.id) in opts["ids"]][: opts["limit"]]
        if not proposals:
            self.stdout.write(f"no {opts['status']} proposals: nothing to export")
            return
        for p in reversed(proposals):  # oldest first, as in the batch
            self.stdout.write(f"  {p.id}  slash({p.agent_address}, {p.amount_units}, {p.recipient_address})  "
                              f"= {usdc_text(p.amount_units)} USDC")
            if warning := stake_warning(p, p.stake_now):
                self.stdout.write(self.style.WARNING(f"    warning: {warning}"))
        if not opts["commit"]:
            self.stdout.write(f"dry run: {len(proposals)} slash(es) would be exported. Add --commit to write "
                              f"{opts['out']} and mark them exported.")
            return
        operator = Operator(identity=opts["operator"].lower()[:100], label=f"command:{opts['operator']}")
        try:
            batch = slash_export(proposal_ids=[p.id for p in proposals], safe_address=opts["safe"],
                                 operator=operator, reason=opts["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        opts["out"].write_text(json.dumps(batch, indent=2) + "\n")
        self.stdout.write(self.style.SUCCESS(f"wrote {opts['out']}: {len(proposals)} slash call(s) for Safe "
                                             f"{opts['safe']}; load it in Safe{{Wallet}}'s Transaction Builder"))
