from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, ContractLogicError

from apps.common.chain_client import contract, web3_for
from apps.onchain.custody import custody_check
from apps.onchain.deployment import SUITE, read_deployment


class Command(BaseCommand):
    help = ("Check that the deployment file's contracts exist on the configured RPC, and print them. With "
            "--safe-threshold, also check custody: every owner and the slasher is a Safe with at least that many "
            "signatures, no handover pending, the deployer holds nothing and no key is in this environment.")

    def add_arguments(self, parser):
        parser.add_argument("--safe-threshold", type=int, metavar="N",
                            help="require every role to be a Safe needing at least N signatures (production: 2)")
        parser.add_argument("--safe", metavar="ADDRESS",
                            help="with --safe-threshold: the one Safe expected in every role")

    def handle(self, *args, **options):
        data = read_deployment(settings.AGORA_DEPLOYMENT_FILE)
        if not data:
            raise CommandError(f"no deployment file at {settings.AGORA_DEPLOYMENT_FILE}")
        custody = None
        try:
            w3 = web3_for(settings.AGORA_RPC_URL or data.get("rpc_url"))
            if w3.eth.chain_id != data["chain_id"]:
                raise CommandError(f"the RPC serves chain {w3.eth.chain_id}, the file is for {data['chain_id']}")
            missing = [name for name, info in data["contracts"].items()
                       if not w3.eth.get_code(Web3.to_checksum_address(info["address"]))]
            state = [] if missing else _chain_state(w3, data["contracts"])
            if options.get("safe_threshold") is not None and not missing:
                custody = custody_check(w3=w3, contracts=data["contracts"], deployer=data.get("deployer", ""),
                                        min_threshold=options["safe_threshold"], safe=options.get("safe"))
        except CommandError:
            raise
        except Exception as exc:
            raise CommandError(f"cannot reach the RPC: {type(exc).__name__}") from None
        if missing:
            raise CommandError(f"no code at the addresses of: {', '.join(missing)} (the chain was reset?)")
        lines = [f"  Chain          {data['chain_id']} at {data.get('rpc_url')}"]
        lines += [f"    {name:<15} {info['address']}" for name, info in data["contracts"].items()]
        lines += state
        if custody is not None:
            lines += custody.lines
        self.stdout.write("\n".join(lines))
        if custody is not None and custody.problems:
            raise CommandError("custody check failed:\n" + "\n".join(f"  - {p}" for p in custody.problems))
        if custody is not None:
            self.stdout.write(f"  Custody        ok: every role is a Safe of at least {options['safe_threshold']}")


def _chain_state(w3: Web3, contracts: dict) -> list[str]:
    """The unbonding period and any ownership still waiting for acceptOwnership(), read from the chain
    rather than the file: the owner may have accepted, or the owner changed the period, since deployment."""
    lines = []
    if "StakeVault" in contracts:
        vault = contract(w3, "StakeVault", contracts["StakeVault"]["address"])
        try:
            period = vault.functions.unbondingPeriod().call()
        except (ContractLogicError, BadFunctionCallOutput):
            lines.append("  Unbonding      unknown (a StakeVault from before the unbonding period)")
        else:
            lines.append(f"  Unbonding      {period}s ({period / 86400:g} days)")
    for name in SUITE:
        if name not in contracts:
            continue
        owned = contract(w3, name, contracts[name]["address"])
        pending = owned.functions.pendingOwner().call()
        if int(pending, 16):
            lines.append(f"  PENDING OWNER  {name}: {pending.lower()} must call acceptOwnership() "
                         f"(owner is still {owned.functions.owner().call().lower()})")
    return lines
