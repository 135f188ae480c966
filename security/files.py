"""Folders and files that only the service's own user can read: folders 0700, files 0600.

The outbox holds parents' names and addresses, the SQLite database (sent ledger, API keys)
case references, data/ the dev server's SQLite file: none of it is for other users of the
host. Modes are given when a file or folder is made (not fixed up later), and
`restrict_umask` makes the same true for anything a library or child process creates (the
Temporal dev server's database).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
#: files and folders made under it get no group or other bits
PRIVATE_UMASK = 0o077


def restrict_umask() -> int:
    """Set the process umask to 077 (inherited by child processes); returns the old one."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Make `path` (and any missing parents) with mode 0700; an existing `path` owned by this
    user is narrowed to 0700 too (folders made by an older version were 0755). Returns it."""
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=PRIVATE_DIR)
    with contextlib.suppress(OSError):  # not ours (a mounted volume): leave it
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_DIR)
    return path


def create_private(path: Path, data: bytes) -> None:
    """Create `path` (0600) holding `data`, fsynced; FileExistsError if it is already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (0600) atomically: readers see the old or the new, never half."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    create_private(partial, data)
    os.replace(partial, path)
