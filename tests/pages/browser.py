"""Playwright + Debian's Chromium, and a test EIP-1193 wallet that signs with a real key."""
import json
import os
from pathlib import Path

from eth_account.messages import encode_defunct

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Without the background-networking flags Chromium keeps trying to reach Google on this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("Debian's chromium is missing: run scripts/ensure-browser.sh (make test does)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def install_wallet(page, account, *, reject: bool = False) -> None:
    """window.ethereum for this page: accounts -> the test key's address; personal_sign -> a real
    EIP-191 signature by that key over exactly the bytes the page asked it to sign."""

    def sign(hex_message: str, _address: str) -> str:
        text = bytes.fromhex(hex_message.removeprefix("0x")).decode("utf-8")
        return "0x" + account.sign_message(encode_defunct(text=text)).signature.hex().removeprefix("0x")

    page.expose_function("agoraTestSign", sign)
    page.add_init_script(f"""
      window.ethereum = {{
        request: async ({{ method, params }}) => {{
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [{json.dumps(account.address)}];
          if (method === "eth_chainId") return "0x7a69";
          if (method === "personal_sign") {{
            if ({json.dumps(reject)}) throw {{ code: 4001, message: "User rejected the request." }};
            return await window.agoraTestSign(params[0], params[1]);
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
