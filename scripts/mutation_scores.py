"""Per-module scores of the last mutation run (`make mutate`), as a Markdown table.

Usage: `scripts/mutation_scores.py [MODULE ...]` (e.g. `calendar challenges`; default: every
module with a result in mutants/ehcp/*.py.meta, mutmut's result files).

Every mutant of a module falls in exactly one column:

- killed: a unit test failed (or mutmut's type check caught it);
- timeout: the tests did not finish in time; they noticed the change, so it counts as killed;
- accepted: survived, and listed as an equivalent mutant in the accepted-survivors table of
  docs/mutation-testing.md;
- survived: survived and not listed (unjudged), including a mutant no test reaches;
- not run: no verdict (the run was stopped, or mutmut found it suspicious).

score = (killed + timeout) / all mutants. Accepted equivalents count as NOT killed: the list
justifies them, it does not raise the score. The script exits 1 when a module that was run
scores under THRESHOLD (98%) and 0 otherwise; it also lists the unjudged survivors and the
accepted entries that no longer survive (stale names: mutant numbers move when code changes).
A module with no verdict at all (not in this run) is shown as not run and does not fail.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

THRESHOLD = 98.0
ROOT = Path(__file__).resolve().parent.parent
ACCEPTED_DOC = ROOT / "docs" / "mutation-testing.md"
COLUMN = {
    "killed": "killed",
    "caught by type check": "killed",
    "timeout": "timeout",
    "survived": "survived",
    "no tests": "survived",  # no unit test reaches the mutated function
}


def accepted() -> set[str]:
    """Mutant names listed in the accepted-survivors table (first column, in backticks)."""
    text = ACCEPTED_DOC.read_text(encoding="utf-8") if ACCEPTED_DOC.exists() else ""
    return set(re.findall(r"^\| `([\w.]+__mutmut_\d+)` \|", text, flags=re.MULTILINE))


def score(counts: Counter[str]) -> float:
    """(killed + timeout) / all mutants, in percent."""
    total = sum(counts.values())
    return 100.0 * (counts["killed"] + counts["timeout"]) / total if total else 100.0


def main(argv: list[str]) -> int:
    metas = {m.name.removesuffix(".py.meta"): m for m in (ROOT / "mutants" / "ehcp").glob("*.meta")}
    if not metas:
        print("no results: run `make mutate` first", file=sys.stderr)
        return 2
    wanted = argv or sorted(metas)
    unknown = [m for m in wanted if m not in metas]
    if unknown:
        print(f"no results for {', '.join(unknown)} in mutants/ehcp/", file=sys.stderr)
        return 2
    ok_names = accepted()
    failing: list[str] = []
    unjudged: list[str] = []
    stale: list[str] = []
    print("| module | mutants | killed | timeout | accepted | survived | not run | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for module in wanted:
        meta = json.loads(metas[module].read_text(encoding="utf-8"))
        counts: Counter[str] = Counter()
        for raw, code in meta["exit_code_by_key"].items():
            name = raw.replace("\u01c1", ".")
            column = COLUMN.get(status_by_exit_code[code], "not run")
            if column == "survived" and name in ok_names:
                column = "accepted"
            elif column == "survived":
                unjudged.append(name)
            elif column in ("killed", "timeout") and name in ok_names:
                stale.append(name)
            counts[column] += 1
        total = sum(counts.values())
        if counts["not run"] == total:
            print(f"| ehcp/{module}.py | {total} | – | – | – | – | {total} | not run |")
            continue
        value = score(counts)
        print(
            f"| ehcp/{module}.py | {total} | {counts['killed']} | {counts['timeout']} | "
            f"{counts['accepted']} | {counts['survived']} | {counts['not run']} | {value:.1f}% |"
        )
        if value < THRESHOLD:
            failing.append(module)
    if unjudged:
        print(f"\n{len(unjudged)} survivors not in {ACCEPTED_DOC.name}'s accepted list:")
        print("\n".join(f"  {name}" for name in sorted(unjudged)))
    if stale:
        print(f"\n{len(stale)} accepted survivors are now killed (remove them from the list):")
        print("\n".join(f"  {name}" for name in sorted(stale)))
    if failing:
        print(f"\nunder {THRESHOLD}%: {', '.join(failing)}", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
