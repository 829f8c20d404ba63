import json
import time

import pytest
from django.core.management import CommandError, call_command
from web3 import Web3

from apps.common.chain_client import contract, send
from apps.onchain.deployment import resolve_unbonding_period


def test_deploy_contracts_writes_a_deployment_file(anvil, tmp_path, capsys):
    out = tmp_path / "deployment.json"
    owner, slasher, funded = anvil.accounts[1].address, anvil.accounts[2].address, anvil.accounts[3].address
    started = time.monotonic()
    call_command("deploy_contracts", "--rpc-url", anvil.url, "--owner", owner, "--slasher", slasher,
                 "--with-mock-usdc", "--fund", funded, "--out", str(out))
    elapsed = time.monotonic() - started
    data = json.loads(out.read_text())
    assert data["chain_id"] == 31337 and data["owner"] == owner.lower() and data["slasher"] == slasher.lower()
    assert set(data["contracts"]) == {"MockUSDC", "StakeVault", "TreasuryVault", "AnchorRegistry"}
    for info in data["contracts"].values():
        assert anvil.w3.eth.get_code(Web3.to_checksum_address(info["address"]))
    assert data["usdc_address"] == data["contracts"]["MockUSDC"]["address"]
    assert data["unbonding_period"] == 0 and data["pending_owner_acceptance"] == []  # anvil: immediate withdrawals
    printed = capsys.readouterr().out
    assert "deployed StakeVault" in printed and "deployment written" in printed
    print(f"deploy_contracts on anvil took {elapsed:.2f}s")


def test_deploy_refuses_to_overwrite_another_chain_without_force(anvil, tmp_path):
    out = tmp_path / "deployment.json"
    out.write_text(json.dumps({"chain_id": 8453, "contracts": {}}))
    with pytest.raises(CommandError, match="--force"):
        call_command("deploy_contracts", "--rpc-url", anvil.url, "--with-mock-usdc", "--out", str(out))
    assert json.loads(out.read_text())["chain_id"] == 8453  # untouched, and no gas was spent first
    call_command("deploy_contracts", "--rpc-url", anvil.url, "--with-mock-usdc", "--out", str(out), "--force")
    assert json.loads(out.read_text())["chain_id"] == 31337


@pytest.mark.parametrize("args, message", [
    (["--owner", "0xnope", "--with-mock-usdc"], "owner"),
    (["--usdc", "0x12"], "usdc"),
    ([], "USDC address"),
    (["--fund", "0x" + "1" * 40, "--usdc", "0x" + "2" * 40], "--fund needs --with-mock-usdc"),
    (["--with-mock-usdc", "--unbonding-period", str(30 * 24 * 3600 + 1)], "unbonding period must be"),
    (["--with-mock-usdc", "--unbonding-period", "-1"], "unbonding period must be"),
])
def test_deploy_rejects_bad_options_clearly(anvil, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("deploy_contracts", "--rpc-url", anvil.url, "--out", str(tmp_path / "d.json"), *args)


def test_deploy_reports_an_unreachable_rpc(tmp_path):
    with pytest.raises(CommandError, match="cannot reach"):
        call_command("deploy_contracts", "--rpc-url", "http://127.0.0.1:1", "--with-mock-usdc",
                     "--out", str(tmp_path / "d.json"))


def test_unbonding_period_defaults_to_a_week_off_dev_chains():
    assert resolve_unbonding_period(8453, None) == 7 * 24 * 3600
    assert resolve_unbonding_period(1, None) == 7 * 24 * 3600
    assert resolve_unbonding_period(31337, None) == 0 and resolve_unbonding_period(1337, None) == 0
    assert resolve_unbonding_period(8453, 0) == 0  # told otherwise
    assert resolve_unbonding_period(31337, 3600) == 3600


def test_deploy_with_a_period_for_another_owner_leaves_an_acceptance_that_check_deployment_shows(
        anvil, tmp_path, capsys, settings):
    out = tmp_path / "deployment.json"
    owner = anvil.accounts[1]
    call_command("deploy_contracts", "--rpc-url", anvil.url, "--owner", owner.address, "--with-mock-usdc",
                 "--unbonding-period", "3600", "--out", str(out))
    data = json.loads(out.read_text())
    assert data["unbonding_period"] == 3600 and data["pending_owner_acceptance"] == ["StakeVault"]
    printed = capsys.readouterr().out
    assert f"ACTION NEEDED: {owner.address.lower()} must call acceptOwnership() on StakeVault" in printed
    stake = contract(anvil.w3, "StakeVault", data["contracts"]["StakeVault"]["address"])
    assert stake.functions.unbondingPeriod().call() == 3600

    settings.AGORA_DEPLOYMENT_FILE = str(out)
    call_command("check_deployment")
    printed = capsys.readouterr().out
    assert "Unbonding      3600s" in printed
    assert f"PENDING OWNER  StakeVault: {owner.address.lower()} must call acceptOwnership()" in printed
    send(anvil.w3, owner, stake.functions.acceptOwnership())
    call_command("check_deployment")
    printed = capsys.readouterr().out
    assert "Unbonding      3600s" in printed and "PENDING OWNER" not in printed
