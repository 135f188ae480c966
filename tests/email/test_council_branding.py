"""Each case's emails are its own council's: name, SEND team, help links, colours, From: name
and Reply-To, from the councils configuration (EHCP_COUNCILS_FILE or EHCP_COUNCILS__...)."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from pydantic import ValidationError

from activities.notify import NotificationActivities
from activities.outbox import OutboxSender
from ehcp.council import CouncilInfo, councils_from_toml
from ehcp.settings import Settings
from tests.email.cases import parent_reminder

COUNCILS_TOML = """
[rutland]
name = "Rutland County Council"
send_team_email = "send@rutland.gov.uk"
sendiass_name = "Rutland SENDIASS"
mediation_provider = "Global Mediation"
local_offer_url = "https://www.rutland.gov.uk/rutland-information-service/send-local-offer"

[northshire]
name = "Northshire Council"
send_team_email = "send.team@northshire.example.org"
send_team_phone = "01234 567890"
sendiass_name = "Northshire SENDIASS"
sendiass_url = "https://sendiass.northshire.example.org"
mediation_provider = "Northshire Mediation"
mediation_url = "https://mediation.northshire.example.org"
local_offer_url = "https://northshire.example.org/local-offer"
header_colour = "#0b0c0c"
"""


def _settings(tmp_path: Path, text: str = COUNCILS_TOML) -> Settings:
    path = tmp_path / "councils.toml"
    path.write_text(text, encoding="utf-8")
    return Settings(councils_file=path)


def _sent(tmp_path: Path, council: str, settings: Settings):
    outbox_dir = tmp_path / f"outbox-{council}"
    outbox = OutboxSender(outbox_dir, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk",
                          "Rutland County Council SEND team")  # fmt: skip
    activities = NotificationActivities(
        outbox, outbox, settings.council_info("rutland"), settings.councils
    )
    n = parent_reminder().model_copy(update={"council": council})
    activities.deliver(n)
    (path,) = outbox_dir.glob("*.eml")
    return message_from_bytes(path.read_bytes(), policy=default_policy)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_an_email_of_another_council_is_that_councils_throughout(tmp_path) -> None:
    message = _sent(tmp_path, "northshire", _settings(tmp_path))
    text, html = _text(message), message.get_body(preferencelist=("html",)).get_content()
    assert message["From"] == "Northshire Council SEND team <send-reminders@rutland.gov.uk>"
    assert message["Reply-To"] == "send.team@northshire.example.org"
    assert "Rutland" not in text and "rutland" not in text.replace(
        "send-reminders@rutland.gov.uk", ""
    )
    assert "Email the Northshire Council SEND team" in text
    assert "write to send.team@northshire.example.org (phone 01234 567890)." in text
    assert "https://northshire.example.org/local-offer" in text
    assert "Northshire Mediation: free mediation" in text
    assert "Northshire SENDIASS: free advice for families" in text
    assert "#0b0c0c" in html


def test_the_default_councils_email_keeps_the_senders_own_from_and_reply_to(tmp_path) -> None:
    message = _sent(tmp_path, "rutland", _settings(tmp_path))
    assert message["From"] == "Rutland County Council SEND team <send-reminders@rutland.gov.uk>"
    assert message["Reply-To"] == "send@rutland.gov.uk"
    assert "Email the Rutland County Council SEND team" in _text(message)
    assert "(phone" not in _text(message)  # no phone configured for Rutland


def test_a_case_of_a_council_no_longer_configured_still_gets_the_default_councils_email(
    tmp_path,
) -> None:
    message = _sent(tmp_path, "phantom", _settings(tmp_path))
    assert "Email the Rutland County Council SEND team" in _text(message)


def test_unconfigured_the_service_has_one_council_rutland() -> None:
    settings = Settings()
    assert list(settings.councils) == ["rutland"]
    assert settings.council_info("rutland") == CouncilInfo()
    assert settings.council_info("rutland").name == "Rutland County Council"


def test_councils_from_the_environment(monkeypatch) -> None:
    for field, value in {
        "NAME": "Northshire Council",
        "SEND_TEAM_EMAIL": "send@northshire.example.org",
        "SENDIASS_NAME": "Northshire SENDIASS",
        "MEDIATION_PROVIDER": "Northshire Mediation",
    }.items():
        monkeypatch.setenv(f"EHCP_COUNCILS__NORTHSHIRE__{field}", value)
    settings = Settings()
    assert list(settings.councils) == ["northshire"]
    # nothing of Rutland's is assumed for another council: its links are left out
    assert settings.councils["northshire"].local_offer_url is None
    assert settings.councils["northshire"].send_info_url is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[northshire]\nname = "Northshire Council"\n', "northshire.send_team_email: required"),
        ('["North Shire"]\nname = "x"\n', "is not in the right form (allowed: 2 to 40 lower-case"),
        (
            COUNCILS_TOML.replace('header_colour = "#0b0c0c"', 'header_colour = "black"'),
            "northshire.header_colour: 'black' is not in the right form (allowed: a colour "
            "written #rrggbb",
        ),
        (COUNCILS_TOML + "\n[rutland.extra]\n", "rutland.extra: not a field here: remove it"),
        ("[rutland\n", "EHCP_COUNCILS_FILE="),
        ("", "names no council"),
    ],
)
def test_a_wrong_councils_file_is_refused_in_words(tmp_path, text, says) -> None:
    with pytest.raises(ValidationError) as caught:
        _settings(tmp_path, text)
    assert says in str(caught.value)
    assert "should match pattern" not in str(caught.value)


def test_councils_from_toml_reads_each_table() -> None:
    councils = councils_from_toml(COUNCILS_TOML)
    assert sorted(councils) == ["northshire", "rutland"]
    assert councils["northshire"].send_team_phone == "01234 567890"


def test_the_example_councils_file_gives_rutland_exactly_as_the_default() -> None:
    example = Path(__file__).resolve().parents[2] / "deploy" / "councils.example.toml"
    settings = Settings(councils_file=example)
    assert list(settings.councils) == ["rutland"]
    assert settings.councils["rutland"].model_dump() == CouncilInfo().model_dump()
