"""The public board of the monthly assessment (红黑榜): no login, units only, never a person.

Every page renders a published close's frozen `content` (what its hash covers), never the live
score rows, so the board shows exactly what was published and what anyone can verify. Only the
village's points publication and star households come from their own apps. A month that is
computed but not published does not exist here: 404, like an unknown id.
"""

import datetime
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats
from django.views.decorators.http import require_GET

from core.errors import ServiceError
from places.models import Unit
from points import pdf as points_pdf
from points.models import Publication
from points.public import pdf_page

from . import public_pdf, publication
from .close import month_of
from .lists import notes_text, rule_text
from .models import Close

# The close fields the pages read (not the computing bookkeeping).
FIELDS = (
    "id",
    "township_id",
    "month",
    "state",
    "published_at",
    "content",
    "content_hash",
    "prev_hash",
)


def _published():
    """The only closes the public may see."""
    return Close.objects.filter(state=Close.State.PUBLISHED)


@dataclass
class Board:
    """A published month as the board shows it, read from the close's frozen content."""

    close: Close
    intact: bool
    rankings: list[dict]
    red: list[dict]
    black: list[dict]
    grids: list[dict]
    sizes: dict
    notes: list[str] = field(default_factory=list)
    rule: list[str] = field(default_factory=list)
    cases: dict = field(default_factory=dict)

    @property
    def month_label(self) -> str:
        return month_label(self.close.month)

    @property
    def township_name(self) -> str:
        return self.close.content.get("township", {}).get("name", "")


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def board_of(close: Close) -> Board:
    content = close.content or {}
    rankings = list(content.get("rankings", []))
    sizes = content.get("sizes", {})
    return Board(
        close=close,
        intact=publication.is_intact(close),
        rankings=rankings,
        red=[row for row in rankings if row.get("list") == "red"],
        black=[row for row in rankings if row.get("list") == "black"],
        grids=list(content.get("grids", [])),
        sizes=sizes,
        notes=notes_text(content.get("notes", {}), sizes, len(rankings)),
        rule=rule_text(sizes),
        cases=content.get("cases", {}),
    )


def _township_or_404(township_id: int) -> Unit:
    return get_object_or_404(Unit, pk=township_id, kind=Unit.Kind.TOWNSHIP)


def _village_or_404(village_id: int) -> Unit:
    return get_object_or_404(
        Unit.objects.select_related("township"), pk=village_id, kind__in=Unit.VILLAGE_KINDS
    )


def _months(township_id: int) -> list[tuple[datetime.date, int]]:
    """The township's published months, newest first: (month, close id)."""
    return list(
        _published().filter(township_id=township_id).order_by("-month").values_list("month", "pk")
    )


def _chosen(request, township_id: int):
    """The published months and the close the request asks for (?month=YYYY-MM, else the
    latest); raises Http404 when there is none, ServiceError for a malformed month."""
    months = _months(township_id)
    wanted = request.GET.get("month")
    if wanted:
        month = month_of(wanted)
        chosen = next((pk for m, pk in months if m == month), None)
    else:
        chosen = months[0][1] if months else None
    if chosen is None:
        raise Http404("No published month.")
    close = _published().only(*FIELDS).get(pk=chosen)
    return months, close


def _month_links(months, current: Close) -> list[dict]:
    return [
        {"value": f"{m:%Y-%m}", "label": month_label(m), "close": pk, "current": pk == current.pk}
        for m, pk in months
    ]


def _bad_month(request, error: ServiceError) -> HttpResponse:
    return render(request, "assessment/public_bad_request.html", {"error": error}, status=400)


@require_GET
def township(request, township_id):
    """The township's board of a published month: red and black lists and the ranking."""
    unit = _township_or_404(township_id)
    try:
        months, close = _chosen(request, unit.pk)
    except ServiceError as error:
        return _bad_month(request, error)
    context = {
        "township": unit,
        "board": board_of(close),
        "months": _month_links(months, close),
        "url_name": "board:township",
        "unit_id": unit.pk,
    }
    return render(request, "assessment/public_township.html", context)


def _village_grid_ids(village: Unit, grids: list[dict]) -> set[int]:
    """The published grids lying in the village, as they lay when the month was published."""
    return {row["unit"] for row in grids if row.get("village") == village.pk}


def village_view(village: Unit, board: Board) -> dict:
    """The village's part of a board: its ranking row and its grids' scores, top grids first."""
    row = next((r for r in board.rankings if r.get("unit") == village.pk), None)
    in_village = _village_grid_ids(village, board.grids)
    grids = [dict(g) for g in board.grids if g["unit"] in in_village]
    top = min((g["depth"] for g in grids), default=0)
    for grid in grids:
        grid["level"] = grid["depth"] - top  # indentation under the village's top grids
    return {"row": row, "grids": grids}


@require_GET
def village(request, village_id):
    """A village's board: its township's lists of the month, its rank and score, its grids,
    its latest points publication and its star households."""
    unit = _village_or_404(village_id)
    try:
        months, close = _chosen(request, unit.township_id)
    except ServiceError as error:
        return _bad_month(request, error)
    board = board_of(close)
    points_publication = (
        Publication.objects.filter(village=unit)
        .order_by("-quarter")
        .only("pk", "quarter", "published_at")
        .first()
    )
    context = {
        "village": unit,
        "township": unit.township,
        "board": board,
        "mine": village_view(unit, board),
        "months": _month_links(months, close),
        "url_name": "board:village",
        "unit_id": unit.pk,
        "points_publication": points_publication,
        "points_quarter": points_pdf.quarter_label(points_publication.quarter)
        if points_publication
        else "",
    }
    return render(request, "assessment/public_village.html", context)


def _close_or_404(close_id: int) -> Close:
    return get_object_or_404(_published().select_related("township"), pk=close_id)


def _previous(close: Close) -> Close | None:
    return (
        _published()
        .filter(township_id=close.township_id, month__lt=close.month)
        .order_by("-month")
        .only("pk", "month", "content_hash")
        .first()
    )


@require_GET
def close(request, close_id):
    """One publication with its checks: the content against its hash, and the link to the
    township's previous publication."""
    item = _close_or_404(close_id)
    previous = _previous(item)
    linked = (previous.content_hash if previous else "") == item.prev_hash
    context = {
        "township": item.township,
        "board": board_of(item),
        "close": item,
        "previous": previous,
        "previous_label": month_label(previous.month) if previous else "",
        "linked": linked,
        "verify_url": request.build_absolute_uri(reverse("board:close", args=[item.pk])),
    }
    return render(request, "assessment/public_close.html", context)


@require_GET
def close_json(request, close_id):
    """The publication as stored, for anyone to recompute its hash."""
    item = _close_or_404(close_id)
    body = {
        "content": item.content,
        "prev_hash": item.prev_hash,
        "content_hash": item.content_hash,
        "published_at": item.published_at.isoformat(),
        "algorithm": (
            "content_hash = sha256(utf-8 of prev_hash + '\\n' + canonical JSON of content); "
            "canonical JSON: keys sorted, separators (',', ':'), non-ASCII unescaped "
            "(see assessment/publication.py)"
        ),
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@require_GET
def close_pdf(request, close_id):
    """The township's month on one A4 notice: lists, rule, ranking, hashes and a QR code."""
    item = _close_or_404(close_id)
    url = request.build_absolute_uri(reverse("board:close", args=[item.pk]))
    return pdf_page(
        request,
        lambda: public_pdf.board_pdf(board_of(item), url=url),
        f"board-{item.township_id}-{item.month:%Y-%m}.pdf",
    )


@require_GET
def village_pdf(request, village_id):
    """The village's board of a published month on one A4 notice."""
    unit = _village_or_404(village_id)
    try:
        _months_list, item = _chosen(request, unit.township_id)
    except ServiceError as error:
        return _bad_month(request, error)
    board = board_of(item)
    url = request.build_absolute_uri(reverse("board:close", args=[item.pk]))
    return pdf_page(
        request,
        lambda: public_pdf.board_pdf(board, url=url, village=unit, mine=village_view(unit, board)),
        f"board-village-{unit.pk}-{item.month:%Y-%m}.pdf",
    )
