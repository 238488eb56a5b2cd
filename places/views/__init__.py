"""Pages of places: the tree browser, search, households, residents, responsibility areas,
the township's rules, roster files and Excel exports of the lists.

Each view: parse the form, fetch through a scope-limited selector (out of scope is a 404),
check the capability (people.access; refused is a 403), call one service, render.
places/urls.py and people.views use the names below.
"""

from .areas import area_add, area_detail, area_reassign, unit_areas_export
from .households import household_add_member, household_detail, household_edit, household_move
from .residents import (
    identity_views,
    resident_detail,
    resident_edit,
    resident_identity,
    search,
    search_export,
)
from .units import (
    render_unit,
    township_config,
    unit_detail,
    unit_export,
    unit_import,
    unit_roles_export,
)

__all__ = [
    "area_add",
    "area_detail",
    "area_reassign",
    "household_add_member",
    "household_detail",
    "household_edit",
    "household_move",
    "identity_views",
    "render_unit",
    "resident_detail",
    "resident_edit",
    "resident_identity",
    "search",
    "search_export",
    "township_config",
    "unit_areas_export",
    "unit_detail",
    "unit_export",
    "unit_import",
    "unit_roles_export",
]
