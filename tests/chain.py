"""The anvil helpers tests use live in apps/common/devchain.py (benches use them too)."""
from apps.common.devchain import ROOT, Anvil, free_port, start_anvil

__all__ = ["ROOT", "Anvil", "free_port", "start_anvil"]
