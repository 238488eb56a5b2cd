"""The assessment board's block on the points public village page (one query, no login)."""

from django import template

from ..models import Close

register = template.Library()


@register.inclusion_tag("assessment/_public_village_card.html")
def board_public_village(village):
    """The village's rank and list in its township's latest published month, from the frozen
    content (only the rankings are read)."""
    latest = (
        Close.objects.filter(township_id=village.township_id, state=Close.State.PUBLISHED)
        .order_by("-month")
        .values("pk", "month", "content__rankings")
        .first()
    )
    if latest is None:
        return {"show": False}
    rankings = latest["content__rankings"] or []
    row = next((r for r in rankings if r.get("unit") == village.pk), None)
    return {
        "show": True,
        "village": village,
        "month": latest["month"],
        "row": row,
        "count": len(rankings),
    }
