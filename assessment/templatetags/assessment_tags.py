"""The assessment's panel on the home page."""

from django import template

from people import access as people_access
from people.models import Role

from .. import access
from ..models import Close, Score

register = template.Library()


@register.inclusion_tag("assessment/_home_card.html", takes_context=True)
def assessment_home(context):
    """Officials: their townships' latest month; grid chiefs: their grids' latest shown score."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    scope = people_access.scope_for(user)
    townships = list(access.townships(scope)[:5])
    latest = {
        close.township_id: close
        for close in Close.objects.filter(township__in=townships).order_by("township_id", "month")
    }
    chief_units = [
        a.unit_id for a in people_access.active_assignments(user) if a.role == Role.GRID_CHIEF
    ]
    mine = []
    if chief_units:
        rows = (
            Score.objects.filter(
                unit_id__in=chief_units,
                kind=Score.Kind.GRID,
                close__state__in=("computed", "published"),
            )
            .select_related("unit", "close")
            .order_by("unit_id", "-close__month")
        )
        seen = set()
        for row in rows[:50]:
            if row.unit_id not in seen:
                seen.add(row.unit_id)
                mine.append(row)
    return {
        "show": bool(townships or mine),
        "townships": [(t, latest.get(t.pk)) for t in townships],
        "mine": mine,
    }
