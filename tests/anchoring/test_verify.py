"""agora_sdk.verify against a real server and a real chain: a confirmed anchor passes every check, and each
kind of tampering fails the check that is meant to catch it. Fixtures: tests/anchoring/conftest.py."""
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command

from agora_sdk import AgoraClient
from agora_sdk.anchoring import snapshot_records
from agora_sdk.verify import CHECKS, dump_proof, verify_receipt, verify_record_proof
from apps.common.chain_client import deploy, send
from apps.jobs.models import AnchorBatch
from apps.onchain.anchoring import anchor_file_names, anchor_storage
from tests.chain import free_port
from tests.conftest import create_job
from tests.onchain.safe import deploy_safe, deploy_safe_infra, safe_exec

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NODE_SCRIPT = Path(__file__).with_name("oz_verify.mjs")


def _verify(a, **kwargs):
    return verify_receipt(base_url=a.base_url, job_id=a.job_id, rpc_url=a.rpc_url, **kwargs)


def _names(result):
    return [name for name, _, _ in result.checks]


def _rewrite(name, change):
    """Change a stored anchor file in place, as an attacker with the storage (or a bad CDN) could."""
    storage = anchor_storage()
    with storage.open(name, "rb") as handle:
        body = change(handle.read())
    Path(storage.path(name)).write_bytes(body)


def test_a_confirmed_anchor_verifies_for_every_record_and_for_one(anchored, sponsor):
    everything = _verify(anchored)
    assert everything.ok and everything.failed is None, everything.checks
    assert _names(everything) == [name for name in CHECKS if name != "owner"]  # owner only when asked
    assert all(passed for _, passed, _ in everything.checks)
    assert dict((n, d) for n, _, d in everything.checks)["proof"] == "6 proof(s) verified"  # topic, 2+2, result

    one = AgoraClient(anchored.base_url).verify_receipt(anchored.job_id, rpc_url=anchored.rpc_url,
                                                       record_id=anchored.votes[1]["id"])
    assert one.ok and dict((n, d) for n, _, d in one.checks)["proof"] == "1 proof(s) verified"

    missing = _verify(anchored, record_id="00000000-0000-0000-0000-000000000001")
    assert not missing.ok and missing.failed == "proof" and "no record" in missing.checks[-1][2]

    still_open = create_job(sponsor)
    unanchored = verify_receipt(base_url=anchored.base_url, job_id=still_open["id"], rpc_url=anchored.rpc_url)
    assert unanchored.failed == "anchored" and "not anchored" in unanchored.checks[0][2]


def test_the_cli_and_the_management_command(anchored):
    # The agora-verify script in .venv points at the main checkout: run this worktree's module instead.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "sdk" / "python"),
                                                        os.environ.get("PYTHONPATH", "")])}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "agora_sdk.cli", *args], capture_output=True, text=True,
                              env=env, timeout=120)

    passed = cli(anchored.base_url, anchored.job_id, "--rpc", anchored.rpc_url)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    lines = passed.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["ok", n] for n in CHECKS if n != "owner"]
    assert lines[-1] == "verified"

    too_deep = cli(anchored.base_url, anchored.job_id, "--rpc", anchored.rpc_url, "--confirmations", "1000")
    assert too_deep.returncode == 1 and too_deep.stdout.splitlines()[-1] == "FAILED: finality"
    bad_args = cli(anchored.base_url, "not-a-uuid", "--rpc", anchored.rpc_url)
    assert bad_args.returncode == 2 and "UUID" in bad_args.stderr
    nobody = cli(f"http://127.0.0.1:{free_port()}", anchored.job_id, "--rpc", anchored.rpc_url)
    assert nobody.returncode == 2 and "could not fetch the topic" in nobody.stderr
    for run in (too_deep, bad_args, nobody):
        assert "Traceback" not in run.stdout + run.stderr

    out = _call("verify_anchor", anchored.job_id)  # base URL from AGORA_BASE_URL, RPC from AGORA_RPC_URL
    assert out.splitlines()[-1] == "verified" and "ok   event" in out
    with pytest.raises(CommandError, match="check finality failed"):
        _call("verify_anchor", anchored.job_id, "--confirmations", "1000")
    with pytest.raises(CommandError, match="check owner failed"):
        _call("verify_anchor", anchored.job_id, "--owner", "0x" + "12" * 20)


def _call(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_one_changed_byte_in_the_snapshot_fails_snapshot_hash(anchored):
    snapshot_name, _ = anchor_file_names(anchored.job_id)

    def one_byte(body):
        changed = body.replace(b'"content":"second', b'"content":"secone', 1)
        assert len(changed) == len(body) and changed != body
        return changed

    _rewrite(snapshot_name, one_byte)
    result = _verify(anchored)
    assert result.failed == "snapshot_hash" and _names(result) == ["anchored", "snapshot_hash"]


def test_a_changed_sibling_fails_proof(anchored):
    # The lower-level check, on what the proof API serves for one record.
    body = requests.get(f"{anchored.base_url}/api/v1/jobs/{anchored.job_id}/proofs/"
                        f"{anchored.submissions[0]['id']}", timeout=10).json()
    args = dict(root=anchored.anchor.anchor_root, kind=body["kind"], topic_id=anchored.job_id,
                record_id=body["record_id"], record=body["record"], salt=body["leaf"][4], proof=body["proof"])
    assert verify_record_proof(**args)
    changed = [*body["proof"][:-1], body["proof"][-1][:-1] + ("0" if body["proof"][-1][-1] != "0" else "1")]
    assert not verify_record_proof(**{**args, "proof": changed})
    assert not verify_record_proof(**{**args, "record": {**body["record"], "content": "other"}})

    # The dump serves the same proof; change one internal node of it and verify_receipt's proof check fails
    # while the root (rebuilt from the leaves) still holds.
    _, tree_name = anchor_file_names(anchored.job_id)
    with anchor_storage().open(tree_name, "rb") as handle:
        dump = json.load(handle)
    index = next(e["treeIndex"] for e in dump["values"] if e["value"][2].endswith(body["record_id"].replace("-", "")))
    assert dump_proof(dump, index) == body["proof"]
    sibling = index + 1 if index % 2 else index - 1
    dump["tree"][sibling] = "0x" + "ee" * 32
    _rewrite(tree_name, lambda _old: json.dumps(dump).encode())
    result = _verify(anchored)
    assert result.failed == "proof" and "does not lead to the root" in result.checks[-1][2]
    assert ("root", True) in [(n, p) for n, p, _ in result.checks]


def test_a_root_the_api_misreports_fails_root(anchored):
    AnchorBatch.objects.filter(pk=anchored.anchor.pk).update(anchor_root="0x" + "ab" * 32)
    result = _verify(anchored)
    assert result.failed == "root" and "0x" + "ab" * 32 in result.checks[-1][2]


def test_the_anchor_must_be_deep_enough(anchored):
    assert _verify(anchored, confirmations=1).failed == "finality"
    anchored.harness.mine(5)
    assert _verify(anchored, confirmations=5).ok
    assert _verify(anchored, confirmations=6).failed == "finality"


def _point_anchor_at(anchor, registry, receipt):
    log = next(x for x in receipt["logs"] if x["address"].lower() == registry.address.lower())
    AnchorBatch.objects.filter(pk=anchor.pk).update(
        anchor_tx_hash="0x" + receipt["transactionHash"].hex().removeprefix("0x"),
        anchor_contract_address=registry.address.lower(), anchor_block_number=receipt["blockNumber"],
        anchor_log_index=log["logIndex"])


def _post_args(anchor):
    return [bytes.fromhex(anchor.anchor_root[2:]), anchor.anchor_uri, anchor.schema_version,
            bytes.fromhex(anchor.salt[2:])]


def test_the_registry_must_be_owned_by_the_expected_safe_when_it_posted(anchored):
    h, anchor = anchored.harness, anchored.anchor
    # anchor_post_dev posted from the owner key: a single key is not a Safe, and a stranger is not the owner.
    assert _verify(anchored, expected_owner="0x" + "12" * 20).failed == "owner"
    single_key = _verify(anchored, expected_owner=h.owner.address)
    assert single_key.failed == "owner" and "no code" in single_key.checks[-1][2]

    # Ownership moves to a real Safe 1.4.1, which posts the same anchor again.
    signer = h.accounts[5]
    safe = deploy_safe(h.w3, h.deployer, deploy_safe_infra(h.w3, h.deployer), [signer.address], 1)
    send(h.w3, h.owner, h.anchors.functions.transferOwnership(safe.address))
    safe_exec(h.w3, safe, [signer], h.anchors.address, h.anchors.encode_abi("acceptOwnership", []), 0)
    receipt = safe_exec(h.w3, safe, [signer], h.anchors.address,
                        h.anchors.encode_abi("postAnchor", _post_args(anchor)), 0)
    # The first post was by the key: the owner at its block is what counts, not today's owner.
    late = _verify(anchored, expected_owner=safe.address)
    assert late.failed == "owner" and h.owner.address.lower() in late.checks[-1][2]
    _point_anchor_at(anchor, h.anchors, receipt)
    by_safe = _verify(anchored, expected_owner=safe.address)
    assert by_safe.ok, by_safe.checks
    assert by_safe.checks[-1][0] == "owner" and safe.address.lower() in by_safe.checks[-1][2]


def test_an_anchor_on_another_registry_fails_event(anchored):
    # Anyone can deploy an AnchorRegistry and post our root there; the snapshot names the real one.
    h, anchor = anchored.harness, anchored.anchor
    stranger = h.accounts[6]
    address, _ = deploy(h.w3, stranger, "AnchorRegistry", stranger.address)
    other = h.w3.eth.contract(address=h.w3.to_checksum_address(address), abi=h.anchors.abi)
    receipt = send(h.w3, stranger, other.functions.postAnchor(*_post_args(anchor)))
    _point_anchor_at(anchor, other, receipt)
    result = _verify(anchored, expected_owner=stranger.address)
    assert result.failed == "event" and "the snapshot names registry" in result.checks[-1][2]


def test_every_served_proof_verifies_with_openzeppelins_js_library(anchored):
    snapshot = requests.get(anchored.anchor.anchor_uri, timeout=10).json()
    items = []
    for kind, record_id, _ in snapshot_records(snapshot):
        if kind == "result":
            continue  # the API answers the topic's leaf for the topic id; the result is checked via the dump
        body = requests.get(f"{anchored.base_url}/api/v1/jobs/{anchored.job_id}/proofs/{record_id}", timeout=10).json()
        assert body["kind"] == kind
        items.append({"root": anchored.anchor.anchor_root, "leaf": body["leaf"], "proof": body["proof"]})
    dump = requests.get(anchored.anchor.anchor_uri.removesuffix(".json") + ".tree.json", timeout=10).json()
    result_entry = next(e for e in dump["values"] if e["value"][0] == "result")
    items.append({"root": anchored.anchor.anchor_root, "leaf": result_entry["value"],
                  "proof": dump_proof(dump, result_entry["treeIndex"])})
    tampered = {**items[1], "proof": ["0x" + "00" * 32, *items[1]["proof"][1:]]}  # the script must say no
    out = subprocess.run(["node", str(NODE_SCRIPT)], input=json.dumps([*items, tampered]), capture_output=True,
                         text=True, cwd=ROOT, timeout=60, check=True)
    assert json.loads(out.stdout) == [True] * 6 + [False]
