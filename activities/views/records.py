"""Recording work: the menu and recent records, a form per kind, a record's page, photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core import audit
from core.views import apply_form, history_rows

from .. import access, selectors, services
from ..forms import RECORD_FORMS, TeamForm
from ..models import Photo
from ._common import PAGE_SIZE, scope_of, visible_unit

KIND_LABELS = {
    "training": gettext_lazy("Training"),
    "volunteer": gettext_lazy("Volunteer event"),
    "propaganda": gettext_lazy("Propaganda"),
    "broadcast": gettext_lazy("Broadcast"),
    "meeting": gettext_lazy("Meeting"),
    "output": gettext_lazy("Work output"),
}
SERVICES = {
    "training": services.record_training,
    "volunteer": services.record_volunteer_event,
    "propaganda": services.record_propaganda,
    "broadcast": services.record_broadcast,
    "meeting": services.record_meeting,
    "output": services.record_output,
}


def _kind_or_404(kind: str) -> str:
    if kind not in selectors.RECORD_MODELS:
        raise Http404
    return kind


@login_required
@require_GET
def index(request):
    """What the user may record, and the latest records of one kind in their scope."""
    scope = scope_of(request)
    if not access.report_units(scope).exists():
        raise PermissionDenied
    kind = request.GET.get("kind") or "training"
    _kind_or_404(kind)
    rows = selectors.records(scope, kind).order_by("-date", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/index.html",
        {
            "kind": kind,
            "kinds": list(KIND_LABELS.items()),
            "page": page,
            "can_record": access.recording_units(scope).exists(),
        },
    )


def _check_unit(request, scope):
    """The unit named by the request (POST field or ?unit=): 404 unless visible, 403 unless
    the user may record work on it."""
    pk = request.POST.get("unit") or request.GET.get("unit")
    if not pk:
        if not access.recording_units(scope).exists():
            raise PermissionDenied
        return None
    unit = visible_unit(scope, pk)
    if not access.can_record(scope, unit):
        raise PermissionDenied
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def new_record(request, kind):
    kind = _kind_or_404(kind)
    scope = scope_of(request)
    unit = _check_unit(request, scope)
    form_class = RECORD_FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, scope=scope)
        created = apply_form(
            form, lambda: SERVICES[kind](actor=request.user, **form.record_fields())
        )
        if created is not None:
            messages.success(request, _("Recorded: %(what)s") % {"what": created})
            return redirect("activities:record", kind=kind, pk=created.pk)
    else:
        form = form_class(scope=scope, initial={"unit": unit} if unit else None)
    return render(
        request,
        "activities/record_form.html",
        {"form": form, "kind": kind, "kind_label": KIND_LABELS[kind]},
    )


@login_required
@require_GET
def record(request, kind, pk):
    kind = _kind_or_404(kind)
    scope = scope_of(request)
    item = get_object_or_404(selectors.records(scope, kind), pk=pk)
    photos = Photo.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    )
    attendances = None
    if kind == "training":
        attendances = item.attendances.select_related("user", "resident").order_by("id")
    return render(
        request,
        "activities/record.html",
        {
            "item": item,
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "photos": photos,
            "attendances": attendances,
            "history": history_rows(audit.history(item)),
        },
    )


@login_required
@require_GET
def photo(request, pk, size="image"):
    """A record's photo, served only to those who see the record."""
    scope = scope_of(request)
    item = get_object_or_404(Photo.objects.select_related("content_type"), pk=pk)
    model = item.content_type.model_class()
    kind = next((k for k, m in selectors.RECORD_MODELS.items() if m is model), None)
    if kind is None or not selectors.records(scope, kind).filter(pk=item.object_id).exists():
        raise Http404
    field = item.thumbnail if size == "thumb" else item.image
    return FileResponse(field.open("rb"))


@login_required
@require_http_methods(["GET", "POST"])
def new_team(request):
    scope = scope_of(request)
    _check_unit(request, scope)
    form = TeamForm(request.POST or None, scope=scope)
    if request.method == "POST":
        team = apply_form(
            form, lambda: services.create_team(actor=request.user, **form.cleaned_data)
        )
        if team is not None:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect(reverse("activities:new", args=["volunteer"]) + f"?unit={team.unit_id}")
    return render(request, "activities/team_form.html", {"form": form})
