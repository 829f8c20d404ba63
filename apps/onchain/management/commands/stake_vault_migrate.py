from django.core.management.base import BaseCommand, CommandError

from apps.common.chain import units_to_usdc
from apps.common.errors import ApplicationError
from apps.onchain.selectors import stake_vault_totals
from apps.onchain.services import stake_vault_follow_new, stream_ensure_by_name


class Command(BaseCommand):
    help = ("Vault migration (docs/runbook.md): start indexing a new StakeVault while the current one keeps "
            "being indexed, stake in both counting for each agent. Without --address, list the StakeVaults "
            "followed and what each still holds. A dry run unless --commit.")

    def add_arguments(self, parser):
        parser.add_argument("--address", help="the new StakeVault")
        parser.add_argument("--start-block", type=int, help="the new StakeVault's deployment block")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **opts):
        try:
            current = stream_ensure_by_name(name="stake_vault")
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        self._show(current.chain_id)
        if not opts["address"]:
            return
        if opts["start_block"] is None or opts["start_block"] < 0:
            raise CommandError("--start-block (the new vault's deployment block, >= 0) is required with --address")
        self.stdout.write(f"follows {opts['address'].lower()} from block {opts['start_block']} as stake_vault; "
                          f"{current.contract_address} stays followed as a stake_vault@ stream")
        if not opts["commit"]:
            self.stdout.write("dry run: nothing changed. Add --commit to apply.")
            return
        try:
            stake_vault_follow_new(chain_id=current.chain_id, contract_address=opts["address"],
                                   start_block=opts["start_block"], actor="stake_vault_migrate")
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS("done; both vaults are indexed and summed per agent"))
        self._show(current.chain_id)

    def _show(self, chain_id: int) -> None:
        for row in stake_vault_totals(chain_id=chain_id):
            stream = row["stream"]
            self.stdout.write(f"  {stream.name:<24} {stream.contract_address}  from block {stream.start_block}  "
                              f"{units_to_usdc(row['total_units']):f} USDC staked by {row['agents']} agent(s)")
