"""Run Python in a fresh interpreter: for settings, start-up and outage checks that must not
share this test process's Django configuration."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python ARGS…`` in the project folder with exactly ``env``; output captured as text."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def last_json_line(result: subprocess.CompletedProcess):
    """The JSON a probe printed last on stdout, after checking it exited cleanly."""
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
