"""Publishing a computed close: its content frozen as JSON, hashed, chained to the last one.

What is published (and hashed) is what the public board shows: the villages' ranking with the
red and black lists and the rule's notes, every village's and grid's score, and the count of
threshold cases (not the names: cases are handled inside the township). Names of units only:
no person's name is in it. The hash covers the canonical JSON of the content and the previous
publication's hash, so altering any published month breaks every later link too.
"""

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from places.models import TownshipConfig

from . import selectors
from .models import Close, Score

VERSION = 1


def canonical(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(content: dict, prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(content)).hexdigest()


def is_intact(close: Close) -> bool:
    return bool(close.content) and digest(close.content, close.prev_hash) == close.content_hash


def _number(value) -> str:
    return f"{value:.2f}"


def content_of(close: Close) -> dict:
    """What a computed close would publish (built from its rows)."""
    config = TownshipConfig.objects.get(township=close.township)
    rankings = list(selectors.rankings(close))
    grids = (
        Score.objects.filter(close=close, kind=Score.Kind.GRID)
        .select_related("unit")
        .order_by("unit__path")
    )
    return {
        "version": VERSION,
        "township": {"id": close.township_id, "name": close.township.name},
        "month": f"{close.month:%Y-%m}",
        "sizes": {"red": config.red_list_size, "black": config.black_list_size},
        "notes": selectors.list_notes(close),
        "rankings": [
            {
                "unit": row.unit_id,
                "name": row.unit.name,
                "rank": row.rank,
                "score": _number(row.score),
                "list": row.on_list,
            }
            for row in rankings
        ],
        "grids": [
            {
                "unit": row.unit_id,
                "name": row.unit.name,
                "village": row.unit.village_id,
                "parent": row.parent_id,
                "depth": row.depth,
                "score": _number(row.score),
            }
            for row in grids
        ],
        "cases": selectors.case_counts(close),
    }


@transaction.atomic
def publish(close: Close, *, user, authority: str) -> Close:
    """Freeze a computed close as the township's publication for the month."""
    authority = (authority or "").strip()
    if not authority:
        raise ServiceError(
            _("Say on whose authority the month is published (meeting or decision)."),
            code="authority_required",
        )
    close = Close.objects.select_for_update().get(pk=close.pk)
    if close.state != Close.State.COMPUTED:
        raise ServiceError(
            _("Only a computed month can be published (this one is: %(state)s).")
            % {"state": close.get_state_display()},
            code="not_computed",
        )
    previous = (
        Close.objects.filter(
            township=close.township, state=Close.State.PUBLISHED, month__lt=close.month
        )
        .order_by("-month")
        .values_list("content_hash", flat=True)
        .first()
    )
    content = content_of(close)
    close.prev_hash = previous or ""
    close.content = content
    close.content_hash = digest(content, close.prev_hash)
    close.state = Close.State.PUBLISHED
    close.published_at = timezone.now()
    close.published_by = user
    close.authority = authority
    close.save(
        update_fields=[
            "prev_hash",
            "content",
            "content_hash",
            "state",
            "published_at",
            "published_by",
            "authority",
        ]
    )
    audit.record(
        actor=user,
        action="publish",
        obj=close,
        changes={"content_hash": [None, close.content_hash]},
        reason=authority,
    )
    return close
