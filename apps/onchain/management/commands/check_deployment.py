from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from web3 import Web3

from apps.common.chain_client import web3_for
from apps.onchain.deployment import read_deployment


class Command(BaseCommand):
    help = "Check that the deployment file's contracts exist on the configured RPC, and print them."

    def handle(self, *args, **options):
        data = read_deployment(settings.AGORA_DEPLOYMENT_FILE)
        if not data:
            raise CommandError(f"no deployment file at {settings.AGORA_DEPLOYMENT_FILE}")
        try:
            w3 = web3_for(data.get("rpc_url") or settings.AGORA_RPC_URL)
            if w3.eth.chain_id != data["chain_id"]:
                raise CommandError(f"the RPC serves chain {w3.eth.chain_id}, the file is for {data['chain_id']}")
            missing = [name for name, info in data["contracts"].items()
                       if not w3.eth.get_code(Web3.to_checksum_address(info["address"]))]
        except CommandError:
            raise
        except Exception as exc:
            raise CommandError(f"cannot reach the RPC: {type(exc).__name__}") from None
        if missing:
            raise CommandError(f"no code at the addresses of: {', '.join(missing)} (the chain was reset?)")
        lines = [f"  Chain          {data['chain_id']} at {data.get('rpc_url')}"]
        lines += [f"    {name:<15} {info['address']}" for name, info in data["contracts"].items()]
        self.stdout.write("\n".join(lines))
