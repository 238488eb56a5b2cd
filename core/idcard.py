"""Resident ID numbers (GB 11643-1999): 18 characters with a mod-11 check character."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11
ID_RE = re.compile(r"^\d{17}[\dX]$")


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def sex_of(value: str) -> str:
    """'M' or 'F' from the sequence number's last digit (odd for men)."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise a ValidationError saying what is wrong."""
    value = normalize(value)
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d."),
            code="id_length",
            params={"n": len(value)},
        )
    if not ID_RE.match(value):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_chars"
        )
    born = birth_date(value)
    if born is None or born > datetime.date.today() or born.year < 1880:
        raise ValidationError(_("The birth date in the ID number is not valid."), code="id_birth")
    if check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of the ID number is wrong."), code="id_check_digit"
        )
    return value
