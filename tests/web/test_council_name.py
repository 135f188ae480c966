"""The pages name a council as configured (EHCP_COUNCILS_FILE), not by its code."""

from __future__ import annotations

from ehcp.council import councils_from_toml
from web.templating import ENV


def test_a_configured_council_is_shown_by_its_name_and_another_as_words(monkeypatch) -> None:
    councils = councils_from_toml(
        '[northshire]\nname = "Northshire Council"\nsend_team_email = "send@northshire.example.org"'
        '\nsendiass_name = "Northshire SENDIASS"\nmediation_provider = "Northshire Mediation"\n'
    )
    monkeypatch.setitem(ENV.globals, "councils", councils)
    template = ENV.from_string("{{ code | council_name }}")
    assert template.render(code="northshire") == "Northshire Council"
    assert template.render(code="old-council") == "Old-council"
