"""The pages say what a missing next deadline means, in words: "No deadline pending" for an
open case with nothing pending (an overdue one keeps its red tag), "Closed" for a closed one;
never a bare "None"."""

from __future__ import annotations

import re
from datetime import date

from ehcp.case_state import close_case
from tests.web.test_case_pages import fake, summary, web  # noqa: F401  (fixtures)


def _cells(page: str) -> dict[str, str]:
    """Each row's case reference and its next deadline cell, as text."""
    rows = re.findall(r'href="/cases/(RUT-2026-\d+)".*?</tr>', page, re.S)
    cells = {}
    for ref in rows:
        row = re.search(rf'href="/cases/{ref}".*?</tr>', page, re.S)[0]
        cells[ref] = re.sub(r"<[^>]+>", " ", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1])
    return cells


def test_the_cases_page_words_a_missing_next_deadline(fake, web) -> None:  # noqa: F811
    missed = summary(1, None, overdue=True).model_copy(update={"overdue_since": date(2026, 10, 12)})
    fake.summaries = [missed, summary(2, None), summary(3, None, status="completed")]
    open_cells = _cells(web.get("/cases").text)
    assert "No deadline pending" in open_cells["RUT-2026-0001"]
    assert "Overdue" in open_cells["RUT-2026-0001"]
    # since when: the missed duty's date (a fresh user's trial saw no date at all)
    assert "Overdue since Monday 12 October 2026" in " ".join(open_cells["RUT-2026-0001"].split())
    assert "No deadline pending" in open_cells["RUT-2026-0002"]
    closed_cells = _cells(web.get("/cases?closed=true").text)
    assert "Closed" in closed_cells["RUT-2026-0003"]
    assert not any("None" in c for c in [*open_cells.values(), *closed_cells.values()])


def _next_deadline_row(page: str) -> str:
    row = re.search(r"Next deadline\s*</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    assert row, "no Next deadline row"
    return row[1].strip()


def test_the_case_page_words_a_missing_next_deadline(fake, web) -> None:  # noqa: F811
    assert _next_deadline_row(web.get("/cases/RUT-2026-0042").text) == "No deadline pending"
    close_case(fake.builder.state, "resolved", date(2026, 10, 3))
    assert _next_deadline_row(web.get("/cases/RUT-2026-0042").text) == "Closed"
