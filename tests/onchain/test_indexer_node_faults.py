"""A node that lags behind, or sits on another chain, through the fault proxy: an RPC fault the
stream backs off from and counts, never a reorg, never another chain's events, never an empty hash."""
import pytest
from structlog.testing import capture_logs

from apps.agents.models import OnchainStake
from apps.common.rpc import JsonRpc, RpcError
from apps.onchain.devharness import Harness
from apps.onchain.indexer import index_step
from apps.onchain.models import ChainEvent, ChainStream, ReorgLog, StreamBlock
from apps.onchain.services import stream_cursor_reset

from .faulty_rpc import FaultyRpc

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_MAX_REORG_DEPTH = 16
    harness = Harness(settings)
    yield harness
    harness.stop()


@pytest.fixture
def proxy(chain):
    node = FaultyRpc(chain.rpc_url, [])
    yield node
    node.close()


def _stake(address) -> int:
    row = OnchainStake.objects.filter(address=address.lower()).first()
    return int(row.staked_units) if row else 0


def _retry_now():
    ChainStream.objects.update(retry_at=None)  # skip the backoff instead of sleeping through it


def _metric(client, stream, kind) -> str:
    metrics = client.get("/metrics").content.decode()
    return next((line for line in metrics.splitlines()
                 if line.startswith("agora_indexer_rpc_errors_total{") and f'kind="{kind}"' in line
                 and f'stream="{stream}"' in line), "")


@pytest.mark.parametrize("node", ["head_behind_the_cursor", "newest_blocks_missing", "every_block_missing"])
def test_a_lagging_node_is_backed_off_and_counted_never_a_reorg(chain, proxy, client, node):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 5 * 10**6)  # in the newest block: a rollback of even one block would remove it
    chain.index()
    stream = chain.stream("stake_vault")
    head, cursor_hash = chain.head(), stream.last_block_hash
    assert stream.last_block_number == head and cursor_hash
    proxy.head, proxy.hide_above = {"head_behind_the_cursor": (head - 3, head - 3),
                                    "newest_blocks_missing": (None, head - 3),
                                    "every_block_missing": (None, -1)}[node]

    result = index_step(stream.id, rpc=JsonRpc(proxy.url))

    assert result.status == "rpc_error" and result.detail.startswith("lagging_node"), result
    stream.refresh_from_db()
    assert (stream.last_block_number, stream.last_block_hash, stream.reorgs) == (head, cursor_hash, 0)
    assert not ReorgLog.objects.exists() and not stream.halted
    assert stream.retry_at is not None and stream.rpc_errors == {"lagging_node": 1}
    assert _stake(alice.address) == 5 * 10**6
    assert _metric(client, "stake_vault", "lagging_node").endswith(" 1.0")

    proxy.head = proxy.hide_above = None  # the node catches up: the stream carries on where it was
    chain.mine(2)
    _retry_now()
    chain.index(JsonRpc(proxy.url))
    stream.refresh_from_db()
    assert (stream.last_block_number, stream.reorgs) == (chain.head(), 0)
    assert _stake(alice.address) == 5 * 10**6


def test_a_head_that_goes_back_is_a_lagging_node_even_above_the_cursor(chain, proxy, settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 3
    chain.mine(6)
    chain.index()
    stream = chain.stream("stake_vault")
    head = stream.last_head
    assert stream.last_block_number == head - 3
    proxy.head = head - 1  # still above the cursor, but below a head this stream already saw

    result = index_step(stream.id, rpc=JsonRpc(proxy.url))

    assert result.status == "rpc_error" and "below block" in result.detail
    stream.refresh_from_db()
    assert stream.last_head == head and stream.rpc_errors == {"lagging_node": 1}


def test_a_range_the_node_has_no_blocks_for_stores_no_empty_hash(chain, proxy):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 7 * 10**6)
    chain.mine(3)  # empty blocks: nothing in them would catch a missing hash
    stream = chain.stream("stake_vault")
    before = (stream.next_block, stream.last_block_number, stream.last_block_hash)
    proxy.hide_above = chain.head() - 2  # eth_blockNumber says head, the blocks at the top aren't there yet

    result = index_step(stream.id, rpc=JsonRpc(proxy.url))

    assert result.status == "rpc_error" and result.detail.startswith("lagging_node")
    stream.refresh_from_db()
    assert (stream.next_block, stream.last_block_number, stream.last_block_hash) == before
    assert not ChainEvent.objects.filter(stream=stream).exists()
    proxy.hide_above = None
    _retry_now()
    chain.index(JsonRpc(proxy.url))
    stream.refresh_from_db()
    assert stream.last_block_hash and not StreamBlock.objects.filter(hash="").exists()
    assert stream.reorgs == 0 and _stake(alice.address) == 7 * 10**6


def test_another_chain_is_never_ingested(chain, proxy, client):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 3 * 10**6)
    proxy.chain_id = 8453  # a wrong AGORA_RPC_URL: the same contract address may well exist there
    stream = chain.stream("stake_vault")

    with capture_logs() as logs:
        result = index_step(stream.id, rpc=JsonRpc(proxy.url))

    assert result.status == "rpc_error" and result.detail.startswith("wrong_chain")
    assert "chain 8453" in result.detail and "31337" in result.detail
    assert any(e["event"] == "indexer_wrong_chain" and e["log_level"] == "error" and e["rpc_chain_id"] == 8453
               for e in logs)
    stream.refresh_from_db()
    assert not ChainEvent.objects.exists() and stream.last_block_number is None and stream.last_head is None
    assert stream.rpc_errors == {"wrong_chain": 1} and stream.retry_at is not None and not stream.halted
    assert _metric(client, "stake_vault", "wrong_chain").endswith(" 1.0")
    assert index_step(stream.id, rpc=JsonRpc(proxy.url)).status == "backoff"  # not hammered meanwhile

    proxy.chain_id = None  # the URL is fixed: the stream resumes by itself
    _retry_now()
    chain.index(JsonRpc(proxy.url))
    assert _stake(alice.address) == 3 * 10**6


def test_a_cursor_reset_never_stores_an_empty_hash(chain, proxy):
    chain.mine(4)
    chain.index()
    stream = chain.stream("stake_vault")
    before = (stream.next_block, stream.last_block_number, stream.last_block_hash)
    StreamBlock.objects.filter(stream=stream).delete()  # pruned: the reset must ask the node
    proxy.hide_above = stream.start_block

    with pytest.raises(RpcError, match="lagging_node"):
        stream_cursor_reset(stream_id=stream.id, to_block=stream.start_block + 3, actor="test",
                            rpc=JsonRpc(proxy.url))

    stream.refresh_from_db()
    assert (stream.next_block, stream.last_block_number, stream.last_block_hash) == before
