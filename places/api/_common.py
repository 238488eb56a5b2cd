"""What the places API views share, and people.api too: the error body, scoping, parsing,
id fields limited to the user's scope, and the access checks that answer 403."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from core.errors import PermissionDenied
from core.scope import CHANGE, Scope
from people import access

from .. import selectors
from ..models import Household, Unit


class ErrorSerializer(serializers.Serializer):
    """The body of every error: a stable code, a message, and the field errors if any."""

    def get_fields(self):
        # "fields" clashes with Serializer.fields as a declared attribute, so build it here.
        return {
            "code": serializers.CharField(),
            "detail": serializers.CharField(),
            # A list of messages per field, or the same shape nested for nested fields.
            "fields": serializers.DictField(child=serializers.JSONField(), required=False),
        }


READ_ERRORS = {404: ErrorSerializer}
WRITE_ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def scope_of(request) -> Scope:
    return access.scope_for(request.user)


def parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ScopedField(serializers.PrimaryKeyRelatedField):
    """An id among the objects the user can see; any other id answers 404, revealing nothing."""

    not_found = gettext_lazy("%(field)s: nothing with id %(id)s was found.")

    def scoped(self, scope: Scope):
        raise NotImplementedError

    def get_queryset(self):
        return self.scoped(scope_of(self.context["request"]))

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self.get_queryset().get(pk=data)
        except ObjectDoesNotExist:
            raise NotFound(self.not_found % {"field": self.field_name, "id": data}) from None
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)


class ScopedUnitField(ScopedField):
    queryset = Unit.objects.none()  # the type for the schema; get_queryset gives the rows
    not_found = gettext_lazy("%(field)s: no unit with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.units(scope)


class ScopedHouseholdField(ScopedField):
    queryset = Household.objects.none()
    not_found = gettext_lazy("%(field)s: no household with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.households(scope)


def reason_field(required: bool = False):
    return serializers.CharField(max_length=300, required=required, allow_blank=not required)


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "kind", "name"]


def require_unit(scope: Scope, unit: Unit, cap: str, message: str) -> None:
    """403 unless the scope covers `unit` for `cap` (the caller already knows it is visible)."""
    if not scope.covers_unit(unit, cap):
        raise PermissionDenied(message % {"unit": unit.name})


def require_household(scope: Scope, household: Household, message: str) -> None:
    if not access.can_change_household(scope, household, CHANGE):
        raise PermissionDenied(message % {"number": household.number})


def require_places(scope: Scope, units) -> None:
    for unit in units:
        require_unit(scope, unit, CHANGE, _("You may not put households into %(unit)s."))


def unit_by_id(pk) -> Unit | None:
    """The unit a filter names by id (the list it filters is scope-limited already)."""
    return Unit.objects.filter(pk=pk).only("kind", "path").first()
