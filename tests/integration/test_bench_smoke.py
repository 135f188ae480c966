"""The benchmark harness at its smoke size: `python -m bench --smoke` runs both systems end to
end and writes every measure. Figures are printed, never asserted against targets: a busy
machine must not fail `make test`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import MEASURES
from tests.integration.devstack import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: the smoke run takes well under a minute; this only stops a hang
SMOKE_TIMEOUT_S = 300


def test_bench_smoke_writes_every_measure_for_every_system(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    # Its own process group: on a hang, one kill reaches the server and workers it started.
    bench = subprocess.Popen(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = bench.communicate(timeout=SMOKE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(bench.pid, signal.SIGKILL)
        stdout, stderr = bench.communicate()
        pytest.fail(f"bench --smoke still running after {SMOKE_TIMEOUT_S} s:\n{stdout}{stderr}")
    print(stdout)  # the table, for whoever reads the test log (-s or a failure)
    assert bench.returncode == 0, f"bench failed:\n{stdout}\n{stderr}"
    result = json.loads(out.read_text())
    size = str(result["options"]["sizes"][0])
    for system in ("baseline", "codec", "ours"):
        figures = result["measures"][size][system]
        missing = [m.key for m in MEASURES if figures.get(m.key) is None]
        assert not missing, f"{system}: no figure for {missing}"
    assert set(result["ratios"][size]) == {m.key for m in MEASURES}
    assert set(result["ratios_codec"][size]) == {m.key for m in MEASURES}
    runs = {run["system"]: run for run in result["runs"]}
    for system, run in runs.items():
        reminders = run["reminders"]
        assert reminders["emails_received"] == reminders["emails_expected"], system
        assert reminders["unexpected"] == 0, system
    assert result["lifecycle"]["history_events"] > 0
    assert result["environment"]["cpu_count"] >= 1
