"""Helpers shared by the page views of every app."""

from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import ServiceError

T = TypeVar("T")


def show_refusal(form, exc: ServiceError | ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has it, else on top."""
    if isinstance(exc, ServiceError):
        form.add_error(None, str(exc.message))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def apply_form(form, write: Callable[[], T], *, on_refusal: Callable | None = None) -> T | None:
    """Call `write` (one service) once `form` is valid, and answer what it returns.

    None when the form is invalid or the service refuses; a refusal shows on the form, after
    `on_refusal()` (which puts back an object the refused service changed in memory).
    """
    if not form.is_valid():
        return None
    try:
        return write()
    except (ServiceError, ValidationError) as exc:
        if on_refusal is not None:
            on_refusal()
        show_refusal(form, exc)
        return None


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request, fallback: str) -> str:
    """The `next` URL from the form if it points at this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def history_rows(entries) -> list[tuple]:
    """Audit entries with their changes as (label, before, after), foreign keys by name.

    One query per model the changes point at, whatever the number of entries.
    """
    entries = list(entries)
    wanted: dict = defaultdict(set)
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        entry.model = model
        for name, values in (entry.changes or {}).items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model:
                wanted[field.related_model].update(v for v in values if v is not None)
    names = {
        (model, obj.pk): str(obj)
        for model, ids in wanted.items()
        for obj in model.objects.filter(pk__in=ids)
    }
    return [(entry, _rows(entry, names)) for entry in entries]


def _field(model, name):
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _rows(entry, names) -> list[tuple]:
    rows = []
    for name, values in sorted((entry.changes or {}).items()):
        field = _field(entry.model, name)
        before, after = (list(values) + [None, None])[:2]
        if field is not None and field.is_relation and field.related_model:
            before = names.get((field.related_model, before), before)
            after = names.get((field.related_model, after), after)
        rows.append((field.verbose_name if field is not None else name, before, after))
    return rows


def healthz(request):
    """Liveness for load balancers and compose: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
