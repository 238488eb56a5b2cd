"""Who may do what at a points supermarket, built on people.access.

Keepers are the users holding an active keeper role (Role.KEEPER) on the supermarket's own unit
(its village, or the township for a township supermarket): there is no separate keeper list,
so appointing and replacing keepers goes through people's role assignments with their dates and
authority. Keepers sell, void within the township's window, restock and write off.
Officials who manage the supermarket's unit (village committee, township secretary and head)
also restock, write off and add goods; only township administrators void after the window,
suspend households in any village of the township and change the township's settings.
"""

from core.scope import MANAGE, VIEW
from people import access
from people.models import Role


def keeper_unit_ids(user) -> set[int]:
    """Units on which the user holds the keeper role today (cached on the user)."""
    cached = getattr(user, "_shop_keeper_units", None)
    if cached is None:
        cached = {
            a.unit_id
            for a in access.active_assignments(user)
            if a.role == Role.KEEPER and a.unit_id
        }
        user._shop_keeper_units = cached
    return cached


def is_keeper(user, supermarket) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return user.is_authenticated and supermarket.unit_id in keeper_unit_ids(user)


def can_view(user, supermarket) -> bool:
    scope = access.scope_for(user)
    return is_keeper(user, supermarket) or scope.covers(supermarket.unit.path, VIEW)


def can_stock(user, supermarket) -> bool:
    """Restock, write off, add goods and change prices."""
    scope = access.scope_for(user)
    return is_keeper(user, supermarket) or scope.covers(supermarket.unit.path, MANAGE)


def is_township_admin(user, township) -> bool:
    return access.scope_for(user).covers(township.path, MANAGE)


def can_sell(user, supermarket) -> bool:
    return is_keeper(user, supermarket)


def can_suspend(user, household) -> bool:
    """Village committee of the household's village, or a township administrator."""
    scope = access.scope_for(user)
    village = household.group.village
    return scope.covers(village.path, MANAGE)
