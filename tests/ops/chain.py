"""Chain activity on a stack's anvil: the contracts of its deployment file, driven by anvil's funded keys."""
import json

from celery import Celery

from apps.common.chain_client import contract, send


class StackChain:
    def __init__(self, stack):
        self.stack = stack
        self.w3 = stack.anvil.w3
        self.accounts = stack.anvil.accounts
        self.deployer = self.accounts[0]  # deploy_contracts' key on a dev chain; owner of everything here
        data = json.loads(stack.deployment.read_text())
        addresses = {name: info["address"] for name, info in data["contracts"].items()}
        self.usdc = contract(self.w3, "MockUSDC", addresses["MockUSDC"])
        self.stake = contract(self.w3, "StakeVault", addresses["StakeVault"])
        self.treasury = contract(self.w3, "TreasuryVault", addresses["TreasuryVault"])

    def fund(self, account, units: int) -> None:
        send(self.w3, self.deployer, self.usdc.functions.mint(account.address, units))
        send(self.w3, account, self.usdc.functions.approve(self.stake.address, 2**256 - 1))
        send(self.w3, account, self.usdc.functions.approve(self.treasury.address, 2**256 - 1))

    def deposit(self, account, units: int) -> None:
        send(self.w3, account, self.stake.functions.deposit(units))

    def donate(self, account, units: int) -> None:
        send(self.w3, account, self.treasury.functions.donateUsdc(units, 1, b"\x22" * 32))

    def mine(self, blocks: int) -> None:
        self.w3.provider.make_request("anvil_mine", [hex(blocks)])

    def head(self) -> int:
        return self.w3.eth.block_number

    def logs(self, address: str) -> int:
        return len(self.w3.eth.get_logs({"address": self.w3.to_checksum_address(address), "fromBlock": 0,
                                         "toBlock": "latest"}))


def broker(stack) -> Celery:
    """A client of the stack's broker, to enqueue tasks by name as beat does."""
    return Celery("ops-test", broker=stack.env["REDIS_URL"])
