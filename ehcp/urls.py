"""Provider endpoints: https only, except a loopback address (a local stand-in in tests).

Every setting that names a provider host (EHCP_SENDGRID_HOST, and any later one) goes through
`provider_url`, so an API key is never sent in clear text over a network.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def provider_url(value: str, what: str = "provider host") -> str:
    """`value` unchanged (without a trailing /) if it is an https URL with a host, or http to
    a loopback address. Raises ValueError saying what is wrong and what is allowed."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(
            f"{what} {value!r} is not a URL like https://api.sendgrid.com "
            "(scheme https, then the host name)"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"{what} {value!r} uses http: the API key would cross the network unencrypted; "
            "use https (http is allowed only to localhost, 127.0.0.1 or ::1)"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"{what} {value!r} must not carry credentials, a query or a fragment")
    return value.strip().rstrip("/")


def _setting(value: str) -> str:
    return provider_url(value)


#: a settings field type for any provider host
ProviderURL = Annotated[str, AfterValidator(_setting)]
