"""Staff references (security/staff_ref.py) and the caseworker filter: the email address is
compared through its reference, and the same person always gets the same reference."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from pydantic import SecretStr, ValidationError

from ehcp.settings import Settings
from security.keys import KeyConfigError
from security.staff_ref import STAFF_REF_PATTERN, parse_key, staff_ref, staff_ref_key
from service.listing import CaseFilter, record_filter

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_one_person_one_reference_whatever_the_case_or_spaces():
    ref = staff_ref("alex.cw@rutland.gov.uk", KEY)
    assert STAFF_REF_PATTERN.match(ref)
    assert staff_ref("  Alex.CW@Rutland.gov.uk ", KEY) == ref
    assert staff_ref("robin.cw@rutland.gov.uk", KEY) != ref
    # keyed: the reference cannot be worked out from a list of likely addresses without it
    assert staff_ref("alex.cw@rutland.gov.uk", OTHER_KEY) != ref
    assert "alex" not in ref and "rutland" not in ref


def test_key_from_its_setting_or_derived_from_the_payload_key(monkeypatch):
    given = Settings(staff_ref_key=SecretStr(base64.b64encode(KEY).decode()))
    assert staff_ref_key(given) == KEY
    ring = f"k1:{base64.b64encode(OTHER_KEY).decode()}"
    derived = Settings(codec_keys=SecretStr(ring), codec_current_key="k1")
    key = staff_ref_key(derived)
    assert len(key) == 32 and key != OTHER_KEY  # never the payload key itself
    assert staff_ref_key(Settings(codec_keys=SecretStr(ring), codec_current_key="k1")) == key


@pytest.mark.parametrize(
    ("text", "words"),
    [("not base64!", "not base64"), (base64.b64encode(b"short").decode(), "5 bytes")],
)
def test_a_bad_key_is_refused_when_the_settings_load(text, words):
    with pytest.raises(KeyConfigError, match=words):
        parse_key(text)
    with pytest.raises(ValidationError, match="EHCP_STAFF_REF_KEY"):
        Settings(staff_ref_key=SecretStr(text))


def test_caseworker_filter_reads_the_reference_never_the_address():
    ref = staff_ref("alex.cw@rutland.gov.uk", KEY)
    flt = CaseFilter(caseworker="alex.cw@rutland.gov.uk", council="rutland")
    made = record_filter(flt, date(2026, 11, 30), ref)
    assert (made.caseworker_id, made.council) == (ref, "rutland")
    assert "@" not in made.caseworker_id
    with pytest.raises(ValidationError):
        CaseFilter(caseworker="not an address")


def test_cli_caseworker_option_checks_the_address_before_any_connection():
    import argparse

    from cli.argtypes import email_address

    assert email_address("alex.cw@rutland.gov.uk") == "alex.cw@rutland.gov.uk"
    with pytest.raises(argparse.ArgumentTypeError, match="is not an email address"):
        email_address("alex")
