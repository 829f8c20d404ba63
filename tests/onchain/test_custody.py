"""`check_deployment --safe-threshold N`: the Safe key checklist verified on chain in one command, against real
Safe 1.4.1 proxies on anvil."""
import json

import pytest
from django.core.management import CommandError, call_command

from apps.common.chain_client import contract
from tests.onchain.safe import deploy_safe, deploy_safe_infra, safe_exec


@pytest.fixture
def safes(anvil, snapshot):
    infra = deploy_safe_infra(anvil.w3, anvil.accounts[0])
    signers = anvil.accounts[3:6]
    two_of_three = deploy_safe(anvil.w3, anvil.accounts[0], infra, [a.address for a in signers], 2)
    one_of_one = deploy_safe(anvil.w3, anvil.accounts[0], infra, [signers[0].address], 1, salt_nonce=1)
    # a Safe one of whose owners is the deployer: anvil's default key, the one deploy_contracts used
    with_deployer = deploy_safe(anvil.w3, anvil.accounts[0], infra, [anvil.accounts[0].address, signers[1].address],
                                2, salt_nonce=2)
    return {"safe": two_of_three, "weak": one_of_one, "deployer_owned": with_deployer, "signers": signers}


def _deploy(anvil, tmp_path, settings, owner, slasher=None, *extra):
    out = tmp_path / f"deployment-{owner[-6:]}.json"
    call_command("deploy_contracts", "--rpc-url", anvil.url, "--owner", owner, "--slasher", slasher or owner,
                 "--with-mock-usdc", "--out", str(out), "--force", *extra)
    settings.AGORA_DEPLOYMENT_FILE = str(out)
    settings.AGORA_RPC_URL = anvil.url
    return json.loads(out.read_text())


def _problems(*args) -> str:
    with pytest.raises(CommandError) as failed:
        call_command("check_deployment", *args)
    return str(failed.value)


def test_a_two_of_three_safe_in_every_role_passes(anvil, tmp_path, settings, safes, capsys, monkeypatch):
    monkeypatch.delenv("AGORA_DEPLOYER_KEY", raising=False)
    safe = safes["safe"].address.lower()
    _deploy(anvil, tmp_path, settings, safe)
    call_command("check_deployment", "--safe-threshold", "2", "--safe", safe)
    printed = capsys.readouterr().out
    owners = ", ".join(a.address.lower() for a in safes["signers"])
    assert f"Safe           {safe}: 2 of 3 ({owners})" in printed
    assert "owner of StakeVault, slasher of StakeVault, owner of TreasuryVault, owner of AnchorRegistry" in printed
    assert "Custody        ok: every role is a Safe of at least 2" in printed
    # asking for more signatures than the Safe needs fails, naming the Safe
    assert f"Safe {safe} needs 2 signature(s); the checklist asks for at least 3" in _problems("--safe-threshold", "3")
    # another Safe than the expected one
    assert "not the expected" in _problems("--safe-threshold", "2", "--safe", safes["weak"].address)
    # a private key in this machine's environment is a hot key
    monkeypatch.setenv("AGORA_DEPLOYER_KEY", "0x" + "11" * 32)
    assert "AGORA_DEPLOYER_KEY is set in this environment" in _problems("--safe-threshold", "2")


def test_keys_weak_safes_and_deployer_owned_safes_fail(anvil, tmp_path, settings, safes, monkeypatch):
    monkeypatch.delenv("AGORA_DEPLOYER_KEY", raising=False)
    key_owner = anvil.accounts[1].address.lower()
    _deploy(anvil, tmp_path, settings, key_owner, safes["safe"].address)
    problems = _problems("--safe-threshold", "2")
    assert f"{key_owner} (owner of StakeVault, owner of TreasuryVault, owner of AnchorRegistry) is a key, not a Safe" \
        in problems and "slasher of StakeVault" not in problems.split("is a key")[0]
    weak = safes["weak"].address.lower()
    _deploy(anvil, tmp_path, settings, weak)
    assert f"Safe {weak} needs 1 signature(s)" in _problems("--safe-threshold", "2")
    owned = safes["deployer_owned"].address.lower()
    data = _deploy(anvil, tmp_path, settings, owned)
    assert f"the deployer {data['deployer']} is an owner of Safe {owned}" in _problems("--safe-threshold", "2")
    # a contract that is not a Safe (here the mock USDC) fails as such
    _deploy(anvil, tmp_path, settings, safes["safe"].address, data["usdc_address"])
    assert "is a contract that is not a Safe" in _problems("--safe-threshold", "2")


def test_a_pending_handover_fails_until_the_safe_accepts(anvil, tmp_path, settings, safes, capsys, monkeypatch):
    monkeypatch.delenv("AGORA_DEPLOYER_KEY", raising=False)
    safe = safes["safe"]
    # with an unbonding period the deployer owns the vault first and proposes the Safe (two-step)
    data = _deploy(anvil, tmp_path, settings, safe.address, None, "--unbonding-period", "3600")
    problems = _problems("--safe-threshold", "2")
    assert "StakeVault: ownership handover" in problems and f"the deployer {data['deployer']} still holds" in problems
    vault = contract(anvil.w3, "StakeVault", data["contracts"]["StakeVault"]["address"])
    safe_exec(anvil.w3, safe, safes["signers"][:2], vault.address, vault.encode_abi("acceptOwnership", []), 0)
    call_command("check_deployment", "--safe-threshold", "2")
    assert "Custody        ok" in capsys.readouterr().out
