"""REST API for units, households, residents, responsibility areas and township rules (/api/v1/).

Each view parses with an explicit serializer, checks access through the user's Scope
(people.access), calls one service or selector and serializes. Objects outside the scope answer
404; objects in sight that the user may not change answer 403. ID and phone numbers are always
masked here; the identity endpoint alone shows them in full, and logs each view.

config/api_urls.py uses the views below, and people.api the shared plumbing of _common.
"""

from ._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorSerializer,
    ScopedField,
    ScopedHouseholdField,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    reason_field,
    require_household,
    require_unit,
    scope_of,
)
from .areas import AreaDetail, AreaList, AreaReassign
from .config import TownshipConfigView
from .households import HouseholdDetail, HouseholdList, HouseholdMove, UnitHouseholds
from .residents import ResidentDetail, ResidentIdentity, ResidentList
from .units import UnitDetail, UnitList, UnitMove

__all__ = [
    "READ_ERRORS",
    "WRITE_ERRORS",
    "AreaDetail",
    "AreaList",
    "AreaReassign",
    "ErrorSerializer",
    "HouseholdDetail",
    "HouseholdList",
    "HouseholdMove",
    "ResidentDetail",
    "ResidentIdentity",
    "ResidentList",
    "ScopedField",
    "ScopedHouseholdField",
    "ScopedUnitField",
    "TownshipConfigView",
    "UnitDetail",
    "UnitHouseholds",
    "UnitList",
    "UnitMove",
    "UnitRefSerializer",
    "parse",
    "reason_field",
    "require_household",
    "require_unit",
    "scope_of",
]
