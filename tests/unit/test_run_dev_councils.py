"""`make run` configures a council for each of its demo people, so that each sees their own
council's (empty or not) cases and can start one: council isolation shown working."""

from __future__ import annotations

from pathlib import Path

from ehcp.settings import Settings
from tests.unit.test_codec import PIDS, load_run_dev
from web.settings import DEMO_GROUP_MAP, DEMO_STAFF


def test_make_run_configures_every_demo_persons_council(tmp_path: Path) -> None:
    run_dev = load_run_dev()
    cfg = run_dev.load_config({"EHCP_DATA_DIR": str(tmp_path)})
    assert cfg.councils_file == run_dev.DEMO_COUNCILS_FILE
    assert run_dev.worker_env(cfg)["EHCP_COUNCILS_FILE"] == str(cfg.councils_file)
    assert run_dev.api_env(cfg)["EHCP_COUNCILS_FILE"] == str(cfg.councils_file)
    assert f"export EHCP_COUNCILS_FILE={cfg.councils_file}" in run_dev.banner(cfg, PIDS, 0.5)
    configured = Settings(councils_file=cfg.councils_file).councils
    staff_councils = {
        DEMO_GROUP_MAP[str(group)].partition(":")[0]
        for claims in DEMO_STAFF.values()
        for group in claims["groups"]  # type: ignore[union-attr]
    }
    assert staff_councils == {"rutland", "leicestershire"}
    assert staff_councils <= set(configured)


def test_make_run_keeps_the_developers_own_councils(tmp_path: Path) -> None:
    run_dev = load_run_dev()
    for env in (
        {"EHCP_COUNCILS_FILE": "/etc/ehcp/councils.toml"},
        {"EHCP_COUNCIL_CODE": "rutland"},
        {"EHCP_COUNCILS__NORTHSHIRE__NAME": "Northshire Council"},
        {"EHCP_WEB_OIDC_ISSUER": "https://login.example.org"},  # not the demo staff
    ):
        cfg = run_dev.load_config({"EHCP_DATA_DIR": str(tmp_path), **env})
        assert cfg.councils_file is None
        assert "EHCP_COUNCILS_FILE" not in run_dev.banner(cfg, PIDS, 0.5)
