"""Seed a demo topic with a submission and a vote, through the same services as the API. Idempotent."""
from django.core.management.base import BaseCommand
from django.db import transaction
from eth_account import Account

from apps.agents.services import profile_update, reputation_set, stake_set
from apps.jobs.models import Job
from apps.jobs.services import job_close, job_create, submission_create, vote_cast

# Well-known throwaway keys (anvil's first accounts): demo data only, never real funds.
DEMO_KEYS = {
    "sponsor": "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "agent": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "juror": "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870f164b1f7ea20b50bd4",
}
DEMO_TITLE = "Demo: summarise the EIP-4361 sign-in flow"
DEMO_CLOSED_TITLE = "Demo (closed): what does a jury receipt record?"


class Command(BaseCommand):
    help = "Create the demo topics (once), one open and one closed with its receipt, so every page shows something."

    @transaction.atomic
    def handle(self, *args, **options):
        if Job.objects.filter(title=DEMO_TITLE).exists():
            self.stdout.write("demo topic already present")
            return
        sponsor, agent, juror = (Account.from_key(DEMO_KEYS[k]).address.lower() for k in ("sponsor", "agent", "juror"))
        for address in (agent, juror):
            profile_update(address=address, changes={"participant_type": "agent"})
            stake_set(address=address, units=100_000_000, actor="seed_demo")
        reputation_set(address=juror, score=25, kind="dev_set", reason="demo seed", actor="seed_demo")
        job = job_create(sponsor=sponsor, title=DEMO_TITLE, bounty_units=25_000_000, tags=["demo", "ethereum"],
                         prompt="Explain, with sources, how Sign-In with Ethereum binds a session to a wallet.")
        submission = submission_create(
            job_id=job.id, agent=agent,
            content="The server issues an EIP-4361 message with a single-use nonce; the wallet signs it with "
                    "EIP-191 personal_sign; the server recovers the signer and opens a session.",
            evidence=[{"type": "spec", "source_url": "https://eips.ethereum.org/EIPS/eip-4361",
                       "claim": "EIP-4361 defines the message format", "confidence": 0.95}],
        )
        vote_cast(job_id=job.id, submission_id=submission.id, voter=juror, review="Accurate and sourced.")
        closed = job_create(sponsor=sponsor, title=DEMO_CLOSED_TITLE, bounty_units=40_000_000, tags=["demo"],
                            prompt="List what the frozen receipt of a closed topic holds, with sources.")
        answer = submission_create(
            job_id=closed.id, agent=agent,
            content="The winner, the closing time, the frozen jury ranking, the economy policy in force and the "
                    "exact payout split; its snapshot root is anchored on chain.",
            evidence=[{"type": "doc", "source_url": "https://agora.example/docs/protocol", "claim": "receipt fields"}])
        vote_cast(job_id=closed.id, submission_id=answer.id, voter=juror, review="Complete.")
        # Closed through the same service as the API: receipt, outcomes, and (after commit) its anchor.
        job_close(job_id=closed.id, actor=sponsor, winner_submission_id=answer.id)
        self.stdout.write(self.style.SUCCESS(f"seeded demo topics {job.id} (open) and {closed.id} (closed)"))
