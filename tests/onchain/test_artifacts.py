"""The checked-in ABI + bytecode must equal a fresh build (CI fails when they drift)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_artifacts_match_a_fresh_build(tmp_path):
    build = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "forge"), "build", "--out", str(tmp_path / "out"),
         "--cache-path", str(tmp_path / "cache")],
        cwd=ROOT / "contracts", capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    export = subprocess.run([sys.executable, "contracts/tools/export_artifacts.py", "--out", str(tmp_path / "out"),
                             "--dest", str(tmp_path / "artifacts")], cwd=ROOT, capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    fresh = sorted(p.name for p in (tmp_path / "artifacts").iterdir())
    assert fresh == sorted(p.name for p in (ROOT / "contracts" / "artifacts").iterdir())
    for name in fresh:
        assert (tmp_path / "artifacts" / name).read_text() == (ROOT / "contracts" / "artifacts" / name).read_text(), \
            f"contracts/artifacts/{name} is stale: run `make contracts`"
