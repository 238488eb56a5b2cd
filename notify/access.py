"""Who may manage a unit's work-group robots (built on people.access)."""

from core.scope import MANAGE, Scope
from places.models import Unit


def can_manage_robots(scope: Scope, unit: Unit) -> bool:
    """Those who manage the unit (township officials; village committees for their village and
    its grids) add, disable and test its robots and see its deliveries."""
    return scope.covers_unit(unit, MANAGE)
