"""What the points pages share: scope look-ups, masked head names, who may appeal."""

import datetime

from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.scope import CHANGE
from people import access
from places import selectors as place_selectors
from places.models import Resident, Unit

VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def head_name_subquery(household_field: str = "pk"):
    """The name of the household head of each row, its household given by `household_field`."""
    heads = Resident.objects.filter(
        household=OuterRef(household_field), relation=Resident.Relation.HEAD
    )
    return Subquery(heads.values("name")[:1])


def head_names(scope, household_ids) -> dict[int, str]:
    return dict(
        place_selectors.residents(scope)
        .filter(household_id__in=list(household_ids), relation=Resident.Relation.HEAD)
        .values_list("household_id", "name")
    )


def may_appeal_for(scope, household) -> bool:
    """The household's own villager, or an official who may change the household."""
    return household.pk in scope.household_ids or access.can_change_household(
        scope, household, CHANGE
    )


def points_card_url(household) -> str | None:
    """The printable points card, once the public pages provide it."""
    try:
        return reverse("public:card", args=[household.pk])
    except NoReverseMatch:
        return None
