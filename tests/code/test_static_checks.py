"""scripts/static_checks.sh bandit: 0 findings of medium severity or above in proposals/ that
are not justified in place (`# nosec BXXX  # reason`), and no bare `# nosec`."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "static_checks.sh")


# the code is the same whatever the database: the SQLite pass only
@pytest.mark.one_database("sqlite")
def test_bandit_finds_nothing_unjustified():
    env = dict(os.environ, PYTHON=sys.executable)
    result = subprocess.run(
        ["bash", SCRIPT, "bandit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 findings of medium severity or above" in result.stdout
