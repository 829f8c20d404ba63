"""Playwright + Debian's Chromium, and a test EIP-1193 wallet that signs with a real key."""
import json
import os
from pathlib import Path

from eth_account.messages import encode_defunct
from web3 import Web3

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Without the background-networking flags Chromium keeps trying to reach Google on this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("Debian's chromium is missing: run scripts/ensure-browser.sh (make test does)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def install_wallet(page, account, *, reject: bool = False, rpc_url: str | None = None) -> None:
    """window.ethereum for this page: accounts -> the test key's address; personal_sign -> a real
    EIP-191 signature by that key over exactly the bytes the page asked it to sign. With `rpc_url`
    (an anvil), eth_sendTransaction signs with the key and sends the raw transaction there, and
    eth_getTransactionReceipt / eth_blockNumber are asked of that node, as a real wallet would."""

    def sign(hex_message: str, _address: str) -> str:
        text = bytes.fromhex(hex_message.removeprefix("0x")).decode("utf-8")
        return "0x" + account.sign_message(encode_defunct(text=text)).signature.hex().removeprefix("0x")

    page.expose_function("agoraTestSign", sign)
    if rpc_url:
        w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))

        def send(tx: dict) -> str:
            if tx["from"].lower() != account.address.lower():
                raise ValueError("the page asked to send from another account")
            built = {"from": account.address, "to": Web3.to_checksum_address(tx["to"]), "data": tx.get("data", "0x"),
                     "value": int(tx.get("value") or "0x0", 16), "chainId": w3.eth.chain_id,
                     "nonce": w3.eth.get_transaction_count(account.address, "pending"), "gasPrice": w3.eth.gas_price}
            built["gas"] = w3.eth.estimate_gas(built)
            sent = w3.eth.send_raw_transaction(account.sign_transaction(built).raw_transaction)
            return "0x" + sent.hex().removeprefix("0x")

        def rpc(method: str, params: list):
            return w3.provider.make_request(method, params)["result"]

        page.expose_function("agoraTestSend", send)
        page.expose_function("agoraTestRpc", rpc)
    node = json.dumps(bool(rpc_url))
    page.add_init_script(f"""
      window.ethereum = {{
        request: async ({{ method, params }}) => {{
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [{json.dumps(account.address)}];
          if (method === "eth_chainId") return "0x7a69";
          if (method === "personal_sign" || method === "eth_sendTransaction") {{
            if ({json.dumps(reject)}) throw {{ code: 4001, message: "User rejected the request." }};
            if (method === "personal_sign") return await window.agoraTestSign(params[0], params[1]);
            if ({node}) return await window.agoraTestSend(params[0]);
          }}
          if ({node} && (method === "eth_getTransactionReceipt" || method === "eth_blockNumber")) {{
            return await window.agoraTestRpc(method, params || []);
          }}
          throw {{ code: 4200, message: "unsupported method " + method }};
        }},
      }};
    """)


def watch_console(page, sink: list) -> None:
    page.on("console", lambda msg: sink.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: sink.append(f"{page.url}: {exc}"))


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
