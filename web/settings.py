"""Settings of the caseworker pages: sessions, staff sign-in (OIDC) and claim mappings.

Environment variables with the prefix `EHCP_WEB_`. Production uses the council's identity
provider (Microsoft Entra ID or similar, docs/web.md); `make run` points these at the local
mock provider.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROLES = ("viewer", "caseworker", "manager")


class WebSettings(BaseSettings):
    """Where staff sign in and how their council and role are read from the ID token."""

    model_config = SettingsConfigDict(env_prefix="EHCP_WEB_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    #: signs the session cookie; a random one per process when unset (sessions end at restart)
    session_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)))
    #: a signed-in person who does nothing for this long must sign in again (minutes)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: the pages' public URL (e.g. https://send.rutland.gov.uk) for the sign-in redirect;
    #: unset: taken from each request
    base_url: str | None = None
    #: served over TLS (directly or behind a proxy): Secure cookies and HSTS
    https: bool = False
    #: the identity provider's issuer URL (its /.well-known/openid-configuration is read);
    #: unset: staff sign-in is off and only the public calculator is served
    oidc_issuer: str | None = None
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_scopes: str = "openid profile email"
    #: the claim with the person's display name (recorded as `recorded_by`)
    oidc_name_claim: str = "name"
    #: the claim listing the person's groups (Entra ID: "groups", object ids)
    oidc_groups_claim: str = "groups"
    #: group -> "council:role", e.g. {"3f2a...": "rutland:caseworker"}; a person in no mapped
    #: group cannot sign in; in several, the first mapped group in the claim wins
    oidc_group_map: Annotated[dict[str, str], NoDecode] = {}

    @field_validator("oidc_group_map", mode="before")
    @classmethod
    def _parse_map(cls, value: object) -> object:
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"must be a JSON object of group -> council:role ({exc})"
                ) from None
        return value

    @field_validator("oidc_group_map")
    @classmethod
    def _check_map(cls, value: dict[str, str]) -> dict[str, str]:
        for group, target in value.items():
            council, _, role = target.partition(":")
            if not council or role not in ROLES:
                raise ValueError(
                    f"group {group!r} maps to {target!r}: use council:role with a role of "
                    f"{', '.join(ROLES)}"
                )
        return value


#: the local OIDC provider's demo staff (`make run`, browser tests): sub -> claims
DEMO_STAFF: dict[str, dict[str, object]] = {
    "alex.caseworker@rutland.gov.uk": {
        "name": "Alex Caseworker",
        "email": "alex.caseworker@rutland.gov.uk",
        "groups": ["rutland-send-caseworkers"],
    },
    "morgan.manager@rutland.gov.uk": {
        "name": "Morgan Manager",
        "email": "morgan.manager@rutland.gov.uk",
        "groups": ["rutland-send-managers"],
    },
    "sam.caseworker@leics.gov.uk": {
        "name": "Sam Caseworker",
        "email": "sam.caseworker@leics.gov.uk",
        "groups": ["leicestershire-send-caseworkers"],
    },
}
#: the group mapping that goes with DEMO_STAFF
DEMO_GROUP_MAP = {
    "rutland-send-caseworkers": "rutland:caseworker",
    "rutland-send-managers": "rutland:manager",
    "leicestershire-send-caseworkers": "leicestershire:caseworker",
}
