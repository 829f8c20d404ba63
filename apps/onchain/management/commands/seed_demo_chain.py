"""On the local chain of `make run`: the demo agent and juror stake, the demo sponsor donates.
Idempotent: each step is skipped once it is on chain. Dev chains only."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from eth_account import Account

from apps.common.chain_client import contract, send, web3_for
from apps.jobs.management.commands.seed_demo import DEMO_KEYS

DEV_CHAIN_IDS = {31337, 1337}
STAKE_UNITS, DONATION_UNITS = 100_000_000, 25_000_000  # 100 USDC each, a 25 USDC donation (a donor avatar)


class Command(BaseCommand):
    help = "Stake for the demo agent and juror and a donation from the demo sponsor, on the local dev chain."

    def handle(self, *args, **options):
        w3 = web3_for(settings.AGORA_RPC_URL)
        if w3.eth.chain_id not in DEV_CHAIN_IDS:
            raise CommandError(f"chain {w3.eth.chain_id} is not a dev chain: demo transactions are for anvil only")
        if not (settings.AGORA_STAKE_CONTRACT_ADDRESS and settings.AGORA_TREASURY_ADDRESS):
            raise CommandError("no StakeVault/TreasuryVault in the deployment: run deploy_contracts first")
        usdc = contract(w3, "MockUSDC", w3.to_checksum_address(settings.AGORA_USDC_ADDRESS))
        stake = contract(w3, "StakeVault", w3.to_checksum_address(settings.AGORA_STAKE_CONTRACT_ADDRESS))
        treasury = contract(w3, "TreasuryVault", w3.to_checksum_address(settings.AGORA_TREASURY_ADDRESS))
        sponsor, agent, juror = (Account.from_key(DEMO_KEYS[k]) for k in ("sponsor", "agent", "juror"))
        done = []
        for staker in (agent, juror):  # step by step, so a run cut short is completed by the next
            if stake.functions.stakeOf(staker.address).call():
                continue
            # The demo juror is not one of anvil's funded accounts: give it gas (a dev-chain call) and USDC.
            if w3.eth.get_balance(staker.address) < 10**17:
                w3.provider.make_request("anvil_setBalance", [staker.address, hex(10**19)])
            if usdc.functions.balanceOf(staker.address).call() < STAKE_UNITS:
                send(w3, sponsor, usdc.functions.transfer(staker.address, STAKE_UNITS))
            send(w3, staker, usdc.functions.approve(stake.address, STAKE_UNITS))
            send(w3, staker, stake.functions.deposit(STAKE_UNITS))
            done.append(f"{staker.address} staked 100 USDC")
        if not usdc.functions.balanceOf(treasury.address).call():
            send(w3, sponsor, usdc.functions.approve(treasury.address, DONATION_UNITS))
            send(w3, sponsor, treasury.functions.donateUsdc(DONATION_UNITS, 1, b"\x00" * 32))
            done.append(f"{sponsor.address} donated 25 USDC")
        self.stdout.write("; ".join(done) if done else "demo stake and donation already on chain")
