"""The manifest of stored workflow histories: append-only, checked on every `make test`.

    .venv/bin/python scripts/history_manifest.py          # check (exit 1 on any difference)
    .venv/bin/python scripts/history_manifest.py --add    # list new files; never edits a line

tests/histories/MANIFEST.sha256 holds one `<sha256>  <path>` line per history file (the
format of `sha256sum`). A stored history is evidence that running cases replay: a change to
one, or its removal, fails tests/workflow/test_history_manifest.py. New recordings go into a
new generation folder and are added here with --add (docs/workflow-changes.md).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORIES = ROOT / "tests" / "histories"
MANIFEST = HISTORIES / "MANIFEST.sha256"


def digest(path: Path) -> str:
    """SHA-256 of the file's bytes, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored() -> dict[str, Path]:
    """Every history file, by its path relative to tests/histories."""
    return {p.relative_to(HISTORIES).as_posix(): p for p in sorted(HISTORIES.glob("*/*.json"))}


def read_manifest(path: Path = MANIFEST) -> dict[str, str]:
    """{relative path: sha256 hex} from the manifest; ValueError on a malformed line."""
    entries: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        sha, sep, name = line.partition("  ")
        if not sep or len(sha) != 64 or name in entries:
            raise ValueError(f"{path.name} line {n}: expected '<sha256>  <path>', once per path")
        entries[name] = sha
    return entries


def problems(entries: dict[str, str], files: dict[str, Path]) -> list[str]:
    """What differs between the manifest and the files, one sentence each; [] when none."""
    found = []
    for name, sha in entries.items():
        if name not in files:
            found.append(f"{name}: listed in the manifest but gone (histories are append-only)")
        elif digest(files[name]) != sha:
            found.append(f"{name}: changed since it was stored (never re-record a history)")
    for name in files.keys() - entries.keys():
        found.append(f"{name}: not in the manifest (scripts/history_manifest.py --add)")
    return sorted(found)


def add_new(path: Path = MANIFEST) -> list[str]:
    """Append the files not yet listed; existing lines are never touched. Returns their names."""
    entries = read_manifest(path) if path.exists() else {}
    new = [name for name in stored() if name not in entries]
    with path.open("a", encoding="utf-8") as fh:
        for name in new:
            fh.write(f"{digest(HISTORIES / name)}  {name}\n")
    return new


def main(argv: list[str]) -> int:
    if argv == ["--add"]:
        for name in add_new():
            print(f"added {name}")
    elif argv:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(read_manifest(), stored())
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
