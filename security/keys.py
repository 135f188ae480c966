"""The payload keyring: several AES-256 keys at once, each with an id.

The *current* key encrypts; every key in the ring decrypts, so a rotated-out key keeps old
histories readable for as long as it stays in the ring. Keys come from the environment or a
key file, never from the repository:

  EHCP_CODEC_KEYS="k2026a:<base64 of 32 bytes>,k2025b:<base64>"  with  EHCP_CODEC_CURRENT_KEY=k2026a
  EHCP_CODEC_KEY_FILE=/run/secrets/ehcp-keys.json   {"current": "k2026a", "keys": {"k2026a": "..."}}

With neither set, the development key file `data/dev-codec-keys.json` of this checkout is used
if it exists (`make run` creates it); otherwise start-up fails and says what to set.

`python -m security.keys generate [KEY_ID]` prints a new key; `... token` a codec-server token.
No Temporal import here: the codec and the converter build on this.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr

KEY_BYTES = 32  # AES-256
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
KEY_ID_HELP = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
#: created by `make run` (scripts/run_dev.py) on first use; data/ is git-ignored
DEV_KEY_FILE = Path(__file__).resolve().parent.parent / "data" / "dev-codec-keys.json"

KEYS_VAR = "EHCP_CODEC_KEYS"
CURRENT_VAR = "EHCP_CODEC_CURRENT_KEY"
FILE_VAR = "EHCP_CODEC_KEY_FILE"


class KeyConfigError(ValueError):
    """The key configuration is missing or wrong; the message names the variable and the fix."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: Mapping[str, bytes] = field(repr=False)
    #: where the keys came from, for messages (never the keys themselves)
    source: str = "keyring"

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyConfigError(f"{self.source}: no keys")
        for key_id, key in self.keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise KeyConfigError(f"{self.source}: key id {key_id!r} is not {KEY_ID_HELP}")
            if len(key) != KEY_BYTES:
                raise KeyConfigError(
                    f"{self.source}: key {key_id!r} is {len(key)} bytes; AES-256 needs exactly "
                    f"{KEY_BYTES} (base64 of 32 random bytes: `python -m security.keys generate`)"
                )
        if self.current_id not in self.keys:
            raise KeyConfigError(
                f"{self.source}: current key {self.current_id!r} is not among the keys "
                f"({', '.join(sorted(self.keys))})"
            )

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current_id]

    def get(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    def with_current(self, key_id: str) -> Keyring:
        return Keyring(key_id, self.keys, self.source)


class CodecKeySettings(Protocol):
    """What `keyring_from_settings` reads (ehcp.settings.Settings has these fields)."""

    codec_keys: SecretStr | None
    codec_current_key: str | None
    codec_key_file: Path | None
    codec_allow_plaintext: bool


# --- parsing --------------------------------------------------------------------------------


def _decode_key(key_id: str, text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(
            f"{source}: key {key_id!r} is not valid base64 (standard alphabet, with padding)"
        ) from None
    return key


def parse_key_list(text: str, source: str = KEYS_VAR) -> dict[str, bytes]:
    """'id:base64,id:base64' -> {id: key bytes}."""
    keys: dict[str, bytes] = {}
    for n, entry in enumerate((part.strip() for part in text.split(",")), start=1):
        if not entry:
            continue
        key_id, sep, value = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not value.strip():
            raise KeyConfigError(
                f"{source}: entry {n} is not KEY_ID:BASE64_KEY (entries separated by commas)"
            )
        if key_id in keys:
            raise KeyConfigError(f"{source}: key id {key_id!r} appears twice")
        keys[key_id] = _decode_key(key_id, value, source)
    if not keys:
        raise KeyConfigError(f"{source} is empty: give at least one KEY_ID:BASE64_KEY")
    return keys


def keyring_from_env_values(keys: str, current: str | None) -> Keyring:
    if not current or not current.strip():
        raise KeyConfigError(
            f"{KEYS_VAR} is set but {CURRENT_VAR} is not: set it to the id of the key that "
            "encrypts new data"
        )
    return Keyring(current.strip(), parse_key_list(keys), source=KEYS_VAR)


def keyring_from_file(path: Path, source: str | None = None) -> Keyring:
    source = source or f"{FILE_VAR} ({path})"
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyConfigError(f"{source}: no such file") from None
    except OSError as error:
        raise KeyConfigError(f"{source}: cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise KeyConfigError(f"{source}: not valid JSON ({error})") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("current"), str)
        or not isinstance(data.get("keys"), dict)
        or not all(isinstance(v, str) for v in data["keys"].values())
    ):
        raise KeyConfigError(
            f'{source}: expected {{"current": "KEY_ID", "keys": {{"KEY_ID": "BASE64_KEY", ...}}}}'
        )
    keys = {key_id: _decode_key(key_id, value, source) for key_id, value in data["keys"].items()}
    return Keyring(data["current"], keys, source=source)


def load_keyring(
    *,
    keys: str | None = None,
    current: str | None = None,
    key_file: Path | None = None,
    dev_key_file: Path | None = DEV_KEY_FILE,
) -> Keyring:
    """The keyring from exactly one source: the key list, a key file, or the dev key file."""
    if keys and key_file:
        raise KeyConfigError(f"both {KEYS_VAR} and {FILE_VAR} are set: use one of them")
    if keys:
        return keyring_from_env_values(keys, current)
    if key_file:
        return keyring_from_file(key_file)
    if dev_key_file is not None and dev_key_file.is_file():
        return keyring_from_file(dev_key_file, f"development key file {dev_key_file}")
    raise KeyConfigError(
        f"no payload encryption keys configured: set {FILE_VAR} to a key file "
        f'({{"current": "KEY_ID", "keys": {{"KEY_ID": "BASE64_KEY"}}}}), or {KEYS_VAR}='
        f'"KEY_ID:BASE64_KEY,..." with {CURRENT_VAR}=KEY_ID. Each key is 32 random bytes in '
        "base64: `python -m security.keys generate`. (`make run` makes a development key file "
        "by itself.)"
    )


def keyring_from_settings(settings: CodecKeySettings) -> Keyring:
    return load_keyring(
        keys=settings.codec_keys.get_secret_value() if settings.codec_keys else None,
        current=settings.codec_current_key,
        key_file=settings.codec_key_file,
    )


# --- making keys ----------------------------------------------------------------------------


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def new_key_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"k{now:%Y%m%d}-{secrets.token_hex(2)}"


def write_key_file(path: Path, key_id: str | None = None) -> str:
    """A new key file holding one fresh key, readable by its owner only (0600); returns the
    key id. Refuses to overwrite: a lost key makes every payload it encrypted unreadable."""
    key_id = key_id or new_key_id()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"current": key_id, "keys": {key_id: new_key()}}, indent=2) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    return key_id


USAGE = """usage: python -m security.keys generate [KEY_ID]   print a new key (id and base64)
       python -m security.keys key-file PATH      write a new key file (0600), e.g. the
                                                  compose secret secrets/payload-keys.json
       python -m security.keys token              print a new codec-server token"""


def main(argv: list[str]) -> int:
    if argv[:1] == ["generate"] and len(argv) <= 2:
        key_id = argv[1] if len(argv) == 2 else new_key_id()
        if not KEY_ID_PATTERN.match(key_id):
            print(f"error: key id {key_id!r} is not {KEY_ID_HELP}", file=sys.stderr)
            return 2
        key = new_key()
        print(f"{key_id}:{key}")
        print(
            f"# Add it to {KEYS_VAR} (comma-separated, keep the old keys), or to the "
            f'"keys" of the key file as "{key_id}": "{key}"; make it current with '
            f'{CURRENT_VAR}={key_id} (or "current" in the file) once every worker has it.',
            file=sys.stderr,
        )
        return 0
    if argv[:1] == ["key-file"] and len(argv) == 2:
        try:
            key_id = write_key_file(Path(argv[1]))
        except FileExistsError:
            print(
                f"error: {argv[1]} exists; a lost key loses every case it encrypted",
                file=sys.stderr,
            )
            return 2
        print(f"wrote {argv[1]} with key {key_id!r} (mode 0600)", file=sys.stderr)
        return 0
    if argv == ["token"]:
        print(secrets.token_urlsafe(32))
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
