"""What part of the tree a user may see or change, as data that any app can filter by.

`people.access.scope_for(user)` builds a Scope from the user's active role assignments;
selectors in every app take it and turn it into a queryset filter. Keeping the Scope here
lets `places` filter by it without importing `people` (imports flow core ← places ← people).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from . import tree

VIEW = "view"
CHANGE = "change"  # edit households and residents
MANAGE = "manage"  # shape the tree, appoint people, import rosters
PROPOSE = "propose"  # propose household points (联户评, 网格比)
REVIEW = "review"  # approve or reject proposed points; which roles review is township config


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    household_ids: tuple[int, ...] = ()
    township_ids: tuple[int, ...] = ()

    def paths_for(self, cap: str = VIEW) -> tuple[str, ...]:
        return self.paths.get(cap, ())

    def can(self, cap: str = VIEW) -> bool:
        return self.is_superuser or bool(self.paths_for(cap))

    def covers(self, path: str, cap: str = VIEW) -> bool:
        """Whether the unit at `path` lies in this scope for `cap`."""
        return self.is_superuser or any(path.startswith(p) for p in self.paths_for(cap))

    def covers_household(self, group_path: str, joint_path: str, cap: str = VIEW) -> bool:
        """Whether a household in that group and 联户 is in scope for `cap`, by either place.

        By place only: a villager's own household is people.access.can_view_household's rule.
        """
        return self.covers(group_path, cap) or self.covers(joint_path, cap)

    def covers_unit(self, unit, cap: str = VIEW) -> bool:
        """Whether `unit` is in scope: by its own path, or by its village's for grids."""
        if self.covers(unit.path, cap):
            return True
        return unit.village_id is not None and self.covers(unit.village.path, cap)

    def units_q(self, cap: str = VIEW, prefix: str = "") -> Q:
        """Units at or under a scope path, and grids/联户 of a village in scope."""
        if self.is_superuser:
            return Q()
        paths = self.paths_for(cap)
        return tree.under_any(f"{prefix}path", paths) | tree.under_any(
            f"{prefix}village__path", paths
        )

    def households_q(self, cap: str = VIEW, prefix: str = "") -> Q:
        """Households in a group or 联户 under a scope path (and, to view, one's own)."""
        if self.is_superuser:
            return Q()
        paths = self.paths_for(cap)
        query = tree.under_any(f"{prefix}group_path", paths) | tree.under_any(
            f"{prefix}joint_path", paths
        )
        if cap == VIEW and self.household_ids:
            query |= Q(**{f"{prefix}id__in": self.household_ids})
        return query


NOTHING = Scope(user_id=None)
