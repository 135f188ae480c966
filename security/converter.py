"""The one data converter for every client and worker: pydantic payloads, encrypted, with
failure messages and stack traces moved into encrypted attributes too."""

from __future__ import annotations

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

from security.codec import EncryptionCodec
from security.keys import CodecKeySettings, Keyring, keyring_from_settings

#: One pydantic JSON converter for the whole process, so its TypeAdapter cache is too.
_PYDANTIC_JSON = PydanticJSONPlainPayloadConverter()


class SharedPydanticPayloadConverter(CompositePayloadConverter):
    """The SDK's PydanticPayloadConverter, but cheap to build: the worker builds a payload
    converter for every workflow activation, and each new pydantic converter started with an
    empty TypeAdapter cache, so every payload it read built a TypeAdapter again (a tenth of
    the worker's CPU per event, docs/performance.md)."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _PYDANTIC_JSON if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


def data_converter(source: CodecKeySettings | Keyring) -> DataConverter:
    """From Settings (EHCP_CODEC_* keys) or a ready keyring. Raises KeyConfigError when the
    key configuration is missing or wrong."""
    keyring = source if isinstance(source, Keyring) else keyring_from_settings(source)
    return DataConverter(
        payload_converter_class=SharedPydanticPayloadConverter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
