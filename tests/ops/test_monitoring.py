"""The Prometheus files in deploy/prometheus: promtool accepts the config and the rules and passes the rules'
unit tests; every metric an expression names is one the app exports; every exported agora_* metric and every
alert is documented in docs/monitoring.md."""
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.stack import ROOT

PROMETHEUS = ROOT / "deploy" / "prometheus"
DOC = (ROOT / "docs" / "monitoring.md").read_text()
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")
PROMQL_WORDS = {"sum", "rate", "increase", "max", "min", "by", "histogram_quantile", "le", "instance", "stream",
                "route", "status", "job", "time", "and", "or", "on"}


def _promtool(*args) -> subprocess.CompletedProcess:
    assert shutil.which("promtool"), "promtool is missing: run scripts/ensure-ops-tools.sh (make test does)"
    return subprocess.run(["promtool", *args], cwd=PROMETHEUS, capture_output=True, text=True)


def test_promtool_accepts_the_config_and_the_rules_and_their_unit_tests():
    checked = _promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout and "rules found" in checked.stdout
    tested = _promtool("test", "rules", "agora-rules.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def _rules() -> list[dict]:
    groups = yaml.safe_load((PROMETHEUS / "agora-rules.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


@pytest.fixture
def exported(db, client) -> set[str]:
    client.get("/api/v1/jobs")  # so the request histogram has samples
    text = client.get("/metrics").content.decode()
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(family.name + "_total")
        if family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_count", "_sum"))
    return names


def test_every_expression_names_metrics_the_app_exports(exported):
    for rule in _rules():
        expr = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^]]*\]', " ", rule["expr"])  # drop matchers, strings and ranges
        names = {word for word in re.findall(r"[a-z_][a-z0-9_]*", expr) if word not in PROMQL_WORDS}
        unknown = {name for name in names if name != "up" and name not in exported}
        assert not unknown, f"{rule['alert']} names metrics the app does not export: {unknown}"
        assert rule["labels"]["severity"] in ("page", "warning", "info")
        assert rule["annotations"]["runbook"].startswith("docs/runbook.md#")


def test_every_exported_metric_and_every_alert_is_documented(exported):
    families = {name for name in exported if name.startswith("agora_") and not name.endswith(SUFFIXES[:3])}
    for name in families:
        base = name.removesuffix("_created")
        assert f"`{base}`" in DOC or f"`{base}_total`" in DOC or f"`{base.removesuffix('_total')}`" in DOC, \
            f"{name} is exported but not documented in docs/monitoring.md"
    for rule in _rules():
        assert f"`{rule['alert']}`" in DOC, f"alert {rule['alert']} is not in docs/monitoring.md"


def test_every_runbook_link_of_an_alert_exists():
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")
               for title in re.findall(r"^#+ (.+)$", runbook, flags=re.M)}
    for rule in _rules():
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor in anchors, f"{rule['alert']}: docs/runbook.md has no section #{anchor}"
