"""Who may record what in the record of work, built on people.access (the home of access checks).

Seeing follows the tree (VIEW on the record's unit). Recording work needs CHANGE on the unit;
a village decision needs CHANGE on the village (its committee, or township officials); a budget
needs MANAGE on the township, a spending entry CHANGE on it.
"""

from core.scope import CHANGE, MANAGE, VIEW, Scope
from places import selectors as place_selectors
from places.models import Unit

RECORDING_KINDS = (
    Unit.Kind.COUNTY,
    Unit.Kind.TOWNSHIP,
    Unit.Kind.VILLAGE,
    Unit.Kind.COMMUNITY,
    Unit.Kind.GRID,
)
REPORT_KINDS = RECORDING_KINDS


def can_record(scope: Scope, unit: Unit) -> bool:
    return scope.covers_unit(unit, CHANGE)


def can_decide(scope: Scope, village: Unit) -> bool:
    return scope.covers_unit(village, CHANGE)


def can_set_budget(scope: Scope, township: Unit) -> bool:
    return scope.covers(township.path, MANAGE)


def can_spend(scope: Scope, township: Unit) -> bool:
    return scope.covers(township.path, CHANGE)


def can_see_funding(scope: Scope, township: Unit) -> bool:
    return scope.covers(township.path, VIEW)


def recording_units(scope: Scope):
    """Units the user may record work against (joints and groups are recorded on their grid
    or village)."""
    return (
        place_selectors.units(scope, CHANGE)
        .filter(kind__in=RECORDING_KINDS, is_active=True)
        .order_by("path")
    )


def report_units(scope: Scope):
    return place_selectors.units(scope).filter(kind__in=REPORT_KINDS).order_by("path")


def top_unit(scope: Scope) -> Unit | None:
    """The highest unit the user sees: the default of the statistics page."""
    return report_units(scope).order_by("path").first()
