"""tests/scheduling.py's clean-clone order: the checked-in typical seconds per work unit."""

from __future__ import annotations

from pathlib import Path

from tests.scheduling import typical_seconds, unit_of

ROOT = Path(__file__).resolve().parents[2]


def test_typical_seconds_name_units_that_exist() -> None:
    typical = typical_seconds()
    assert typical, "tests/unit_seconds.json is missing or unreadable"
    for unit, seconds in typical.items():
        assert seconds > 0, unit
        if not unit.startswith("@"):  # an xdist_group; a file otherwise
            assert (ROOT / unit).is_file(), f"{unit} is gone: refresh tests/unit_seconds.json"


def test_a_unit_is_its_group_or_its_file() -> None:
    assert unit_of("tests/integration/test_api.py::test_x@api_stack") == "@api_stack"
    assert unit_of("tests/unit/test_a.py::test_b[x@y]") == "tests/unit/test_a.py"
