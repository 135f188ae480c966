"""Issue 17: secrets read from mounted files, the metrics address, and log records that carry
the case reference and never an address."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from ehcp.settings import Settings
from observability import logs
from observability.metrics import runtime_for


def test_a_secret_can_be_a_mounted_file(tmp_path: Path) -> None:
    key = tmp_path / "sendgrid_api_key"
    key.write_text("SG.from-a-file\n")
    token = tmp_path / "codec_server_token"
    token.write_text("t" * 32)
    settings = Settings(sendgrid_api_key_file=key, codec_server_token_file=token)
    assert settings.sendgrid_api_key.get_secret_value() == "SG.from-a-file"
    assert settings.codec_server_token.get_secret_value() == "t" * 32


def test_an_empty_key_file_means_no_key(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("")
    assert Settings(sendgrid_api_key_file=tmp_path / "key").sendgrid_api_key is None


def test_a_secret_file_problem_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"EHCP_SENDGRID_API_KEY_FILE=.*cannot read"):
        Settings(sendgrid_api_key_file=tmp_path / "missing")
    (tmp_path / "key").write_text("SG.x")
    with pytest.raises(ValidationError, match="not both"):
        Settings(sendgrid_api_key="SG.y", sendgrid_api_key_file=tmp_path / "key")


@pytest.mark.parametrize("address", ["", "0.0.0.0:9464", "127.0.0.1:1", "worker:9464"])
def test_metrics_addresses(address: str) -> None:
    assert Settings(metrics_address=address).metrics_address == address


@pytest.mark.parametrize("address", ["9464", "0.0.0.0", "host:port", "0.0.0.0:70000"])
def test_bad_metrics_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="is not host:port"):
        Settings(metrics_address=address)


def test_no_address_no_runtime() -> None:
    assert runtime_for("") is None


def test_bad_log_format_is_refused() -> None:
    with pytest.raises(ValidationError, match="log_format"):
        Settings(log_format="xml")


@pytest.fixture
def captured() -> io.StringIO:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.configure("json")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:], root.level = saved  # pytest's own capture handlers come back


def test_json_logs_carry_the_case_reference_and_mask_addresses(captured: io.StringIO) -> None:
    log = logging.getLogger("ehcp.test")
    log.info("%s: sent", "RUT-2026-0001/appeal/reminder/7/parent", extra={"case_ref": "RUT-1"})
    log.warning("bounced for %s", "sam.parent@example.org")
    first, second = (json.loads(line) for line in captured.getvalue().splitlines())
    assert first["case_ref"] == "RUT-1" and first["level"] == "INFO"
    assert first["message"] == "RUT-2026-0001/appeal/reminder/7/parent: sent"
    assert second["case_ref"] == "-" and second["message"] == "bounced for [address]"
    assert "example.org" not in captured.getvalue()


async def test_inside_an_activity_only_our_lines_take_its_case(captured: io.StringIO) -> None:
    """A library's line written while an activity runs (Alembic's on the first database use)
    said the activity's case, as if it concerned it."""
    from dataclasses import replace

    from temporalio import activity
    from temporalio.testing import ActivityEnvironment

    env = ActivityEnvironment()
    env.info = replace(env.info, workflow_id="ehcp-case-RUT-2026-0001")

    @activity.defn
    async def writes_two_lines() -> None:
        logging.getLogger("ehcp.records").info("record written")
        logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")

    await env.run(writes_two_lines)
    ours, library = (json.loads(line) for line in captured.getvalue().splitlines())
    assert (ours["case_ref"], library["case_ref"]) == ("RUT-2026-0001", "-")
