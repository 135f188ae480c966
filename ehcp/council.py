"""The council running the service: names, addresses and help links (configurable)."""

from __future__ import annotations

from pydantic import BaseModel

from ehcp.text_fields import EmailAddress, OneLine


class CouncilInfo(BaseModel):
    """Who the council is and where people get help; Rutland by default, all configurable.

    Every field goes into emails (the name into the From: header) and calendar entries, so
    each is one line of text, and the address is stored in ASCII (ehcp.models)."""

    name: OneLine = "Rutland County Council"
    send_team_email: EmailAddress = "send@rutland.gov.uk"
    send_info_url: OneLine = "https://www.rutland.gov.uk"
    sendiass_name: OneLine = "Rutland SENDIASS"
    sendiass_url: OneLine = "https://www.rutland.gov.uk"
    ipsea_url: OneLine = "https://www.ipsea.org.uk"
    tribunal_url: OneLine = "https://www.gov.uk/special-educational-needs-disability-tribunal"
    mediation_provider: OneLine = "Global Mediation"
    mediation_url: OneLine = "https://www.globalmediation.co.uk"
    #: shown in parents' emails when set, e.g. "0800 123 4567"
    mediation_phone: OneLine | None = None

    @property
    def domain(self) -> str:
        """The council's email domain, for calendar UIDs ("rutland.gov.uk")."""
        return self.send_team_email.rsplit("@", 1)[-1].lower()
