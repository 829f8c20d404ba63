"""deploy/nginx (agora.conf with upstream.conf), run for real in front of the two web processes: TLS ends at
nginx, both web processes get traffic, the request id passes through, and with AGORA_TRUSTED_PROXY_COUNT=1 a
client cannot dodge its rate limit by sending its own X-Forwarded-For."""
import re
import subprocess
import time
import uuid

import pytest
import requests

from apps.common.devchain import free_port
from tests.ops.people import wait_for_window
from tests.ops.stack import ROOT, Service, wait_for

# a self-signed certificate made for the test
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]
NGINX = ROOT / "deploy" / "nginx"


class FromAddress(requests.adapters.HTTPAdapter):
    """Connect from another loopback address: nginx then sees another client (its own per-IP limits)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address: str) -> requests.Session:
    http = requests.Session()
    http.mount("https://", FromAddress(address))
    return http


@pytest.fixture(scope="module")
def proxy(stack):
    base = stack.base / "nginx"
    base.mkdir(exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(base / "agora.key"), "-out", str(base / "agora.crt")], check=True,
                   capture_output=True)
    http_port, https_port = free_port(), free_port()
    site = (NGINX / "agora.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("/etc/nginx/certs/", f"{base}/")
    upstream = (NGINX / "upstream.conf").read_text()
    upstream = upstream.replace("127.0.0.1:8000", f"127.0.0.1:{stack.web_ports[0]}")
    upstream = upstream.replace("127.0.0.1:8001", f"127.0.0.1:{stack.web_ports[1]}")
    (base / "agora.conf").write_text(site)
    (base / "upstream.conf").write_text(upstream)
    temp = "".join(f"{kind}_temp_path {base}/{kind}; " for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (base / "nginx.conf").write_text(
        f"worker_processes 1; daemon off; pid {base}/nginx.pid; error_log {base}/error.log warn;\n"
        "events {}\n"
        f"http {{ access_log off; {temp}\n include {base}/upstream.conf;\n include {base}/agora.conf;\n}}\n")
    checked = subprocess.run(["nginx", "-t", "-c", str(base / "nginx.conf")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = Service("nginx", ["nginx", "-c", str(base / "nginx.conf")], env={"PATH": "/usr/sbin:/usr/bin:/bin"},
                    logs=stack.logs).start()
    https = f"https://127.0.0.1:{https_port}"
    wait_for(lambda: requests.get(https + "/healthz", verify=False, timeout=2).status_code == 200, timeout=20,
             what="nginx up")
    yield {"http": f"http://127.0.0.1:{http_port}", "https": https}
    nginx.stop()


def test_tls_ends_at_nginx_and_both_web_processes_serve(stack, proxy):
    assert requests.get(proxy["http"] + "/healthz", timeout=5).text == "ok"  # plain HTTP health checks work
    redirected = requests.get(proxy["http"] + "/api/v1/jobs", allow_redirects=False, timeout=5)
    assert redirected.status_code == 301 and redirected.headers["Location"].startswith("https://")
    assert requests.get(proxy["https"] + "/metrics", verify=False, timeout=5).status_code == 404
    ids = [f"proxy-{uuid.uuid4().hex[:12]}" for _ in range(12)]
    for request_id in ids:
        response = requests.get(proxy["https"] + "/api/v1/jobs", headers={"X-Request-ID": request_id}, verify=False,
                                timeout=10)
        assert response.status_code == 200 and response.headers["X-Request-ID"] == request_id
    served = {web: sum(stack.services[web].log().count(f'"{request_id}"') > 0 for request_id in ids)
              for web in ("web0", "web1")}
    assert served["web0"] + served["web1"] == len(ids) and served["web0"] > 0 and served["web1"] > 0, served
    print(f"through nginx over TLS: {served} requests per web process, request ids passed through")


def test_a_client_cannot_dodge_its_limit_with_its_own_forwarded_for(stack, proxy):
    limit = int(stack.env["AGORA_RATE_LIMIT_PER_MIN"])
    http = client_at("127.0.0.2")
    wait_for_window()
    codes = [http.get(proxy["https"] + "/api/v1/jobs", headers={"X-Forwarded-For": f"203.0.113.{n % 250}"},
                      verify=False, timeout=10).status_code for n in range(limit + 3)]
    assert codes[:limit] == [200] * limit and set(codes[limit:]) == {429}
    print(f"a client sending a new X-Forwarded-For each time got its 429 after {limit} requests (its real address)")


def test_the_example_upstream_matches_the_systemd_web_instances():
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", (NGINX / "upstream.conf").read_text())
    units = (ROOT / "deploy" / "systemd" / "agora-web@.service").read_text()
    assert ports == ["8000", "8001"] and "agora-web@8000 agora-web@8001" in units


def test_a_rolling_reload_of_the_web_processes_drops_no_request(stack, proxy):
    """The deploy step `systemctl reload agora-web@PORT` (SIGHUP: gunicorn starts new workers on the new code and
    lets the old ones finish), one web process after the other, while a client keeps calling through nginx."""
    import os
    import signal
    import threading

    statuses, stop = [], threading.Event()

    def client():
        clients = [client_at(f"127.0.0.{n}") for n in range(10, 20)]  # each well under its per-IP limit
        while not stop.wait(0.05):
            try:
                http = clients[len(statuses) % len(clients)]
                statuses.append(http.get(proxy["https"] + "/api/v1/jobs?limit=1", verify=False, timeout=30).status_code)
            except requests.RequestException as exc:
                statuses.append(type(exc).__name__)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    workers = int(stack.env["WEB_CONCURRENCY"])
    wait_for(lambda: len(statuses) >= 5, timeout=30, what="requests flowing")
    started = time.monotonic()
    for web in ("web0", "web1"):
        offset = len(stack.services[web].log())
        os.kill(stack.services[web].proc.pid, signal.SIGHUP)  # the master only, as `systemctl reload` does
        # done when every old worker has finished and exited (the new ones booted before they were told to)
        wait_for(lambda w=web, o=offset: stack.services[w].log()[o:].count("Worker exiting") >= workers,
                 timeout=90, what=f"{web} reloaded")
        stack.wait_web(int(web[-1]))
    time.sleep(1)
    stop.set()
    thread.join(timeout=30)
    took = time.monotonic() - started
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    print(f"rolling reload of web0 then web1 in {took:.1f} s: {len(statuses)} requests through nginx, all 200")


def test_a_dead_web_process_is_routed_around_then_restarted(stack, proxy):
    """The runbook's "a web process is down": nginx keeps serving from the other one meanwhile, and a restart
    (`systemctl restart agora-web@PORT`, here the same command started again) brings it back into rotation."""
    import signal

    stack.services["web0"].stop(signal.SIGKILL)
    http = client_at("127.0.0.3")
    codes = [http.get(proxy["https"] + "/api/v1/jobs?limit=1", verify=False, timeout=30).status_code
             for _ in range(10)]
    assert codes == [200] * 10  # nginx retried the dead one's share on web1
    stack.start_web(0)
    offset = len(stack.services["web0"].log())  # after start_web's own /readyz calls

    def web0_serves():  # nginx tries a failed server again after fail_timeout (10 s)
        assert http.get(proxy["https"] + "/api/v1/jobs?limit=1", verify=False, timeout=30).status_code == 200
        return '"GET /api/v1/jobs' in stack.services["web0"].log()[offset:]
    wait_for(web0_serves, timeout=30, every=0.2, what="web0 back in rotation")
    print("web0 killed: 10 of 10 requests through nginx served by web1; web0 restarted and serving again")
