"""Payload encryption: the keyring, the codec, the data converter and `make run`'s dev keys."""

from __future__ import annotations

import base64
import importlib.util
import json
import stat
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from ehcp.settings import Settings
from security import keys as keys_module
from security.codec import (
    COMPRESS_FROM,
    COMPRESSION_METADATA,
    ENCODING,
    KEY_ID_METADATA,
    EncryptionCodec,
    PayloadDecryptionError,
)
from security.converter import data_converter
from security.keys import (
    KeyConfigError,
    Keyring,
    keyring_from_settings,
    load_keyring,
    write_key_file,
)
from security.refused import REFUSED_ENCODING, UnencryptedPayloadRefused

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = bytes(range(32)), bytes(range(100, 132))
SECRET = "Sam Parent <sam.parent@example.org> needs speech and language therapy"


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def plain(text: str = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


def ring(current: str = "k-old") -> Keyring:
    return Keyring(current, {"k-old": OLD, "k-new": NEW})


# --- codec ----------------------------------------------------------------------------------


async def test_round_trip_hides_the_data_and_restores_it_exactly() -> None:
    codec = EncryptionCodec(ring())
    original = plain()
    (sealed,) = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"k-old"
    assert b"sam.parent" not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()  # original metadata is inside
    assert await codec.decode([sealed]) == [original]


async def test_each_encryption_uses_a_fresh_nonce() -> None:
    codec = EncryptionCodec(ring())
    first, second = await codec.encode([plain(), plain()])
    assert first.data[:12] != second.data[:12]
    assert first.data != second.data


async def test_rotation_old_payloads_still_decode_after_the_current_key_changes() -> None:
    (old_sealed,) = await EncryptionCodec(ring("k-old")).encode([plain("before rotation")])
    rotated = EncryptionCodec(ring("k-new"))
    (new_sealed,) = await rotated.encode([plain("after rotation")])
    assert new_sealed.metadata[KEY_ID_METADATA] == b"k-new"
    assert await rotated.decode([old_sealed, new_sealed]) == [
        plain("before rotation"),
        plain("after rotation"),
    ]


async def test_unknown_key_id_is_a_clear_error() -> None:
    (sealed,) = await EncryptionCodec(ring("k-new")).encode([plain()])
    only_old = EncryptionCodec(Keyring("k-old", {"k-old": OLD}))
    with pytest.raises(PayloadDecryptionError, match=r"key id 'k-new', which is not in this"):
        await only_old.decode([sealed])


@pytest.mark.parametrize("position", [0, 12, -1])  # nonce, ciphertext, tag
async def test_tampered_ciphertext_fails(position: int) -> None:
    codec = EncryptionCodec(ring())
    (sealed,) = await codec.encode([plain()])
    data = bytearray(sealed.data)
    data[position] ^= 0x01
    tampered = Payload(metadata=dict(sealed.metadata), data=bytes(data))
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec.decode([tampered])


async def test_the_key_id_is_bound_to_the_ciphertext() -> None:
    """Relabelling a payload with another known key id fails: no silent key guessing."""
    same_key_twice = Keyring("a", {"a": OLD, "b": OLD})
    codec = EncryptionCodec(same_key_twice)
    (sealed,) = await codec.encode([plain()])
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID_METADATA: b"b"}, data=sealed.data)
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec.decode([relabelled])


async def test_truncated_or_unlabelled_payloads_fail_clearly() -> None:
    codec = EncryptionCodec(ring())
    with pytest.raises(PayloadDecryptionError, match="truncated"):
        await codec.decode(
            [Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: b"k-old"}, data=b"x")]
        )
    with pytest.raises(PayloadDecryptionError, match="no encryption-key-id"):
        await codec.decode([Payload(metadata={"encoding": ENCODING}, data=b"x" * 40)])


async def test_unencrypted_payloads_are_refused_by_default() -> None:
    """Only a key holder speaks to a case: a plaintext payload becomes the refused stand-in,
    its data dropped, and converting it raises a plain error."""
    codec = EncryptionCodec(ring())
    decoded = await codec.decode([plain("forged"), Payload(metadata={"encoding": b"binary/null"})])
    assert [p.metadata["encoding"] for p in decoded] == [REFUSED_ENCODING] * 2
    assert all(p.data == b"" for p in decoded)
    converter = data_converter(ring())
    forged = Payload(metadata={"encoding": b"json/plain"}, data=b'"forged"')
    with pytest.raises(UnencryptedPayloadRefused, match="EHCP_CODEC_ALLOW_PLAINTEXT"):
        await converter.decode([forged], [str])


async def test_unencrypted_payloads_pass_through_in_the_migration_window() -> None:
    """EHCP_CODEC_ALLOW_PLAINTEXT=true: histories written before encryption still replay."""
    codec = EncryptionCodec(ring(), allow_plaintext=True)
    old = [plain(), Payload(metadata={"encoding": b"binary/null"})]
    assert await codec.decode(old) == old
    settings = Settings(
        codec_keys=SecretStr(f"k-new:{base64.b64encode(NEW).decode()}"),
        codec_current_key="k-new",
        codec_allow_plaintext=True,
    )
    plain_json = Payload(metadata={"encoding": b"json/plain"}, data=b'"old"')
    assert await data_converter(settings).decode([plain_json], [str]) == ["old"]
    assert Settings(_env_file=None).codec_allow_plaintext is False


# --- data converter -------------------------------------------------------------------------


class Person(BaseModel):
    name: str
    email: str


async def test_converter_encrypts_pydantic_values_and_decodes_them() -> None:
    converter = data_converter(ring())
    (payload,) = await converter.encode([Person(name="Sam Parent", email="sam@example.org")])
    assert payload.metadata["encoding"] == ENCODING
    assert b"Sam Parent" not in payload.SerializeToString()
    (person,) = await converter.decode([payload], [Person])
    assert person == Person(name="Sam Parent", email="sam@example.org")


class Reading(BaseModel):
    value: int


def test_payload_converters_built_per_activation_share_one_typeadapter_cache() -> None:
    # The worker builds a payload converter per workflow activation (with_context); each
    # must reuse the TypeAdapters the others built, not build its own again.
    build = data_converter(ring()).payload_converter_class
    first, second = build(), build()
    assert first is not second
    (payload,) = first.to_payloads([Reading(value=1)])
    json_converter = first.converters[b"json/plain"]
    assert json_converter is second.converters[b"json/plain"]
    cache = json_converter._type_adapter  # the SDK's lru_cache of TypeAdapters
    before = cache.cache_info()
    assert first.from_payloads([payload], [Reading]) == [Reading(value=1)]
    assert second.from_payloads([payload], [Reading]) == [Reading(value=1)]
    after = cache.cache_info()
    assert after.hits - before.hits >= 1 and after.misses - before.misses <= 1


async def test_converter_encrypts_failure_messages_and_stack_traces() -> None:
    converter = data_converter(ring())
    try:
        raise ApplicationError(f"could not send to {SECRET}", type="PermanentDeliveryError")
    except ApplicationError as error:
        failure = Failure()
        await converter.encode_failure(error, failure)
    assert "sam.parent" not in failure.message
    assert "sam.parent" not in failure.stack_trace
    assert b"sam.parent" not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError)
    assert decoded.message == f"could not send to {SECRET}"
    assert decoded.type == "PermanentDeliveryError"


async def test_converter_from_settings() -> None:
    settings = Settings(
        codec_keys=SecretStr(f"k-old:{b64(OLD)}, k-new:{b64(NEW)}"), codec_current_key="k-new"
    )
    (payload,) = await data_converter(settings).encode(["x"])
    assert payload.metadata[KEY_ID_METADATA] == b"k-new"
    assert "k-new:" not in repr(settings)  # the keys are a SecretStr


# --- key configuration ----------------------------------------------------------------------


def test_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHCP_CODEC_KEY_FILE", raising=False)
    monkeypatch.setenv("EHCP_CODEC_KEYS", f"k2026a:{b64(NEW)},k2025b:{b64(OLD)}")
    monkeypatch.setenv("EHCP_CODEC_CURRENT_KEY", "k2026a")
    keyring = keyring_from_settings(Settings())
    assert keyring.current_id == "k2026a"
    assert keyring.current_key == NEW
    assert keyring.get("k2025b") == OLD
    assert b64(NEW) not in repr(keyring)


def test_keys_from_a_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"current": "b", "keys": {"a": b64(OLD), "b": b64(NEW)}}))
    monkeypatch.setenv("EHCP_CODEC_KEY_FILE", str(path))
    monkeypatch.delenv("EHCP_CODEC_KEYS", raising=False)
    keyring = keyring_from_settings(Settings())
    assert (keyring.current_id, keyring.current_key, keyring.get("a")) == ("b", NEW, OLD)


@pytest.mark.parametrize(
    ("keys", "current", "message"),
    [
        (f"a:{b64(OLD[:16])}", "a", r"EHCP_CODEC_KEYS: key 'a' is 16 bytes; AES-256 needs .*32"),
        ("a:not*base64!", "a", r"EHCP_CODEC_KEYS: key 'a' is not valid base64"),
        (f"a:{b64(OLD)}", "b", r"current key 'b' is not among the keys \(a\)"),
        (f"a:{b64(OLD)}", None, r"EHCP_CODEC_KEYS is set but EHCP_CODEC_CURRENT_KEY is not"),
        (b64(OLD), "a", r"EHCP_CODEC_KEYS: entry 1 is not KEY_ID:BASE64_KEY"),
        (f"a:{b64(OLD)},a:{b64(NEW)}", "a", r"key id 'a' appears twice"),
        (f"bad id:{b64(OLD)}", "bad id", r"key id 'bad id' is not 1-64 letters"),
        (" , ", "a", r"EHCP_CODEC_KEYS is empty"),
    ],
)
def test_key_list_errors_name_the_variable(keys: str, current: str | None, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        load_keyring(keys=keys, current=current, dev_key_file=None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ('{"keys": {}}', r'expected \{"current"'),
        (json.dumps({"current": "a", "keys": {"a": b64(OLD[:31])}}), "is 31 bytes"),
        (json.dumps({"current": "x", "keys": {"a": b64(OLD)}}), "current key 'x' is not among"),
    ],
)
def test_key_file_errors_name_the_variable_and_file(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(KeyConfigError, match=message) as caught:
        load_keyring(key_file=path, dev_key_file=None)
    assert f"EHCP_CODEC_KEY_FILE ({path})" in str(caught.value)


def test_no_keys_at_all_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError) as caught:
        load_keyring(dev_key_file=tmp_path / "absent.json")
    text = str(caught.value)
    for name in ("EHCP_CODEC_KEY_FILE", "EHCP_CODEC_KEYS", "EHCP_CODEC_CURRENT_KEY"):
        assert name in text
    assert "python -m security.keys generate" in text


def test_both_sources_at_once_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="both EHCP_CODEC_KEYS and EHCP_CODEC_KEY_FILE"):
        load_keyring(keys=f"a:{b64(OLD)}", current="a", key_file=tmp_path / "k.json")


def test_dev_key_file_is_the_fallback_and_configured_keys_win(tmp_path: Path) -> None:
    dev = tmp_path / "dev-codec-keys.json"
    key_id = write_key_file(dev)
    assert load_keyring(dev_key_file=dev).current_id == key_id
    assert "development key file" in load_keyring(dev_key_file=dev).source
    assert load_keyring(keys=f"a:{b64(OLD)}", current="a", dev_key_file=dev).current_id == "a"


def test_write_key_file_is_private_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "keys.json"
    key_id = write_key_file(path, "dev-1")
    assert key_id == "dev-1"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(load_keyring(key_file=path).current_key) == 32
    with pytest.raises(FileExistsError):
        write_key_file(path)


def test_generate_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert keys_module.main(["generate", "k2026a"]) == 0
    line = capsys.readouterr().out.strip()
    keyring = load_keyring(keys=line, current="k2026a", dev_key_file=None)
    assert len(keyring.current_key) == 32
    assert keys_module.main(["generate", "bad id"]) == 2
    assert keys_module.main(["token"]) == 0
    assert len(capsys.readouterr().out.strip()) >= 32
    assert keys_module.main([]) == 2


# --- `make run` makes and hands over a development key file ----------------------------------


def load_run_dev():
    spec = importlib.util.spec_from_file_location("run_dev", ROOT / "scripts" / "run_dev.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_dev"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


PIDS = {"temporal server": 1, "worker": 2, "api": 3}


def test_run_dev_creates_keeps_and_passes_on_a_dev_key_file(tmp_path: Path) -> None:
    run_dev = load_run_dev()
    cfg = run_dev.load_config({"EHCP_DATA_DIR": str(tmp_path / "data")})
    assert cfg.key_file == tmp_path / "data" / "dev-codec-keys.json"
    run_dev.ensure_dev_keys(cfg)
    first = cfg.key_file.read_text()
    assert stat.S_IMODE(cfg.key_file.stat().st_mode) == 0o600
    run_dev.ensure_dev_keys(cfg)  # a restart keeps the key: cases stay readable
    assert cfg.key_file.read_text() == first
    assert run_dev.worker_env(cfg)["EHCP_CODEC_KEY_FILE"] == str(cfg.key_file)
    shown = run_dev.banner(cfg, PIDS, 0.5)
    assert f"export EHCP_CODEC_KEY_FILE={cfg.key_file}" in shown


def test_run_dev_uses_the_developers_own_keys_when_set(tmp_path: Path) -> None:
    run_dev = load_run_dev()
    env = {"EHCP_DATA_DIR": str(tmp_path), "EHCP_CODEC_KEY_FILE": "/run/secrets/k.json"}
    cfg = run_dev.load_config(env)
    assert cfg.key_file is None
    run_dev.ensure_dev_keys(cfg)
    assert not (tmp_path / "dev-codec-keys.json").exists()
    # the CLI is told where the stack is, but never handed a key source of our choosing
    assert "export EHCP_CODEC_KEY_FILE" not in run_dev.banner(cfg, PIDS, 0.5)


def test_run_dev_default_key_file_is_the_one_the_cli_finds() -> None:
    run_dev = load_run_dev()
    assert run_dev.ROOT / "data" / run_dev.DEV_KEY_FILE_NAME == keys_module.DEV_KEY_FILE


def test_run_dev_reports_a_broken_dev_key_file(tmp_path: Path) -> None:
    run_dev = load_run_dev()
    cfg = run_dev.load_config({"EHCP_DATA_DIR": str(tmp_path)})
    cfg.key_file.write_text("{}")
    with pytest.raises(run_dev.DevError, match="make clean-data"):
        run_dev.ensure_dev_keys(cfg)


# --- compression before encryption (issue 15) -------------------------------------------------


def big(text: str = SECRET) -> Payload:
    """A payload well over COMPRESS_FROM: a case's deadlines repeat their field names."""
    return plain(" / ".join([text] * 20))


async def test_a_large_payload_is_compressed_then_encrypted_and_reads_back_whole():
    codec = EncryptionCodec(ring())
    (sealed,) = await codec.encode([big()])
    (uncompressed,) = await EncryptionCodec(ring(), compress=False).encode([big()])
    assert sealed.metadata[COMPRESSION_METADATA] == b"zlib"
    assert COMPRESSION_METADATA not in uncompressed.metadata
    assert len(sealed.data) < len(uncompressed.data) / 4
    assert SECRET.encode() not in sealed.data
    assert (await codec.decode([sealed]))[0] == big()


async def test_a_small_payload_is_not_compressed():
    (sealed,) = await EncryptionCodec(ring()).encode([plain("short")])
    assert COMPRESSION_METADATA not in sealed.metadata
    assert len(plain("short").SerializeToString()) < COMPRESS_FROM


async def test_payloads_written_before_compression_still_read():
    (old,) = await EncryptionCodec(ring(), compress=False).encode([big()])
    assert (await EncryptionCodec(ring()).decode([old]))[0] == big()


async def test_removing_or_adding_the_compression_mark_fails_authentication():
    codec = EncryptionCodec(ring())
    (sealed,) = await codec.encode([big()])
    stripped = Payload()
    stripped.CopyFrom(sealed)
    del stripped.metadata[COMPRESSION_METADATA]
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec.decode([stripped])
    (plain_sealed,) = await EncryptionCodec(ring(), compress=False).encode([big()])
    plain_sealed.metadata[COMPRESSION_METADATA] = b"zlib"
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec.decode([plain_sealed])


async def test_an_unknown_compression_is_refused_by_name():
    (sealed,) = await EncryptionCodec(ring()).encode([big()])
    sealed.metadata[COMPRESSION_METADATA] = b"brotli"
    with pytest.raises(PayloadDecryptionError, match="unknown compression 'brotli'"):
        await EncryptionCodec(ring()).decode([sealed])


def test_the_setting_turns_compression_off_in_the_data_converter():
    settings = Settings(codec_keys=SecretStr(f"k1:{b64(NEW)}"), codec_current_key="k1",
                        codec_compress=False)  # fmt: skip
    codec = data_converter(settings).payload_codec
    assert isinstance(codec, EncryptionCodec)
    assert COMPRESSION_METADATA not in codec.encrypt(big()).metadata
