"""Reads of places, always limited by a Scope (see core.scope and people.access)."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from core import tree
from core.models import AuditEntry
from core.scope import MANAGE, VIEW, Scope

from .models import Household, Resident, ResponsibilityArea, TownshipConfig, Unit


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


# --- Reads for the pages: counts in a fixed number of queries, whatever the tree's size. ------


def _household_field(unit: Unit) -> str:
    return "joint_path" if unit.is_grid_tree else "group_path"


def visible_ancestors(scope: Scope, unit: Unit) -> QuerySet[Unit]:
    """The ancestors of `unit` the scope may see, root first (for a breadcrumb)."""
    return units(scope).filter(path__in=unit.ancestor_paths()).order_by("path")


def household_counts_by_child(scope: Scope, unit: Unit) -> dict[str, int]:
    """{child path: visible households under it} for the children of `unit`, one query per tree.

    A township has children in both trees (villages by group path, level-2 grids by 联户 path).
    """
    fields = ["group_path", "joint_path"] if unit.kind == Unit.Kind.TOWNSHIP else []
    fields = fields or [_household_field(unit)]
    size = len(unit.path) + tree.SEGMENT
    counts: dict[str, int] = {}
    for field in fields:
        rows = (
            Household.objects.filter(scope.households_q(), tree.under(field, unit.path))
            .annotate(child=Substr(field, 1, size))
            .values("child")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts.update({row["child"]: row["n"] for row in rows})
    return counts


def household_rows(scope: Scope, unit: Unit) -> QuerySet[Household]:
    """Visible households under `unit` with their head's name and member count, by number."""
    head = Resident.objects.filter(household=OuterRef("pk"), relation=Resident.Relation.HEAD)
    return (
        households_under(scope, unit)
        .annotate(n_members=Count("members"), head_name=Subquery(head.values("name")[:1]))
        .order_by("number")
    )


def subtree_counts(scope: Scope, roots) -> dict[int, dict]:
    """For each unit in `roots`: visible households, residents and sub-units under it.

    "units" lists (kind, label, count) for each kind present below the unit.
    Three queries in all (conditional counts), however many roots there are.
    """
    roots = list(roots)
    if not roots:
        return {}
    hh = {f"u{r.pk}": Count("id", filter=tree.under(_household_field(r), r.path)) for r in roots}
    people = {
        f"u{r.pk}": Count("id", filter=tree.under(f"household__{_household_field(r)}", r.path))
        for r in roots
    }
    household_counts = Household.objects.filter(scope.households_q()).aggregate(**hh)
    resident_counts = Resident.objects.filter(scope.households_q(prefix="household__")).aggregate(
        **people
    )
    kinds = {
        f"u{r.pk}_{kind}": Count(
            "id", filter=tree.under("path", r.path) & Q(kind=kind) & ~Q(path=r.path)
        )
        for r in roots
        for kind in Unit.Kind.values
    }
    unit_counts = Unit.objects.filter(scope.units_q()).aggregate(**kinds)
    return {
        r.pk: {
            "households": household_counts[f"u{r.pk}"],
            "residents": resident_counts[f"u{r.pk}"],
            "units": [
                (kind, Unit.Kind(kind).label, unit_counts[f"u{r.pk}_{kind}"])
                for kind in Unit.Kind.values
                if unit_counts[f"u{r.pk}_{kind}"]
            ],
        }
        for r in roots
    }


def village_grids(scope: Scope, unit: Unit) -> QuerySet[Unit]:
    """The top-level grids drawn over a village (they hang under the township, not the village)."""
    if unit.kind not in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        return Unit.objects.none()
    return (
        units(scope)
        .filter(kind=Unit.Kind.GRID, village=unit, parent_id=unit.township_id)
        .order_by("path")
    )


# --- Responsibility areas and the township's rules ----------------------------------------------


def areas_of_unit_q(unit: Unit) -> Q:
    """Areas on the grids under `unit`; for a village, also on the grids drawn over it."""
    query = tree.under("grid_path", unit.path)
    if unit.kind in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        query |= Q(grid__village=unit)
    return query


def areas_under(scope: Scope, unit: Unit, cap: str = VIEW) -> QuerySet[ResponsibilityArea]:
    """The areas under `unit` that the scope may see, by number."""
    return (
        areas(scope, cap)
        .filter(areas_of_unit_q(unit))
        .select_related("owner_household")
        .order_by("township_id", "number")
    )


def area_detail(scope: Scope, cap: str = VIEW) -> QuerySet[ResponsibilityArea]:
    """Areas with what their page shows: grid, village, township, owners."""
    return areas(scope, cap).select_related(
        "owner_household", "grid__village", "grid__township", "township"
    )


def township_config(township: Unit) -> TownshipConfig:
    """The township's rules; the defaults (unsaved) if none were ever stored."""
    try:
        return township.config
    except TownshipConfig.DoesNotExist:
        stars = [dict(star) for star in TownshipConfig.DEFAULT_STARS]
        return TownshipConfig(township=township, stars=stars)


def identity_views(scope: Scope) -> QuerySet[AuditEntry]:
    """Who saw residents' full ID and phone numbers, in the townships the scope manages."""
    township_ids = units(scope, MANAGE).filter(kind=Unit.Kind.TOWNSHIP).values("pk")
    return (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.VIEW_SENSITIVE, township_id__in=township_ids
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
