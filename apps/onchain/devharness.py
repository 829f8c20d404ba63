"""A fresh anvil with the suite deployed and its streams created: real transactions, real logs.
For tests and benches (bench/indexer.py); it changes the settings object it is given."""
from decimal import Decimal

from eth_account import Account
from web3 import Web3

from apps.common.chain_client import contract, send
from apps.common.devchain import start_anvil
from apps.common.rpc import JsonRpc
from apps.onchain.deployment import deploy_suite
from apps.onchain.indexer import run_until_idle
from apps.onchain.models import ChainStream
from apps.onchain.services import stream_ensure

NAMES = {"StakeVault": "stake_vault", "TreasuryVault": "treasury_vault", "AnchorRegistry": "anchor_registry"}


class Harness:
    def __init__(self, settings, *, anvil_args=()):
        self.anvil = start_anvil(accounts=20, extra_args=anvil_args)
        self.w3 = self.anvil.w3
        self.accounts = self.anvil.accounts
        self.deployer, self.owner, self.slasher = self.accounts[0], self.accounts[1], self.accounts[2]
        self.data = deploy_suite(w3=self.w3, deployer_key=self.deployer.key, owner=self.owner.address,
                                 slasher=self.slasher.address, with_mock_usdc=True, progress=lambda _m: None)
        addresses = {name: info["address"] for name, info in self.data["contracts"].items()}
        self.usdc = contract(self.w3, "MockUSDC", addresses["MockUSDC"])
        self.stake = contract(self.w3, "StakeVault", addresses["StakeVault"])
        self.treasury = contract(self.w3, "TreasuryVault", addresses["TreasuryVault"])
        self.anchors = contract(self.w3, "AnchorRegistry", addresses["AnchorRegistry"])
        settings.AGORA_USDC_ADDRESS = addresses["MockUSDC"]
        settings.AGORA_RPC_URL = self.anvil.url
        self.rpc_url = self.anvil.url
        self.streams = [stream_ensure(name=NAMES[name], chain_id=31337, contract_address=info["address"],
                                      start_block=info["block_number"])
                        for name, info in self.data["contracts"].items() if name in NAMES]

    # --- chain actions -------------------------------------------------------------
    def fund(self, account, units):
        send(self.w3, self.deployer, self.usdc.functions.mint(account.address, units))
        send(self.w3, account, self.usdc.functions.approve(self.stake.address, 2**256 - 1))
        send(self.w3, account, self.usdc.functions.approve(self.treasury.address, 2**256 - 1))

    def deposit(self, account, units):
        return send(self.w3, account, self.stake.functions.deposit(units))

    def withdraw(self, account, units):
        return send(self.w3, account, self.stake.functions.withdraw(units))

    def request_withdrawal(self, account, units):
        # Not estimated: anvil estimates exactly, and rewriting releaseAt with the value it already holds
        # (same timestamp) is cheaper than with a new one, so an estimate from the pending block can run
        # out of gas in the next.
        return send(self.w3, account, self.stake.functions.requestWithdrawal(units), gas=150_000)

    def set_unbonding_period(self, seconds):
        return send(self.w3, self.owner, self.stake.functions.setUnbondingPeriod(seconds))

    def pass_time(self, seconds):
        """Mines a block `seconds` later: calls are estimated against the latest block, so the clock
        must have moved in one for a released withdrawal to go through."""
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.mine(1)

    def slash(self, account, units, recipient):
        return send(self.w3, self.slasher, self.stake.functions.slash(account.address, units, recipient.address))

    def donate_eth(self, account, wei, purpose=1):
        return send(self.w3, account, self.treasury.functions.donateEth(purpose, b"\x11" * 32), value=wei)

    def donate_usdc(self, account, units, purpose=1):
        return send(self.w3, account, self.treasury.functions.donateUsdc(units, purpose, b"\x22" * 32))

    def spend_usdc(self, to, units, purpose=1):
        return send(self.w3, self.owner, self.treasury.functions.spendUsdc(to.address, units, purpose, b"\x33" * 32))

    def anchor(self, root=b"\x01" * 32, uri="https://agora.example/a.json"):
        return send(self.w3, self.owner, self.anchors.functions.postAnchor(root, uri, 1, b"\x02" * 32))

    def mine(self, blocks=1):
        self.w3.provider.make_request("anvil_mine", [hex(blocks)])

    def snapshot(self):
        return self.w3.provider.make_request("evm_snapshot", [])["result"]

    def revert(self, snap):
        assert self.w3.provider.make_request("evm_revert", [snap])["result"] is True

    def head(self):
        return self.w3.eth.block_number

    # --- indexer -------------------------------------------------------------------
    def index(self, rpc=None):
        return run_until_idle(stream_ids=[s.id for s in self.streams], rpc=rpc or JsonRpc(self.rpc_url, timeout=5))

    def stream(self, name) -> ChainStream:
        return ChainStream.objects.get(pk=next(s.id for s in self.streams if s.name == name))

    def stop(self):
        self.anvil.stop()


def units(usdc: str) -> Decimal:
    return Decimal(usdc) * 10**6


def checksum(address):
    return Web3.to_checksum_address(address)


def bulk_deposits(harness: Harness, *, agents: int, per_agent: int, per_block: int) -> dict:
    """Many StakeVault events fast: automine off, signed txs sent without waiting, blocks mined in
    bulk. Returns each agent's expected stake."""

    w3, payer = harness.w3, harness.accounts[3]
    harness.fund(payer, 10**15)
    targets = [Account.create().address for _ in range(agents)]
    w3.provider.make_request("evm_setAutomine", [False])
    nonce = w3.eth.get_transaction_count(payer.address)
    chain_id = w3.eth.chain_id
    expected, sent = {}, 0
    gas_price = w3.eth.gas_price * 2
    for round_ in range(per_agent):
        for target in targets:
            amount = 1_000 + round_ * 7 + sent % 13
            tx = harness.stake.functions.depositFor(target, amount).build_transaction({
                "from": payer.address, "nonce": nonce, "chainId": chain_id, "gas": 120_000, "gasPrice": gas_price})
            w3.eth.send_raw_transaction(Account.sign_transaction(tx, payer.key).raw_transaction)
            nonce += 1
            sent += 1
            expected[target.lower()] = expected.get(target.lower(), 0) + amount
            if sent % per_block == 0:
                harness.mine(1)
    harness.mine(1)
    w3.provider.make_request("evm_setAutomine", [True])
    return expected
