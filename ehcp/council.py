"""The council running the service: names, addresses and help links (configurable)."""

from __future__ import annotations

from pydantic import BaseModel


class CouncilInfo(BaseModel):
    """Who the council is and where people get help; Rutland by default, all configurable."""

    name: str = "Rutland County Council"
    send_team_email: str = "send@rutland.gov.uk"
    send_info_url: str = "https://www.rutland.gov.uk"
    sendiass_name: str = "Rutland SENDIASS"
    sendiass_url: str = "https://www.rutland.gov.uk"
    ipsea_url: str = "https://www.ipsea.org.uk"
    tribunal_url: str = "https://www.gov.uk/special-educational-needs-disability-tribunal"
    mediation_provider: str = "Global Mediation"
    mediation_url: str = "https://www.globalmediation.co.uk"
    #: shown in parents' emails when set, e.g. "0800 123 4567"
    mediation_phone: str | None = None

    @property
    def domain(self) -> str:
        """The council's email domain, for calendar UIDs ("rutland.gov.uk")."""
        return self.send_team_email.rsplit("@", 1)[-1].lower()
