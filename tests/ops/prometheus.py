"""A real Prometheus (Debian's package) scraping a stack's web processes every second with the shipped alert
rules (deploy/prometheus/agora-rules.yml), so a drill can watch an alert go pending and clear."""
import subprocess
import time
from pathlib import Path

import requests
import yaml

from apps.common.devchain import free_port
from tests.ops.stack import ROOT, Service, wait_for


class Prometheus:
    def __init__(self, stack, base: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        base.mkdir(parents=True, exist_ok=True)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(ROOT / "deploy" / "prometheus" / "agora-rules.yml")],
            "scrape_configs": [{"job_name": "agora", "metrics_path": "/metrics", "static_configs": [
                {"targets": [f"127.0.0.1:{port}" for port in stack.web_ports]}]}],
        }
        (base / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.service = Service("prometheus", [
            "prometheus", f"--config.file={base / 'prometheus.yml'}", f"--storage.tsdb.path={base / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"], env={"PATH": "/usr/bin:/bin"},
            logs=stack.logs, cwd=base)

    def start(self) -> "Prometheus":
        assert subprocess.run(["which", "prometheus"], capture_output=True).returncode == 0, \
            "prometheus is missing: run scripts/ensure-ops-tools.sh (make test does)"
        self.service.start()
        wait_for(lambda: requests.get(self.url + "/-/ready", timeout=2).status_code == 200, timeout=30,
                 what="prometheus ready")
        return self

    def stop(self) -> None:
        self.service.stop()

    def query(self, expr: str) -> list[dict]:
        return requests.get(self.url + "/api/v1/query", params={"query": expr}, timeout=5).json()["data"]["result"]

    def alerts(self, name: str) -> list[dict]:
        alerts = requests.get(self.url + "/api/v1/alerts", timeout=5).json()["data"]["alerts"]
        return [a for a in alerts if a["labels"]["alertname"] == name]

    def wait_targets_up(self, count: int) -> None:
        wait_for(lambda: len([r for r in self.query('up{job="agora"} == 1')]) == count, timeout=30,
                 what=f"{count} targets up")
        time.sleep(2)  # a couple of rule evaluations on fresh data
