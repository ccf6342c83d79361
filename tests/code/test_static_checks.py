"""scripts/static_checks.sh bandit: 0 findings of medium severity or above in proposals/ that
are not justified in place (`# nosec BXXX  # reason`), and no bare `# nosec`."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "static_checks.sh")


def test_bandit_finds_nothing_unjustified():
    env = dict(os.environ, PYTHON=sys.executable)
    result = subprocess.run(
        ["bash", SCRIPT, "bandit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 findings of medium severity or above" in result.stdout
