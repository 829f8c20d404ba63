import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.ops.stack import Stack


@pytest.fixture(scope="package")
def stack():
    """One deployment for every distributed test and drill (starting one takes ~15 s), stopped once the last
    test under tests/ops is done. Each drill leaves it whole again; the drills run after the distributed tests
    (tests/ops/drills sorts after tests/ops/distributed), the backup drill last."""
    base = Path(tempfile.mkdtemp(prefix="agora-ops-"))
    os.chmod(base, 0o755)  # the cluster runs as the postgres user, which must reach its data directory
    deployment = Stack(base)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()
        if os.environ.get("AGORA_KEEP_STACK"):
            print(f"stack kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
