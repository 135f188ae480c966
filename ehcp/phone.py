"""UK mobile numbers: validated and normalised to E.164 with `phonenumbers` (Google's
libphonenumber data), so that text messages go only to numbers that can receive them.

GOV.UK Notify sends text messages to UK mobiles (international sending is a paid, per-service
option councils rarely turn on), so a landline, a non-geographic number or a number outside
the UK is refused with the reason, when the contact is recorded, not when a reminder is due.
"""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from pydantic import AfterValidator

_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "a landline",
    PhoneNumberType.TOLL_FREE: "a freephone number",
    PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    PhoneNumberType.SHARED_COST: "a shared-cost number",
    PhoneNumberType.VOIP: "an internet (VoIP) number",
    PhoneNumberType.PERSONAL_NUMBER: "a personal (070) number",
    PhoneNumberType.PAGER: "a pager number",
    PhoneNumberType.UAN: "a non-geographic (03) number",
    PhoneNumberType.VOICEMAIL: "a voicemail number",
}


#: +44 numbers: the UK and the Crown Dependencies (Guernsey, Jersey, the Isle of Man), which
#: UK mobile networks, and Notify, treat as UK numbers
UK_REGIONS = ("GB", "GG", "JE", "IM", None)


def uk_mobile(value: str) -> str:
    """`value` as an E.164 UK mobile number ("07700 900123" -> "+447700900123").

    Accepts the usual ways of writing one (spaces, hyphens, brackets, 07..., +44 7..., 0044).
    Raises ValueError naming what is wrong: not a number, not a UK number, or a UK number
    that cannot receive text messages (a landline, freephone, ...).
    """
    text = value.strip()
    try:
        number = phonenumbers.parse(text, "GB")
    except NumberParseException:
        raise ValueError(
            "not a phone number: give a UK mobile number such as 07400 123456"
        ) from None
    region = phonenumbers.region_code_for_number(number)
    if number.country_code != 44 or region not in UK_REGIONS:
        raise ValueError(
            f"not a UK number (country code +{number.country_code}): text messages go only "
            "to UK mobile numbers (07...)"
        )
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            "not a valid UK number (wrong length or unused range): a UK mobile number "
            "has 11 digits starting 07, such as 07400 123456"
        )
    kind = phonenumbers.number_type(number)
    if kind != PhoneNumberType.MOBILE:
        what = _TYPE_NAMES.get(kind, "not a mobile number")
        raise ValueError(
            f"{what}, which cannot receive text messages: give a UK mobile number (07...)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


#: a UK mobile number, stored in E.164 (+447...)
UKMobile = Annotated[str, AfterValidator(uk_mobile)]
