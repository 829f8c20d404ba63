"""What every drill shares: outage lengths as parameters, and a report of what it did and what it checked.

CI runs each drill with outages of a few seconds; `make drills` sets the lengths the issue names (a minute of
RPC outage, longer database and Redis outages). The output of the last `make drills` is in docs/drills.md."""
import os
import time


def seconds(name: str, ci_default: float) -> float:
    return float(os.environ.get(name, ci_default))


class Report:
    def __init__(self, title: str):
        self.started = time.monotonic()
        print(f"\n=== drill: {title}")

    def did(self, text: str) -> None:
        print(f"  [{time.monotonic() - self.started:6.1f}s] did:     {text}", flush=True)

    def checked(self, text: str) -> None:
        print(f"  [{time.monotonic() - self.started:6.1f}s] checked: {text}", flush=True)
