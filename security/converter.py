"""The one data converter for every client and worker: pydantic payloads, encrypted, with
failure messages and stack traces moved into encrypted attributes too."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    EncodingPayloadConverter,
    JSONPlainPayloadConverter,
)
from temporalio.exceptions import ApplicationError

from ehcp.models import describe_validation_error
from security.codec import EncryptionCodec
from security.keys import CodecKeySettings, Keyring, keyring_from_settings
from security.refused import REFUSED_ENCODING, UnencryptedPayloadRefused


class RefusedPayloadConverter(EncodingPayloadConverter):
    """Reads the codec's stand-in for an unencrypted payload: always refuses, plainly."""

    @property
    def encoding(self) -> str:
        return REFUSED_ENCODING.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None  # never writes one

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        raise UnencryptedPayloadRefused()


class ValidatingPydanticJSONConverter(PydanticJSONPlainPayloadConverter):
    """Pydantic JSON, where a payload that fails validation is a non-retryable
    `ApplicationError` (type "InvalidPayload") naming each bad field.

    The SDK wraps any other decoding error in "Failed decoding arguments" and fails the
    workflow *task*, which is retried for ever: a start made by another client with, say,
    decision_date 2010-01-01 would leave the case stuck. A failure error instead fails the
    workflow at once (start input), rejects the update (update input) or fails the activity
    without retrying (activity input), each with the validation message.
    """

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        try:
            return super().from_payload(payload, type_hint)
        except ValidationError as error:
            name = getattr(type_hint, "__name__", None) or "payload"
            raise ApplicationError(
                f"invalid {name}: {describe_validation_error(error)}",
                type="InvalidPayload",
                non_retryable=True,
            ) from None


#: One pydantic JSON converter for the whole process, so its TypeAdapter cache is too.
_PYDANTIC_JSON = ValidatingPydanticJSONConverter()


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
            ),
            RefusedPayloadConverter(),
        )


def data_converter(
    source: CodecKeySettings | Keyring, allow_plaintext: bool | None = None
) -> DataConverter:
    """From Settings (EHCP_CODEC_* keys, EHCP_CODEC_ALLOW_PLAINTEXT, EHCP_CODEC_COMPRESS) or a
    ready keyring (plaintext refused unless `allow_plaintext`; large payloads compressed).
    Raises KeyConfigError when the key configuration is missing or wrong."""
    keyring = source if isinstance(source, Keyring) else keyring_from_settings(source)
    if allow_plaintext is None:
        allow_plaintext = bool(getattr(source, "codec_allow_plaintext", False))
    compress = bool(getattr(source, "codec_compress", True))
    return DataConverter(
        payload_converter_class=SharedPydanticPayloadConverter,
        payload_codec=EncryptionCodec(keyring, allow_plaintext, compress),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
