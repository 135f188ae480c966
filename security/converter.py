"""The one data converter for every client and worker: pydantic payloads, encrypted, with
failure messages and stack traces moved into encrypted attributes too."""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from security.codec import EncryptionCodec
from security.keys import CodecKeySettings, Keyring, keyring_from_settings


def data_converter(source: CodecKeySettings | Keyring) -> DataConverter:
    """From Settings (EHCP_CODEC_* keys) or a ready keyring. Raises KeyConfigError when the
    key configuration is missing or wrong."""
    keyring = source if isinstance(source, Keyring) else keyring_from_settings(source)
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
