"""Log set-up for the worker and codec server: plain text (default) or one JSON object a
line (EHCP_LOG_FORMAT=json), for a log shipper.

Each record carries `case_ref` when it concerns one case: given by the caller
(`extra={"case_ref": ...}`), or taken from the running activity's workflow id. Never a name or
address: our log lines carry keys and references only, and anything shaped like an email
address is masked as a second line of defence.
"""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter
from temporalio import activity

from ehcp.payloads import workflow_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(case_ref)s %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(case_ref)s"
_CASE_PREFIX = workflow_id("")
#: loggers whose lines written inside an activity concern its case
_CASE_LOGGERS = ("ehcp", "temporalio", "activities", "web", "api")
_ADDRESS = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+\.[A-Za-z]{2,}")


def case_ref_of(record: logging.LogRecord) -> str | None:
    """The case a record concerns, if known: `extra` first, then the activity's workflow (for
    this service's own loggers and the SDK's: a library's line written while an activity runs,
    such as Alembic's on the first database use, does not concern that case)."""
    given = getattr(record, "case_ref", None)
    if given:
        return str(given)
    workflow = None
    if not record.name.startswith(_CASE_LOGGERS):
        return None
    if activity.in_activity():
        workflow = activity.info().workflow_id
    elif isinstance(info := getattr(record, "temporal_activity", None), dict):
        workflow = info.get("workflow_id")
    if workflow and workflow.startswith(_CASE_PREFIX):
        return workflow.removeprefix(_CASE_PREFIX)
    return None


class CaseContext(logging.Filter):
    """Adds `case_ref` ("-" when none) and masks email addresses in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.case_ref = case_ref_of(record) or "-"
        message = record.getMessage()
        masked = _ADDRESS.sub("[address]", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Root logging to stderr in `log_format` ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(CaseContext())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
