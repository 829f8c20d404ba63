import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_checked_in_openapi_matches_the_code(tmp_path):
    out = tmp_path / "openapi.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={"DJANGO_SETTINGS_MODULE": "agora.settings.test",
                                                         "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text() == (ROOT / "openapi.yaml").read_text(), "openapi.yaml is stale: run `make openapi`"
