"""The council running the service: names, addresses, help links and colours (configurable)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from ehcp.text_fields import EmailAddress, OneLine

#: A colour for the email's header bar: "#rrggbb" (inline CSS, so nothing else is allowed).
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]

#: Rutland's own SEND pages (found on rutland.gov.uk): the local offer and its page on
#: disagreeing with an EHC decision (mediation, way forward meetings, appeals).
RUTLAND_LOCAL_OFFER = "https://www.rutland.gov.uk/rutland-information-service/send-local-offer"
RUTLAND_DISAGREEMENTS = f"{RUTLAND_LOCAL_OFFER}/ehcp-disagreements"


class CouncilInfo(BaseModel):
    """Who the council is and where people get help; Rutland by default, all configurable
    (EHCP_COUNCIL__NAME, EHCP_COUNCIL__SENDIASS_URL, ...).

    Every field goes into emails (the name into the From: header) and calendar entries, so
    each is one line of text. A help link that is not set (None) is left out of emails: a
    link is never replaced by the council's home page."""

    name: OneLine = "Rutland County Council"
    send_team_email: EmailAddress = "send@rutland.gov.uk"
    #: the SEND team's phone number, shown in parents' emails when set, e.g. "01572 722577"
    send_team_phone: OneLine | None = None
    #: the council's page on disagreeing with a SEND decision
    send_info_url: OneLine | None = RUTLAND_DISAGREEMENTS
    #: the council's SEND local offer (what support there is, and who gives it)
    local_offer_url: OneLine | None = RUTLAND_LOCAL_OFFER
    sendiass_name: OneLine = "Rutland SENDIASS"
    #: No SENDIASS page was found on rutland.gov.uk, so none is named: set it to show one.
    sendiass_url: OneLine | None = None
    ipsea_url: OneLine | None = "https://www.ipsea.org.uk"
    tribunal_url: OneLine = "https://www.gov.uk/special-educational-needs-disability-tribunal"
    mediation_provider: OneLine = "Global Mediation"
    mediation_url: OneLine | None = "https://www.globalmediation.co.uk"
    #: shown in parents' emails when set, e.g. "0800 123 4567"
    mediation_phone: OneLine | None = None
    #: the email's header bar: background and text colour ("#rrggbb"; keep 4.5:1 contrast)
    header_colour: HexColour = "#1d4f76"
    header_text_colour: HexColour = "#ffffff"

    @property
    def domain(self) -> str:
        """The council's email domain, for calendar UIDs ("rutland.gov.uk")."""
        return self.send_team_email.rsplit("@", 1)[-1].lower()


class ConfiguredCouncil(CouncilInfo):
    """A council named in the councils configuration (EHCP_COUNCILS_FILE or
    EHCP_COUNCILS__<CODE>__<FIELD>): its name, SEND team and advice service must be given, and
    its help links are left out of emails unless given, so that nothing of Rutland's is ever
    shown in another council's emails."""

    model_config = {"extra": "forbid"}

    name: OneLine
    send_team_email: EmailAddress
    sendiass_name: OneLine
    mediation_provider: OneLine
    send_info_url: OneLine | None = None
    local_offer_url: OneLine | None = None
    mediation_url: OneLine | None = None


def councils_from_toml(text: str) -> dict[str, ConfiguredCouncil]:
    """Councils from a TOML document: one table per council code, e.g.

        [rutland]
        name = "Rutland County Council"
        send_team_email = "send@rutland.gov.uk"

    Raises ValueError naming the council and field that is wrong (tomllib.TOMLDecodeError
    is a ValueError too)."""
    import tomllib

    from pydantic import TypeAdapter, ValidationError

    from ehcp.models import CouncilCode, describe_validation_error

    data = tomllib.loads(text)
    try:
        return TypeAdapter(dict[CouncilCode, ConfiguredCouncil]).validate_python(data)
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
