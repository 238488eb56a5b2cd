"""The roster of some households as an .xlsx, one row per resident."""

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from core.excel import export_rows

from ..models import Resident
from .rows import ROSTER_COLUMNS, ROSTER_WIDTHS, RosterRow

R = Resident.Relation


def export_roster(households_qs) -> bytes:
    """The roster of `households_qs` (already limited to the user's scope), one row per resident.

    ID numbers and phones are MASKED (an export is a list view); names are in full, because
    officials need them to work. Households without residents have no row.
    """
    head_first = Case(
        When(relation=R.HEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    residents = (
        Resident.objects.filter(household__in=households_qs.values("pk"))
        .select_related("household__group__village", "household__joint__parent")
        .order_by("household__township_id", "household__number", head_first, "pk")
    )
    rows = (
        RosterRow.from_resident(r).cells(masked=True) for r in residents.iterator(chunk_size=2000)
    )
    return export_rows(
        title=_("Household roster"), headers=ROSTER_COLUMNS, rows=rows, widths=ROSTER_WIDTHS
    )
