"""Per-module scores of the last mutation run (`make mutate`), as a Markdown table.

Reads mutmut's result files (mutants/ehcp/*.py.meta). A timed-out mutant counts as killed
(the tests noticed: they never finished); a mutant no test reaches counts as survived. Lists
each survivor not in the accepted list of docs/mutation-testing.md, and exits 1 when a module
scores under the threshold (98%).
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
KILLED = {"killed", "timeout", "caught by type check"}


def accepted() -> set[str]:
    """Mutant names listed in the accepted-survivors table (first column, in backticks)."""
    text = ACCEPTED_DOC.read_text(encoding="utf-8") if ACCEPTED_DOC.exists() else ""
    return set(re.findall(r"^\| `([\w.]+__mutmut_\d+)` \|", text, flags=re.MULTILINE))


def main() -> int:
    metas = sorted((ROOT / "mutants" / "ehcp").glob("*.py.meta"))
    if not metas:
        print("no results: run `make mutate` first", file=sys.stderr)
        return 2
    ok_names = accepted()
    failing = False
    print("| module | mutants | killed | survived (accepted) | score |")
    print("| --- | ---: | ---: | ---: | ---: |")
    unexplained: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        status = {name: status_by_exit_code[code] for name, code in codes.items()}
        counts = Counter("killed" if s in KILLED else "survived" for s in status.values())
        survivors = sorted(n.replace("\u01c1", ".") for n, s in status.items() if s not in KILLED)
        total = len(status)
        score = 100.0 * counts["killed"] / total if total else 100.0
        accepted_here = sum(n in ok_names for n in survivors)
        unexplained += [n for n in survivors if n not in ok_names]
        module = meta.name.removesuffix(".meta")
        print(
            f"| ehcp/{module} | {total} | {counts['killed']} | "
            f"{counts['survived']} ({accepted_here}) | {score:.1f}% |"
        )
        failing |= score < THRESHOLD
    if unexplained:
        print(f"\n{len(unexplained)} survivors not in {ACCEPTED_DOC.name}'s accepted list:")
        print("\n".join(f"  {name}" for name in unexplained))
    if failing:
        print(f"\na module scores under {THRESHOLD}%", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
