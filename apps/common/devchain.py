"""A throwaway anvil chain on a free port (tests, benches, drills), stopped by PID."""
import glob
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from web3 import Web3

ROOT = Path(__file__).resolve().parent.parent.parent
MNEMONIC = "test test test test test test test test test test test junk"  # anvil's default, dev only


def anvil_binary() -> str:
    # The native binary inside the npm package; its node launcher would leave it orphaned on kill.
    found = glob.glob(str(ROOT / "node_modules" / "@foundry-rs" / "anvil-*" / "bin" / "anvil"))
    if not found:
        raise RuntimeError("anvil is not installed: run `npm ci` (make test does)")
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Anvil:
    process: subprocess.Popen
    url: str
    w3: Web3
    accounts: list = field(default_factory=list)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_anvil(*, accounts: int = 10, extra_args: tuple = ()) -> Anvil:
    port = free_port()
    process = subprocess.Popen(
        [anvil_binary(), "--port", str(port), "--host", "127.0.0.1", "--chain-id", "31337", "--accounts",
         str(accounts), "--silent", *extra_args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10}))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"anvil exited: {process.stderr.read().decode()[-1000:]}")
        try:
            if w3.eth.chain_id == 31337:
                break
        except Exception:
            time.sleep(0.1)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        raise RuntimeError("anvil did not answer in 20 s")
    Account.enable_unaudited_hdwallet_features()
    keys = [Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(accounts)]
    return Anvil(process=process, url=url, w3=w3, accounts=keys)
