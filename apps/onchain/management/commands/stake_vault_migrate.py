from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.common.chain import normalize_address, units_to_usdc
from apps.common.errors import ApplicationError
from apps.onchain.deployment import read_deployment, replace_in_deployment
from apps.onchain.selectors import stake_vault_totals
from apps.onchain.services import stake_vault_follow_new, stream_ensure_by_name


class Command(BaseCommand):
    help = ("Moving to a new StakeVault (docs/contracts.md): start indexing the new vault while the current one "
            "keeps being indexed, stake in both counting for each agent, then point the deployment file at the "
            "new vault. Without a new vault, list the StakeVaults followed and what each still holds. A dry run "
            "unless --commit.")

    def add_arguments(self, parser):
        parser.add_argument("--from-file", type=Path,
                            help="the file `deploy_contracts --only StakeVault --out FILE` wrote")
        parser.add_argument("--address", help="or: the new StakeVault's address ...")
        parser.add_argument("--start-block", type=int, help="... and its deployment block")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **opts):
        try:
            current = stream_ensure_by_name(name="stake_vault")
            self._show(current.chain_id)
            entry = self._new_vault(opts, current.chain_id)
            if entry is None:
                return
            self.stdout.write(f"follows {entry['address']} from block {entry['block_number']} as stake_vault; "
                              f"{current.contract_address} stays followed as a stake_vault@ stream")
            if not opts["commit"]:
                self.stdout.write("dry run: nothing changed. Add --commit to apply.")
                return
            stake_vault_follow_new(chain_id=current.chain_id, contract_address=entry["address"],
                                   start_block=entry["block_number"], actor="stake_vault_migrate")
            self._point_deployment_file(current.chain_id, entry)
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS("done: both vaults are indexed and summed per agent"))
        self._show(current.chain_id)

    def _new_vault(self, opts, chain_id: int) -> dict | None:
        if opts["from_file"]:
            data = read_deployment(opts["from_file"])
            if not data or "StakeVault" not in data.get("contracts", {}):
                raise CommandError(f"{opts['from_file']} names no StakeVault")
            if data["chain_id"] != chain_id:
                raise CommandError(f"{opts['from_file']} is for chain {data['chain_id']}, the stream for {chain_id}")
            if data.get("usdc_address") != settings.AGORA_USDC_ADDRESS.lower():
                raise CommandError(f"the new vault takes USDC {data.get('usdc_address')}, agents stake "
                                   f"{settings.AGORA_USDC_ADDRESS.lower()}")
            return data["contracts"]["StakeVault"]
        if not opts["address"]:
            return None
        if opts["start_block"] is None or opts["start_block"] < 0:
            raise CommandError("--start-block (the new vault's deployment block, >= 0) is required with --address")
        return {"address": normalize_address(opts["address"], field="address"), "block_number": opts["start_block"]}

    def _point_deployment_file(self, chain_id: int, entry: dict) -> None:
        path = Path(settings.AGORA_DEPLOYMENT_FILE)
        data = read_deployment(path)
        if not data or data.get("chain_id") != chain_id:
            self.stdout.write(f"no deployment file for chain {chain_id} at {path}: set "
                              f"AGORA_STAKE_CONTRACT_ADDRESS={entry['address']} and restart the processes")
            return
        replace_in_deployment(path, "StakeVault", entry)
        self.stdout.write(f"{path} now names {entry['address']} (the old vault is under retired_contracts); "
                          "restart the web and worker processes so stake/requirements shows it")

    def _show(self, chain_id: int) -> None:
        for row in stake_vault_totals(chain_id=chain_id):
            stream = row["stream"]
            self.stdout.write(f"  {stream.name:<24} {stream.contract_address}  from block {stream.start_block}  "
                              f"{units_to_usdc(row['total_units']):f} USDC staked by {row['agents']} agent(s)")
