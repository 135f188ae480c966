"""EncryptionCodec: every payload encrypted with AES-256-GCM before it leaves the process.

An encrypted payload is a new Payload whose data is `nonce (12 random bytes) || ciphertext+tag`
of the whole serialized original payload (its metadata too), with metadata
`encoding=binary/encrypted` and `encryption-key-id=<id>`. The key id is bound as associated
data, so changing it on a stored payload makes decryption fail instead of trying another key.

A serialized payload of `COMPRESS_FROM` bytes or more is zlib-compressed before it is
encrypted, when that makes it smaller (JSON with the deadlines' titles and legal basis roughly
halves), and marked `encryption-compression=zlib`; the mark is bound into the associated data
too, so removing or adding it fails authentication. Payloads written before compression (no
mark) decrypt as before. Compression before encryption lets ciphertext length depend on how
repetitive the plaintext is; someone who can both put chosen text into a case and watch its
history's byte sizes could learn a little about other text in the same payload (the CRIME
pattern). `EHCP_CODEC_COMPRESS=false` turns it off (docs/performance.md).

Decoding refuses a payload that is not encrypted: it becomes an empty payload of encoding
`binary/refused-unencrypted` (security/refused.py), which no converter reads, so a plaintext
start or update sent with the Temporal CLI is refused and runs nothing. With
`allow_plaintext` (EHCP_CODEC_ALLOW_PLAINTEXT, off by default: only for a migration window,
e.g. histories written before encryption was switched on) it passes through. An unknown key id
is refused with a message that says so.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from security.keys import Keyring
from security.refused import REFUSED_ENCODING

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12
#: associated data prefix: format version, then the key id
AAD_PREFIX = b"ehcp-payload-v1:"
COMPRESSION_METADATA = "encryption-compression"
ZLIB = b"zlib"
#: associated data prefix of a compressed payload (the mark is authenticated with the data)
AAD_PREFIX_ZLIB = b"ehcp-payload-v1+zlib:"
#: serialized payloads shorter than this are not worth compressing
COMPRESS_FROM = 256
#: zlib level: 6 (its default) costs ~30 µs a kilobyte here and gains little over 1
ZLIB_LEVEL = 6


class PayloadDecryptionError(ValueError):
    """An encrypted payload could not be decrypted; the message says why (never the data)."""


def _aad(key_id: str, compressed: bool = False) -> bytes:
    return (AAD_PREFIX_ZLIB if compressed else AAD_PREFIX) + key_id.encode("utf-8")


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM with the keyring's current key; decrypts with any key of the ring. Refuses
    unencrypted payloads unless `allow_plaintext`; compresses large payloads first unless
    `compress` is False (see the module docstring). Reads payloads of either form."""

    def __init__(
        self, keyring: Keyring, allow_plaintext: bool = False, compress: bool = True
    ) -> None:
        self._keyring = keyring
        self._allow_plaintext = allow_plaintext
        self._compress = compress
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    # Synchronous versions, for the codec server's threads.

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._keyring.current_id
        nonce = os.urandom(NONCE_BYTES)
        plain = payload.SerializeToString()
        metadata = {"encoding": ENCODING, KEY_ID_METADATA: key_id.encode("utf-8")}
        compressed = False
        if self._compress and len(plain) >= COMPRESS_FROM:
            packed = zlib.compress(plain, ZLIB_LEVEL)
            if len(packed) < len(plain):
                plain, compressed = packed, True
                metadata[COMPRESSION_METADATA] = ZLIB
        sealed = self._ciphers[key_id].encrypt(nonce, plain, _aad(key_id, compressed))
        return Payload(metadata=metadata, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            if self._allow_plaintext:  # migration window: written before encryption
                return payload
            return Payload(metadata={"encoding": REFUSED_ENCODING})  # its data is not kept
        raw_id = payload.metadata.get(KEY_ID_METADATA)
        if raw_id is None:
            raise PayloadDecryptionError(
                f"encrypted payload has no {KEY_ID_METADATA} metadata: cannot tell which key"
            )
        key_id = raw_id.decode("utf-8", errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptionError(
                f"payload encrypted with key id {key_id!r}, which is not in this keyring "
                f"({', '.join(sorted(self._ciphers))}); add that key to EHCP_CODEC_KEYS or the "
                "key file (keep rotated-out keys until no history needs them)"
            )
        if len(payload.data) <= NONCE_BYTES:
            raise PayloadDecryptionError(f"encrypted payload (key id {key_id!r}) is truncated")
        compression = payload.metadata.get(COMPRESSION_METADATA)
        if compression not in (None, ZLIB):
            raise PayloadDecryptionError(
                f"encrypted payload (key id {key_id!r}) names an unknown compression "
                f"{compression.decode('utf-8', errors='replace')!r} (known: zlib)"
            )
        compressed = compression == ZLIB
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, _aad(key_id, compressed))
        except InvalidTag:
            raise PayloadDecryptionError(
                f"encrypted payload (key id {key_id!r}) failed authentication: it was altered, "
                f"or the key under id {key_id!r} is not the one that encrypted it"
            ) from None
        if compressed:
            plain = zlib.decompress(plain)  # authenticated: it is what encrypt compressed
        return Payload.FromString(plain)
