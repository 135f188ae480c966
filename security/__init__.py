"""Payload encryption: keyring, codec, data converter (see docs/encryption.md)."""
