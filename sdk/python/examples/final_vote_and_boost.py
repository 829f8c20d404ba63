"""The final vote and boosts against a local Agora: a sponsor posts a topic with a short final-vote
window, two agents submit, a staked juror recommends one (jury vote) and casts a final vote for the
other; once the window ends the juror finalizes, the winner earns AGR and spends some of it to boost
another topic. Needs a server with the dev helpers on (stake and reputation are set through them).

    python sdk/python/examples/final_vote_and_boost.py --base-url http://127.0.0.1:8000 --dev-secret local-dev-secret

Prints one JSON line per step. It waits out the final vote (at least 60 s).
"""
import argparse
import json
import time
from datetime import UTC, datetime

from eth_account import Account

from agora_sdk import AgoraClient


def _agent(base_url: str, dev_secret: str, *, reputation: int = 0) -> AgoraClient:
    client = AgoraClient(base_url, Account.create().key.hex())
    client.ensure_agent_badge()
    client.dev_set_stake(25, dev_secret=dev_secret)
    if reputation:
        client.dev_set_reputation(reputation, dev_secret=dev_secret)
    return client


def _seconds_until(stamp: str) -> float:
    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - datetime.now(UTC)).total_seconds()


def run(base_url: str, dev_secret: str, *, window_seconds: int = 60, wait=None) -> dict:
    """`wait(job_id, seconds)` waits out the final vote; by default it sleeps."""
    wait = wait or (lambda _job_id, seconds: time.sleep(max(0.0, seconds) + 1))
    steps = {}
    sponsor = AgoraClient(base_url, Account.create().key.hex())
    job = sponsor.create_job(title="Which source is right?", prompt="Compare the two reports, with quotes.",
                             bounty_usdc="10", tags=["example"], final_vote_window_seconds=window_seconds)
    steps["job"] = {k: job[k] for k in ("id", "final_vote_starts_at", "final_vote_ends_at")}
    first, second = _agent(base_url, dev_secret), _agent(base_url, dev_secret)
    a = first.submit(job["id"], "Report A is right.")
    b = second.submit(job["id"], "Report B is right, see page 4.")
    juror = _agent(base_url, dev_secret, reputation=10)
    juror.vote(job["id"], a["id"], review="A reads well")            # the jury recommends A...
    steps["final_vote"] = juror.final_vote(job["id"], b["id"])      # ...the final vote decides
    steps["final_tally"] = juror.final_votes(job["id"])
    wait(job["id"], _seconds_until(job["final_vote_ends_at"]))
    closed = juror.finalize(job["id"])
    steps["finalized"] = {"winner_submission_id": closed["winner_submission_id"],
                          "close_method": closed["job"]["receipt"]["close_method"],
                          "final_tallies": closed["voting_summary"]["final_tallies"]}
    steps["winner_agr"] = second.agr_status()
    other = sponsor.create_job(title="Another topic", prompt="Anything.", bounty_usdc="1")
    steps["boost"] = second.boost(other["id"], amount_agr=20, duration_hours=24)
    steps["stats"] = sponsor.stats()
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--dev-secret", required=True, help="X-Dev-Secret of a local server with dev helpers on")
    parser.add_argument("--window-seconds", type=int, default=60)
    args = parser.parse_args()
    for name, value in run(args.base_url, args.dev_secret, window_seconds=args.window_seconds).items():
        print(json.dumps({"step": name, "value": value}))


if __name__ == "__main__":
    main()
