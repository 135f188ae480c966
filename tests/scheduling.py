"""How `make test` shares the suite among its xdist workers (`--dist loadgroup`).

Like `--dist loadfile`, each test file stays on one worker, so a module-scoped server starts
once. Two changes:

- Tests marked `xdist_group(name)` run on one worker whatever their file, so one
  session-scoped server serves them all (tests/integration/conftest.py groups every test that
  uses the shared `api_stack`).
- The longest files start first and the many quick ones fill the gaps at the end, so no
  long file starts last and leaves the other workers idle (a long tail). "Long" is what the
  last run measured (pytest's cache, when it has one); on a clean clone, the seconds in
  tests/unit_seconds.json (a clean-clone run's units of 3 s or more: refresh it from
  .pytest_cache/v/ehcp/xdist-unit-seconds when the suite's shape changes); for a unit in
  neither, a file whose tests are marked `integration` or `slow` (mark a long test `slow` for
  that reason), then the number of tests in the file.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

#: where the last run's seconds per work unit are kept (pytest's cache, .pytest_cache/)
CACHE_KEY = "ehcp/xdist-unit-seconds"
#: seconds per unit of a clean-clone run, checked in: the order when no run has measured yet
TYPICAL_SECONDS = Path(__file__).with_name("unit_seconds.json")
#: a file with an integration or slow test, when no run has measured it yet
MARKED_SLOW_S = 30.0
#: any other test, when no run has measured it yet
UNMARKED_TEST_S = 0.02
SLOW_MARK = re.compile(r"mark\.(integration|slow)\b")


def unit_of(nodeid: str) -> str:
    """The work unit of a test: its xdist_group name (the `@name` suffix xdist adds to the
    id under loadgroup) or else its file."""
    if nodeid.rfind("@") > nodeid.rfind("]"):  # a "]" after "@" is a parameter's text
        return "@" + nodeid.rsplit("@", 1)[1]
    return nodeid.split("::", 1)[0]


def typical_seconds() -> dict[str, float]:
    """tests/unit_seconds.json: work unit -> seconds ({} when missing or unreadable)."""
    try:
        return {str(k): float(v) for k, v in json.loads(TYPICAL_SECONDS.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


class FileGroupScheduling(LoadScopeScheduling):
    """loadfile, with xdist_group units and the longest units handed out first."""

    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        self.rootdir = Path(config.rootpath)
        cache = getattr(config, "cache", None)
        self.measured: dict[str, float] = (cache.get(CACHE_KEY, {}) if cache else {}) or {}
        self.typical: dict[str, float] = typical_seconds()
        self.ordered = False

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def _marked_slow(self, path: str) -> bool:
        try:
            return bool(SLOW_MARK.search((self.rootdir / path).read_text(encoding="utf-8")))
        except OSError:
            return False

    def _estimate(self, unit: str, nodeids: dict[str, bool]) -> float:
        if unit in self.measured:
            return float(self.measured[unit])
        if unit in self.typical:
            return float(self.typical[unit])
        files = {nodeid.split("::", 1)[0] for nodeid in nodeids}
        slow = any(self._marked_slow(path) for path in files)
        return (MARKED_SLOW_S if slow else 0.0) + UNMARKED_TEST_S * len(nodeids)

    def _assign_work_unit(self, node) -> None:
        if not self.ordered:  # the queue is complete once the first unit goes out
            self.ordered = True
            units = sorted(self.workqueue.items(), key=lambda kv: -self._estimate(*kv))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)


class UnitTimer:
    """Controller plugin: adds up each work unit's seconds and keeps them for the next run."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[unit_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        cache = getattr(self.config, "cache", None)
        if cache is None or not self.seconds:
            return
        kept = dict(cache.get(CACHE_KEY, {}) or {})
        kept.update({unit: round(s, 2) for unit, s in self.seconds.items()})
        cache.set(CACHE_KEY, kept)
