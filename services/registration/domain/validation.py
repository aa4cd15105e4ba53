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

from services.registration.locale import _
from shared.platform.i18n import Text

PERSONAL_ID = re.compile(r"^[0-9]{12}$")
# Birth-registration province codes that open a citizen id (căn cước công dân), Circular 07/2016/TT-BCA
# and its amendments: the 63 provinces before the 2025 merger (ids issued before keep their codes).
BIRTH_PROVINCES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024",
    "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
    "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070",
    "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
})


def ascii_digits(raw: str) -> str:
    """Any Unicode decimal digit (fullwidth, Arabic-Indic, Devanagari ...) as its ASCII digit, so one id
    cannot be registered five times in five scripts."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in raw)


def citizen_id(value: str, this_year: int) -> Text | None:
    """Why a 12-digit citizen id cannot be one, or None: the province of birth registration (3 digits),
    the century and sex (0-9: 0/1 = 1900s, 2/3 = 2000s ...), the year of birth (2 digits), 6 more."""
    if value[:3] not in BIRTH_PROVINCES:
        return _("no province code {code}", code=value[:3])
    born = 1900 + 100 * (int(value[3]) // 2) + int(value[4:6])
    if born > this_year or born < this_year - 130:
        return _("birth year {born} is not possible", born=born)
    return None


def text(value: str) -> str:
    """Vietnamese text kept exactly as meant: NFC (one code point per accented letter), trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def tax_code(raw: str, this_year: int = 2100) -> str:
    """Mã số thuế: 10 digits with a check digit, a branch as NNNNNNNNNN-NNN, or (household
    businesses, since 1 July 2025) the owner's 12-digit personal id number, checked for its structure."""
    compact = re.sub(r"[\s.]", "", ascii_digits(raw))
    if PERSONAL_ID.match(compact):
        if problem := citizen_id(compact, this_year):
            raise ValueError(_("Invalid personal id number: {problem}", problem=problem))
        return compact
    try:
        return mst.format(mst.validate(compact))
    except StdnumError:
        raise ValueError(
            _("Invalid tax code: 10 digits with a valid check digit, 13 as NNNNNNNNNN-NNN for a branch, "
              "or a 12-digit personal id for a household business")
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
            _("Not a valid Vietnamese mobile number (e.g. 0912 345 678)")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
