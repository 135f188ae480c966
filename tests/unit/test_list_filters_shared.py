"""The case list's filters and council check are the service's (service.listing: CaseFilter,
scoped_filter), shared by the API, the CLI and the pages: `starter.py list --council rutlnd`
is refused like the API refuses it (one line, exit 2), and the CLI offers every filter."""

from __future__ import annotations

import argparse
import os

import pytest

from ehcp.settings import Settings
from security.codec import EncryptionCodec
from service.callers import Caller, Role, operator
from service.errors import BadInput
from service.listing import CaseFilter, scoped_filter
from service.operations import Cases
from starter import build_parser
from store.case_records import CaseRecords
from tests.cli_in_process import run_in_process
from tests.conftest import TEST_KEYRING

RUTLAND = Caller("CMS import", Role.viewer, "rutland")
COUNCILS = ["rutland", "leicestershire"]


def test_a_council_bound_caller_lists_its_own_council_and_is_refused_another():
    assert scoped_filter(RUTLAND, CaseFilter(), COUNCILS).council == "rutland"
    assert scoped_filter(RUTLAND, CaseFilter(council="rutland"), COUNCILS).council == "rutland"
    with pytest.raises(BadInput, match="your key is for council rutland") as refused:
        scoped_filter(RUTLAND, CaseFilter(council="leicestershire"), COUNCILS)
    assert refused.value.errors[0].pointer == "/council"


def test_an_operator_is_refused_a_council_not_configured_and_sees_every_configured_one():
    assert scoped_filter(operator(), CaseFilter(), COUNCILS).council is None
    flt = CaseFilter(council="leicestershire")
    assert scoped_filter(operator(), flt, COUNCILS) == flt
    with pytest.raises(BadInput, match="'rutlnd' is not a council of this service") as refused:
        scoped_filter(operator(), CaseFilter(council="rutlnd"), COUNCILS)
    assert "allowed: leicestershire, rutland" in refused.value.message


@pytest.fixture
def cases(database_url) -> Cases:
    store = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING))
    return Cases(None, Settings(database_url=database_url), records=store)  # type: ignore[arg-type]


async def test_the_operations_themselves_refuse_an_unknown_or_other_council(cases):
    for caller, council in ((operator(), "rutlnd"), (RUTLAND, "leicestershire")):
        with pytest.raises(BadInput, match="council"):
            await cases.list_cases(caller, CaseFilter(council=council))
        with pytest.raises(BadInput, match="council"):
            await cases.count_cases(caller, CaseFilter(council=council))
    assert (await cases.list_cases(operator(), CaseFilter(council="rutland"))).cases == []


def _list_parser() -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["list"]


def test_the_cli_list_offers_every_filter_of_the_service():
    dests = {a.dest for a in _list_parser()._actions}
    assert set(CaseFilter.model_fields) <= dests
    from cli.cases import case_filter

    args = _list_parser().parse_args(
        ["--case-ref", "2026-09", "--closed", "--decision-type", "plan_content",
         "--caseworker", "casey.worker@rutland.gov.uk", "--council", "rutland", "--overdue",
         "--due-within", "7", "--stage", "appeal"]
    )  # fmt: skip
    assert case_filter(args) == CaseFilter(
        case_ref="2026-09", closed=True, decision_type="plan_content", overdue=True,
        caseworker="casey.worker@rutland.gov.uk", council="rutland", due_within=7, stage="appeal",
    )  # fmt: skip
    assert case_filter(_list_parser().parse_args(["--open"])).closed is False


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["list", "--council", "rutlnd"], "'rutlnd' is not a council of this service"),
        (["list", "--case-ref", "RUT 2026"], "is not part of a case reference"),
        (["list", "--case-ref", "X" * 41], "is not part of a case reference"),
    ],
)
def test_the_cli_refuses_a_bad_list_filter_in_one_line_before_connecting(argv, says):
    # expect_server=False: reaching Temporal (or printing "(none)") would fail the run
    run = run_in_process(argv, env=_env())
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and says in run.stderr, run.stderr
