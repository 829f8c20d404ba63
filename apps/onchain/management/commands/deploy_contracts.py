import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from eth_account import Account

from apps.common.chain_client import web3_for
from apps.common.errors import ApplicationError
from apps.onchain.deployment import (
    ANVIL_DEFAULT_KEY,
    DEV_CHAIN_IDS,
    SUITE,
    check_can_write,
    deploy_suite,
    fund_with_mock_usdc,
    write_deployment,
)


class Command(BaseCommand):
    help = ("Deploy StakeVault, TreasuryVault and AnchorRegistry to an RPC (default: the local anvil) and "
            "write the deployment file settings read.")

    def add_arguments(self, parser):
        parser.add_argument("--rpc-url", default=settings.AGORA_RPC_URL or "http://127.0.0.1:8545")
        parser.add_argument("--owner", help="owner of all three contracts (the operators' Safe); default: deployer")
        parser.add_argument("--slasher", help="StakeVault slasher (the operators' Safe); default: owner")
        parser.add_argument("--usdc", help="USDC token address (not needed with --with-mock-usdc)")
        parser.add_argument("--with-mock-usdc", action="store_true", help="deploy a 6-decimal mock USDC (dev chains)")
        parser.add_argument("--unbonding-period", type=int, metavar="SECONDS",
                            help="StakeVault unbonding period, 0..2592000 (30 days); default: 7 days, 0 on a dev "
                                 "chain. With an owner other than the deployer, the owner must then accept ownership")
        parser.add_argument("--only", nargs="+", choices=SUITE, metavar="CONTRACT",
                            help=f"deploy only these ({', '.join(SUITE)}) into a new --out file: moving to a new "
                                 "StakeVault (docs/contracts.md)")
        parser.add_argument("--fund", nargs="*", default=[], metavar="ADDRESS",
                            help="with --with-mock-usdc: mint 10,000 mock USDC to each address")
        parser.add_argument("--deployer-key-env", default="AGORA_DEPLOYER_KEY",
                            help="environment variable holding the deployer's private key "
                                 "(on a dev chain anvil's first account is used when it is unset)")
        parser.add_argument("--out", type=Path, default=Path(settings.AGORA_DEPLOYMENT_FILE))
        parser.add_argument("--force", action="store_true", help="overwrite a deployment for another chain")

    def handle(self, *args, **opts):
        started = time.monotonic()
        try:
            w3 = web3_for(opts["rpc_url"])
            chain_id = w3.eth.chain_id
        except Exception as exc:
            raise CommandError(f"cannot reach {opts['rpc_url']}: {type(exc).__name__}: {exc}") from None
        key = os.environ.get(opts["deployer_key_env"])
        if not key:
            if chain_id not in DEV_CHAIN_IDS:
                raise CommandError(f"set {opts['deployer_key_env']} to deploy to chain {chain_id}")
            key = ANVIL_DEFAULT_KEY
        deployer = Account.from_key(key).address
        owner = opts["owner"] or deployer
        try:
            check_can_write(opts["out"], chain_id, force=opts["force"])  # fail before spending gas
            if opts["only"] and (opts["out"].exists() or opts["with_mock_usdc"]):
                # a part of the suite must not replace the whole file settings read, nor bring its own USDC
                raise CommandError("--only writes a new file (pick an --out that does not exist) and needs the "
                                   "existing contracts' USDC (--usdc, not --with-mock-usdc)")
            data = deploy_suite(w3=w3, deployer_key=key, owner=owner, slasher=opts["slasher"] or owner,
                                usdc=opts["usdc"], with_mock_usdc=opts["with_mock_usdc"],
                                unbonding_period=opts["unbonding_period"], only=opts["only"] or SUITE,
                                progress=self.stdout.write)
            if opts["fund"]:
                if not opts["with_mock_usdc"]:
                    raise CommandError("--fund needs --with-mock-usdc")
                fund_with_mock_usdc(w3=w3, deployer_key=key, usdc=data["usdc_address"], recipients=opts["fund"],
                                    amount_units=10_000 * 10**6)
                self.stdout.write(f"funded {len(opts['fund'])} accounts with 10,000 mock USDC each")
            data["rpc_url"] = opts["rpc_url"]
            write_deployment(opts["out"], data, force=opts["force"])
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS(
            f"chain {chain_id}: deployment written to {opts['out']} in {time.monotonic() - started:.2f}s"))
