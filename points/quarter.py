"""Quarterly publications (每季度公布) and the checks the public pages show.

`publication_rows` computes what a village's notice board shows for a quarter: every household
with its masked head name, the quarter's points and the balance. `publish` freezes it.
`chain_status` recomputes a village's hash chain against the head printed on its latest
publication, for the public verification page.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tree
from core.errors import ServiceError
from core.masking import mask_name
from places.models import Household, Resident, Unit

from . import ledger, services
from .models import ChainHead, Entry, Publication
from .selectors import quarter_bounds

QUARTER_RE = re.compile(r"^\d{4}-Q[1-4]$")
VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)


def check_quarter(quarter: str, today: datetime.date | None = None) -> str:
    """'2026-Q3', refused when malformed or not yet begun (its rows would be frozen empty)."""
    quarter = (quarter or "").strip().upper()
    if not QUARTER_RE.match(quarter):
        raise ServiceError(
            _("“%(quarter)s” is not a quarter; write it as 2026-Q3.") % {"quarter": quarter},
            code="bad_quarter",
        )
    if quarter_bounds(quarter)[0] > (today or timezone.localdate()):
        raise ServiceError(
            _("%(quarter)s has not begun yet; it cannot be published.") % {"quarter": quarter},
            code="future_quarter",
        )
    return quarter


def village_households(village: Unit):
    """The households of a village or community, by household number."""
    return Household.objects.filter(tree.under("group_path", village.path)).order_by("number")


def publication_rows(village: Unit, quarter: str) -> list[dict]:
    """Every household of `village`: number, masked head name, the quarter's points, balance.

    Two queries whatever the size of the village: the households with their head's name, and
    one grouped sum over their entries. The balance is the sum of all of a household's
    entries, which selectors.balance (snapshot plus entries since) always equals. Each row
    also carries the household's star rating on the quarter's last day (or today, if
    earlier), computed in the households' query by stars.selectors.
    """
    from stars.selectors import with_star_count  # stars imports points: not at module level

    first, last = quarter_bounds(quarter)  # the first and the last month (periods)
    last_day = services.month_end(last)
    head_name = Resident.objects.filter(
        household=OuterRef("pk"), relation=Resident.Relation.HEAD
    ).values("name")[:1]
    households = list(
        with_star_count(village_households(village), on=min(last_day, timezone.localdate()))
        .annotate(head_name=Subquery(head_name))
        .values_list("pk", "number", "head_name", "stars")
    )
    sums = {
        row["household_id"]: row
        for row in Entry.objects.filter(household__in=village_households(village).values("pk"))
        .values("household_id")
        .annotate(
            balance=Sum("amount"),
            points=Sum("amount", filter=Q(period__gte=first, period__lte=last)),
        )
        .order_by()
    }
    rows = []
    for pk, number, name, stars in households:
        found = sums.get(pk, {})
        rows.append(
            {
                "number": number,
                "name": mask_name(name or ""),
                "points": found.get("points") or 0,
                "balance": found.get("balance") or 0,
                "stars": stars,
            }
        )
    return rows


@transaction.atomic
def publish(*, village: Unit, quarter: str, actor) -> Publication:
    """Compute and freeze a village's publication for `quarter`.

    The chain head is locked first, so no entry of the village is appended between computing
    the rows and recording the head they were computed at.
    """
    quarter = check_quarter(quarter)
    if village.kind not in VILLAGE_KINDS:
        raise ServiceError(
            _("%(unit)s is not a village or community.") % {"unit": village.name},
            code="not_a_village",
        )
    ChainHead.objects.get_or_create(village=village, defaults={"township_id": village.township_id})
    ChainHead.objects.select_for_update().get(village=village)
    rows = publication_rows(village, quarter)
    return services.publish_quarter(village=village, quarter=quarter, actor=actor, rows=rows)


def is_intact(publication: Publication) -> bool:
    """Whether the publication's stored content still matches the hash recorded with it."""
    return publication.content_hash == services.publication_hash(
        village_id=publication.village_id,
        quarter=publication.quarter,
        chain_seq=publication.chain_seq,
        chain_hash=publication.chain_hash,
        rows=publication.rows,
    )


@dataclass(frozen=True)
class ChainStatus:
    """The result of recomputing a village's chain."""

    head_seq: int  # the last entry that verifies
    head_hash: str
    broken_seq: int | None  # the first entry that does not verify
    problem: str
    publication: Publication | None  # the latest publication, whose printed head is checked
    publication_matches: bool | None  # None when nothing was published yet

    @property
    def intact(self) -> bool:
        return self.broken_seq is None and self.publication_matches is not False

    def verified(self, seq: int) -> bool:
        """Whether entry `seq` lies in the verified part of the chain."""
        return self.broken_seq is None or seq < self.broken_seq


def chain_status(village: Unit) -> ChainStatus:
    """Recompute the village's chain; compare its end with the chain head row and its middle
    with the head printed on the latest publication."""
    hashes: dict[int, str] = {0: ledger.GENESIS}

    def walk():
        for entry in Entry.objects.filter(village=village).order_by("seq").iterator(2000):
            yield entry
            hashes[entry.seq] = entry.hash  # reached only when the entry verified

    found = ledger.first_break(walk())
    broken_seq, problem = (found[0].seq, found[1]) if found else (None, "")
    head_seq = max(hashes)
    recorded = ChainHead.objects.filter(village=village).values_list("seq", "hash").first()
    if found is None and recorded and recorded != (head_seq, hashes[head_seq]):
        broken_seq, problem = head_seq + 1, "the chain head does not match the last entry"
    publication = (
        Publication.objects.filter(village=village).order_by("-published_at", "-pk").first()
    )
    matches = None
    if publication is not None:
        matches = hashes.get(publication.chain_seq) == publication.chain_hash and (
            broken_seq is None or publication.chain_seq < broken_seq
        )
    return ChainStatus(
        head_seq=head_seq,
        head_hash=hashes[head_seq],
        broken_seq=broken_seq,
        problem=problem,
        publication=publication,
        publication_matches=matches,
    )
