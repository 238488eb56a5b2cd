"""Public pages of household points: no login, masked names only (张*三), no ID or phone.

Quarterly publications (page and A4 PDF), the verification page a points card's QR code leads
to, and a village's chain as JSON for independent checking. The points card PDF itself is for
officials: it needs a login and the household in the user's scope.
"""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.masking import mask_name
from people import access
from places import selectors as place_selectors
from places.models import Resident, Unit

from . import ledger, pdf, quarter, selectors, services
from .models import Entry, PointsCard, Publication

# The names of ledger.content(entry)'s fields, in its order: what each entry's hash covers.
HASHED_FIELDS = [
    "village_id",
    "seq",
    "household_id",
    "kind",
    "amount",
    "item_id",
    "period",
    "note_digest",
    "proposal_id",
    "reverses_id",
    "proposed_by_id",
    "approved_by_id",
    "created_at",
    "prev_hash",
]


def _village_or_404(village_id: int) -> Unit:
    return get_object_or_404(
        Unit.objects.select_related("township"), pk=village_id, kind__in=quarter.VILLAGE_KINDS
    )


def _publication_or_404(publication_id: int) -> Publication:
    return get_object_or_404(
        Publication.objects.select_related("village", "village__township"), pk=publication_id
    )


@require_GET
def village(request, village_id):
    """A village's publications, newest first."""
    unit = _village_or_404(village_id)
    publications = [
        (item, pdf.quarter_label(item.quarter))
        for item in Publication.objects.filter(village=unit).order_by("-quarter").defer("rows")
    ]
    return render(
        request, "points/public_village.html", {"village": unit, "publications": publications}
    )


@require_GET
def publication(request, publication_id):
    """A frozen publication as published, with its chain head and its recomputed content hash."""
    item = _publication_or_404(publication_id)
    context = {
        "publication": item,
        "village": item.village,
        "intact": quarter.is_intact(item),
        "quarter_label": pdf.quarter_label(item.quarter),
    }
    return render(request, "points/public_publication.html", context)


def pdf_page(request, build: Callable[[], bytes], filename: str) -> HttpResponse:
    """The PDF that `build` makes, shown inline; the page saying the print font is missing
    (503) when it is. Shared by every printable notice (points, the assessment's board)."""
    try:
        content = build()
    except pdf.FontMissing as error:
        return render(request, "points/public_font_missing.html", {"path": error.path}, status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def publication_pdf(request, publication_id):
    item = _publication_or_404(publication_id)
    url = request.build_absolute_uri(reverse("public:publication", args=[item.pk]))
    return pdf_page(
        request,
        lambda: pdf.publication_pdf(item, url=url),
        f"points-{item.village_id}-{item.quarter}.pdf",
    )


def _head_name(household) -> str:
    name = (
        Resident.objects.filter(household=household, relation=Resident.Relation.HEAD)
        .values_list("name", flat=True)
        .first()
    )
    return mask_name(name or "")


@login_required
@require_GET
def card(request, household_id):
    """The printable points card of a household in the user's scope (404 otherwise)."""
    scope = access.scope_for(request.user)
    household = get_object_or_404(
        place_selectors.households(scope).select_related("group__village__township"),
        pk=household_id,
    )
    token = services.card_for(household).token
    village_unit = household.group.village
    return pdf_page(
        request,
        lambda: pdf.card_pdf(
            village=village_unit.name,
            township=village_unit.township.name,
            number=household.number,
            head=_head_name(household),
            balance=selectors.balance(household),
            as_of=timezone.localdate(),
            url=request.build_absolute_uri(reverse("public:verify", args=[token])),
            created=timezone.now(),
        ),
        f"points-card-{household.number}.pdf",
    )


@require_GET
def verify(request, token):
    """What a points card's QR code opens: the household's entries and a check of the chain."""
    points_card = get_object_or_404(
        PointsCard.objects.select_related("household__group__village__township"), token=token
    )
    household = points_card.household
    village_unit = household.group.village
    status = quarter.chain_status(village_unit)
    entries = list(
        Entry.objects.filter(household=household)
        .select_related("item", "reverses")
        .order_by("-seq")
    )
    rows = [
        (entry, status.verified(entry.seq) if entry.village_id == village_unit.pk else None)
        for entry in entries
    ]
    context = {
        "village": village_unit,
        "household": household,
        "head": _head_name(household),
        "balance": selectors.balance(household),
        "rows": rows,
        "status": status,
    }
    return render(request, "points/public_verify.html", context)


@require_GET
def chain(request, village_id):
    """Every entry of the village's chain with the fields its hash covers (no names)."""
    unit = _village_or_404(village_id)
    entries = (
        Entry.objects.filter(village=unit)
        .select_related("household")
        .order_by("seq")
        .iterator(chunk_size=2000)
    )
    rows = [
        dict(
            zip(HASHED_FIELDS, ledger.content(entry), strict=True),
            hash=entry.hash,
            household_number=entry.household.number,
        )
        for entry in entries
    ]
    head = selectors.chain_head(unit)
    body = {
        "village": {"id": unit.pk, "name": unit.name, "township": unit.township.name},
        "head": {"seq": head.seq, "hash": head.hash}
        if head
        else {"seq": 0, "hash": ledger.GENESIS},
        "algorithm": (
            "hash = sha256(utf-8 JSON array of the fields in `fields` order, compact separators "
            "(',', ':'), non-ASCII unescaped); prev_hash of entry 1 is 64 zeros and each "
            "entry's prev_hash is the hash of the entry before it (see points/ledger.py)"
        ),
        "fields": HASHED_FIELDS,
        "entries": rows,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
