"""Stored histories are append-only: the checked-in manifest of their hashes guards them."""

from __future__ import annotations

import shutil
from pathlib import Path

from scripts.history_manifest import HISTORIES, MANIFEST, problems, read_manifest, stored


def test_every_stored_history_is_in_the_manifest_unchanged():
    assert problems(read_manifest(), stored()) == []


def test_the_manifest_covers_every_generation():
    folders = {name.split("/")[0] for name in read_manifest()}
    assert folders == {p.name for p in HISTORIES.iterdir() if p.is_dir()}


def test_a_changed_missing_or_unlisted_history_is_reported(tmp_path: Path):
    copy = tmp_path / "histories"
    shutil.copytree(HISTORIES, copy)
    files = {p.relative_to(copy).as_posix(): p for p in sorted(copy.glob("*/*.json"))}
    entries = read_manifest(MANIFEST)
    changed, gone = sorted(files)[:2]
    files[changed].write_text(files[changed].read_text() + " ")
    files.pop(gone).unlink()
    extra = copy / "v9-new" / "x.json"
    extra.parent.mkdir()
    extra.write_text("{}")
    files["v9-new/x.json"] = extra
    found = problems(entries, files)
    assert found == sorted(
        [
            f"{changed}: changed since it was stored (never re-record a history)",
            f"{gone}: listed in the manifest but gone (histories are append-only)",
            "v9-new/x.json: not in the manifest (scripts/history_manifest.py --add)",
        ]
    )
