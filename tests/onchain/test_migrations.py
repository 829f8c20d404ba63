"""Data migrations run against rows that exist before them."""
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ALICE, BOB = "0x" + "a1" * 20, "0x" + "b2" * 20
RELEASE = 1_800_000_000


@pytest.mark.django_db(transaction=True)
def test_stored_withdrawal_requests_are_projected_and_old_rows_get_their_kind():
    before = [("onchain", "0003_anchors"), ("agents", "0002_onchainstake")]
    after = [("onchain", "0004_stake_ledger_unbonding")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    stream = old.get_model("onchain", "ChainStream").objects.create(
        name="stake_vault", chain_id=31337, contract_address="0x" + "11" * 20, start_block=1, next_block=9)
    events = [(1, "Deposited", {"payer": ALICE, "agent": ALICE, "amount": "10000000"}, 10_000_000),
              (2, "WithdrawalRequested", {"agent": ALICE, "amount": "4000000", "releaseAt": str(RELEASE)}, None),
              (3, "Slashed", {"agent": ALICE, "recipient": BOB, "requestedAmount": "7000000",
                              "actualAmount": "7000000"}, -7_000_000),
              (4, "Deposited", {"payer": BOB, "agent": BOB, "amount": "5000000"}, 5_000_000)]
    for block, name, args, delta in events:
        event = old.get_model("onchain", "ChainEvent").objects.create(
            id=f"31337:0x{block:064x}:0", stream=stream, block_number=block, block_hash="0x" + "00" * 32,
            tx_hash=f"0x{block:064x}", log_index=0, name=name, args=args)
        if delta is not None:  # before this migration the indexer made no row for a request
            old.get_model("onchain", "StakeLedger").objects.create(
                event=event, stream=stream, agent=args["agent"], delta=delta, block_number=block, log_index=0,
                tx_hash=event.tx_hash)
    stakes = old.get_model("agents", "OnchainStake").objects
    stakes.create(address=ALICE, staked_units=3_000_000)
    stakes.create(address=BOB, staked_units=5_000_000)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    ledger = new.get_model("onchain", "StakeLedger").objects.order_by("block_number")
    assert list(ledger.values_list("kind", "delta", "requested", "release_at")) == [
        ("Deposited", 10_000_000, 0, None), ("WithdrawalRequested", 0, 4_000_000, RELEASE),
        ("Slashed", -7_000_000, 0, None), ("Deposited", 5_000_000, 0, None)]
    stakes = new.get_model("agents", "OnchainStake").objects
    alice, bob = stakes.get(address=ALICE), stakes.get(address=BOB)
    # 10 deposited, 4 asked back, then a slash of 7 takes the 6 active and 1 of the 4 unbonding
    assert (alice.staked_units, alice.active_units, alice.unbonding_units) == (3_000_000, 0, 3_000_000)
    assert alice.unbonding_release_at == datetime.fromtimestamp(RELEASE, UTC)
    assert (bob.staked_units, bob.active_units, bob.unbonding_units, bob.unbonding_release_at) == (
        5_000_000, 5_000_000, 0, None)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
