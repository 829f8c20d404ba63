import pytest

from apps.onchain.deployment import deploy_suite
from tests.chain import start_anvil


@pytest.fixture(scope="session")
def anvil():
    node = start_anvil()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def suite(anvil):
    """The three contracts plus a mock USDC, deployed once per session by the deploy code itself."""
    deployer, owner, slasher = anvil.accounts[0], anvil.accounts[1], anvil.accounts[2]
    data = deploy_suite(w3=anvil.w3, deployer_key=deployer.key, owner=owner.address, slasher=slasher.address,
                        with_mock_usdc=True, progress=lambda _msg: None)
    return {"data": data, "deployer": deployer, "owner": owner, "slasher": slasher}


@pytest.fixture
def snapshot(anvil):
    """Each test that changes chain state runs inside an evm_snapshot it reverts afterwards."""
    snap = anvil.w3.provider.make_request("evm_snapshot", [])["result"]
    yield
    anvil.w3.provider.make_request("evm_revert", [snap])
