"""Reads of places, always limited by a Scope (see core.scope and people.access)."""

from django.db.models import Count, Q, QuerySet

from core import tree
from core.scope import VIEW, Scope

from .models import Household, Resident, ResponsibilityArea, Unit


def units(scope: Scope, cap: str = VIEW) -> QuerySet[Unit]:
    return Unit.objects.filter(scope.units_q(cap)).select_related("village", "township")


def unit_subtree(unit: Unit) -> Q:
    return tree.under("path", unit.path)


def households(scope: Scope, cap: str = VIEW) -> QuerySet[Household]:
    return Household.objects.filter(scope.households_q(cap)).select_related(
        "group", "joint", "joint__parent", "township"
    )


def households_under(scope: Scope, unit: Unit, cap: str = VIEW) -> QuerySet[Household]:
    """Households of `unit`'s subtree (by group path or 联户 path) that the scope may see."""
    field = "joint_path" if unit.is_grid_tree else "group_path"
    return households(scope, cap).filter(tree.under(field, unit.path))


def residents(scope: Scope, cap: str = VIEW) -> QuerySet[Resident]:
    return Resident.objects.filter(scope.households_q(cap, prefix="household__")).select_related(
        "household"
    )


def areas(scope: Scope, cap: str = VIEW) -> QuerySet[ResponsibilityArea]:
    if scope.is_superuser:
        query = Q()
    else:
        paths = scope.paths_for(cap)
        query = tree.under_any("grid_path", paths) | tree.under_any("grid__village__path", paths)
    return ResponsibilityArea.objects.filter(query).select_related("grid", "owner")


def children_with_counts(scope: Scope, unit: Unit) -> QuerySet[Unit]:
    """The visible children of `unit`, each with its number of households."""
    return (
        units(scope)
        .filter(parent=unit)
        .annotate(n_children=Count("children", distinct=True))
        .order_by("kind", "path")
    )


def household_count(scope: Scope, unit: Unit) -> int:
    return households_under(scope, unit).count()


def search(scope: Scope, text: str, limit: int = 50) -> QuerySet[Resident]:
    """Residents by name (contains) or by the last digits of their ID number."""
    text = (text or "").strip().upper()
    if not text:
        return residents(scope).none()
    if text.isdigit() or (text[:-1].isdigit() and text.endswith("X")):
        query = Q(id_number__endswith=text)
    else:
        query = Q(name__contains=text)
    return residents(scope).filter(query).select_related("household__group")[:limit]


def township_of(scope: Scope) -> QuerySet[Unit]:
    """The townships the scope reaches."""
    return units(scope).filter(kind=Unit.Kind.TOWNSHIP)
