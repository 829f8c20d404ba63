import json
import time

import pytest
from django.core.management import CommandError, call_command
from web3 import Web3


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
])
def test_deploy_rejects_bad_options_clearly(anvil, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("deploy_contracts", "--rpc-url", anvil.url, "--out", str(tmp_path / "d.json"), *args)


def test_deploy_reports_an_unreachable_rpc(tmp_path):
    with pytest.raises(CommandError, match="cannot reach"):
        call_command("deploy_contracts", "--rpc-url", "http://127.0.0.1:1", "--with-mock-usdc",
                     "--out", str(tmp_path / "d.json"))
