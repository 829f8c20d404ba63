"""Sponsors, agents and jurors talking to a stack's web processes, each from its own client IP."""
import itertools
import json
import time

import requests
from eth_account import Account

from agora_sdk import AgoraClient

_ips = itertools.count(1)


def new_ip() -> str:
    """A client address of its own (TEST-NET-2), sent as X-Forwarded-For: the stack trusts one proxy hop."""
    n = next(_ips)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def session(ip: str | None = None) -> requests.Session:
    """What the proxy adds to each request: the client's address, and that it came over HTTPS."""
    http = requests.Session()
    http.headers["X-Forwarded-For"] = ip or new_ip()
    http.headers["X-Forwarded-Proto"] = "https"
    return http


def person(stack, web: int = 0, *, key: str | None = None, ip: str | None = None) -> AgoraClient:
    """max_retries=0: the tests see every 429 and 503 themselves instead of the SDK retrying them away."""
    return AgoraClient(stack.web_url(web), key or Account.create().key.hex(), max_retries=0, timeout=30,
                       session=session(ip))


def on_web(client: AgoraClient, stack, web: int) -> AgoraClient:
    """The same wallet and token, sending through another web process."""
    other = AgoraClient(stack.web_url(web), None, max_retries=0, timeout=30, session=session(
        client.http.headers["X-Forwarded-For"]))
    other.account, other.access_token = client.account, client.access_token
    return other


def grant(stack, scores: dict[str, int], *, stake_usdc: int = 50) -> None:
    """Make agents of these addresses with stake and reputation, through the services (one Django shell)."""
    stack.shell(
        "from apps.agents.services import profile_ensure, profile_update, reputation_set, stake_set\n"
        f"for address, score in {json.dumps(scores)}.items():\n"
        "    profile_ensure(address=address)\n"
        "    profile_update(address=address, changes={'participant_type': 'agent'})\n"
        f"    stake_set(address=address, units={stake_usdc * 10**6}, actor='ops-test')\n"
        "    if score:\n"
        "        reputation_set(address=address, score=score, kind='dev_set', reason='ops test', actor='ops-test')\n")


def wait_for_window(margin: float = 15) -> None:
    """Rate limits count in fixed one-minute windows: start a counted run well inside one."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.2)
