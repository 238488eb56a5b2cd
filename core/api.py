"""API plumbing shared by every app: errors as {"code", "detail"}, and integer filters."""

from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import idempotency
from .errors import ServiceError

MAX_ID = 2**63 - 1  # ids are BIGINT on both databases


class IntegerFilter(filters.NumberFilter):
    """A whole number within bounds: "1.5" or a 30-digit number is a 400, not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = 0, max_value: int = 2**31 - 1, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class IdFilter(IntegerFilter):
    """The id of an object, as a query parameter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


def exception_handler(exc, context):
    """Every API error answers {"code": ..., "detail": ...} (plus "fields" for form errors)."""
    if isinstance(exc, OverflowError | DataError):
        # A value the database cannot hold (an id past 64 bits, say) is the request's fault.
        return Response(
            {"code": "out_of_range", "detail": _("A value in the request is out of range.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ServiceError):
        return Response({"code": exc.code, "detail": str(exc.message)}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        first = next(iter(fields.items()), ("", [""]))
        message = first[1][0] if isinstance(first[1], list) and first[1] else first[1]
        response.data = {
            "code": "invalid",
            "detail": f"{first[0]}: {message}" if first[0] != "non_field_errors" else str(message),
            "fields": fields,
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(getattr(exc, "detail", exc)),
        }
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data["code"] = "not_authenticated"
    return response


# --- The published schema -----------------------------------------------------------------------

# The domain apps after points name their schema components with their own prefix, so that two
# apps' "EventSerializer" or "State" choices never collide in /api/schema/.
COMPONENT_PREFIXES = {
    "notify": "Notify",
    "shop": "Shop",
    "work": "Work",
    "stars": "Stars",
    "grievances": "Grievance",
    "activities": "Activity",
    "assessment": "Assessment",
}


class AutoSchema(openapi.AutoSchema):
    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        prefix = COMPONENT_PREFIXES.get(type(serializer).__module__.split(".")[0])
        return name if prefix is None or name.startswith(prefix) else f"{prefix}{name}"


def register_enum_names() -> None:
    """Name every choice set of the prefixed apps' models <Prefix><Class>Enum (ENUM_NAME_OVERRIDES).

    Called once from CoreConfig.ready(), after every app's models are imported.
    """
    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    taken = {_choices_key(value) for value in overrides.values() if not isinstance(value, str)}
    for label, prefix in COMPONENT_PREFIXES.items():
        try:
            config = django_apps.get_app_config(label)
        except LookupError:
            continue
        found = []
        for model in config.get_models():
            found += [
                (f"{model.__name__}{name}", value)
                for name, value in vars(model).items()
                if isinstance(value, type) and issubclass(value, models.Choices)
            ]
        if config.models_module is not None:
            found += [
                (name, value)
                for name, value in vars(config.models_module).items()
                if isinstance(value, type)
                and issubclass(value, models.Choices)
                and value.__module__ == config.models_module.__name__
            ]
        for name, choices in found:
            key = _choices_key(choices)
            if key in taken:
                continue  # the same values under another name already: one enum, one name
            taken.add(key)
            overrides.setdefault(f"{prefix}{name}Enum", choices)


def _choices_key(choices) -> tuple:
    return tuple(sorted(str(value) for value in getattr(choices, "values", choices)))


TIME_OF_DAY = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"


def times_without_offset(result, generator, request, public):
    """A time of day ("07:30:00") as DRF writes it: OpenAPI's "time" format (RFC 3339) demands an
    offset, which a loudspeaker's or a supermarket's hours never have. A postprocessing hook."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node["pattern"] = TIME_OF_DAY
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


# --- Idempotent writes --------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key per action, kept across retries. A retry with the same key and body "
        "answers the first response (header Idempotent-Replayed: true) and changes nothing; "
        "the same key with another body answers 422 idempotency_key_reused."
    ),
)


def respond_once(request, handler) -> Response:
    """Run `handler` (→ status, body) once per Idempotency-Key, or plainly without one."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        code, body = handler()
        return Response(body, status=code)
    code, body, replayed = idempotency.run_once(
        user=request.user,
        key=key,
        request_fingerprint=idempotency.fingerprint(
            request.method, request.path, _canonical(request.data)
        ),
        handler=handler,
    )
    response = Response(body, status=code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _canonical(data):
    """The request body as plain JSON-ready data; uploaded files by their content's hash."""
    if not hasattr(data, "lists"):
        return data
    return {key: [_file_digest(v) for v in values] for key, values in data.lists()}


def _file_digest(value):
    return idempotency.file_digest(value) if hasattr(value, "chunks") else value
