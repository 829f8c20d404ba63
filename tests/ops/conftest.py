import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.ops.stack import Stack


@pytest.fixture(scope="session")
def stack():
    """One deployment for every distributed test and drill in the session (starting one takes ~15 s). Each drill
    leaves it whole again; the drills that destroy things run last (tests/ops/drills sorts after distributed)."""
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
