"""Validation of the values people type: tax codes, phone numbers, names. Pure functions.

Each raises ValueError with a Vietnamese message followed by the English one, which the entry
points show next to the field.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

PERSONAL_ID = re.compile(r"^\d{12}$")


def text(value: str) -> str:
    """Vietnamese text kept exactly as meant: NFC (one code point per accented letter), trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def tax_code(raw: str) -> str:
    """Mã số thuế: 10 digits with a check digit, a branch as NNNNNNNNNN-NNN, or (household
    businesses, since 1 July 2025) the owner's 12-digit personal id number."""
    compact = re.sub(r"[\s.]", "", raw)
    if PERSONAL_ID.match(compact):
        return compact
    try:
        return mst.format(mst.validate(compact))
    except StdnumError:
        raise ValueError(
            "Mã số thuế không hợp lệ: cần 10 chữ số (đúng chữ số kiểm tra), 13 chữ số dạng NNNNNNNNNN-NNN "
            "cho chi nhánh, hoặc 12 chữ số định danh cá nhân cho hộ kinh doanh / "
            "Invalid tax code: 10 digits with a valid check digit, 13 as NNNNNNNNNN-NNN for a branch, "
            "or a 12-digit personal id for a household business"
        ) from None


def mobile_phone(raw: str) -> str:
    """A Vietnamese mobile number, normalised to +84..."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        number = None
    valid = (
        number is not None
        and number.country_code == 84
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )
    if not valid:
        raise ValueError(
            "Số điện thoại di động Việt Nam không hợp lệ (ví dụ 0912 345 678) / "
            "Not a valid Vietnamese mobile number (e.g. 0912 345 678)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
