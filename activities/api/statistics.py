"""The statistics of a unit and period, as the report page shows them."""

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import PermissionDenied
from places.api import READ_ERRORS, UnitRefSerializer, scope_of

from .. import access, selectors
from ._common import PERIOD_PARAMETERS, period_of, unit_param


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer"},
            {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"},
        ]
    }
)
class FigureField(serializers.Field):
    """A count (an integer) or an amount (a decimal written as a string, exact)."""

    def to_representation(self, value):
        return _plain(value)


StatisticsSerializer = inline_serializer(
    "ActivityStatistics",
    {
        "unit": UnitRefSerializer(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "figures": serializers.DictField(
            child=FigureField(),
            help_text="Each figure by key (see the report page for their meaning).",
        ),
        "funding": serializers.DictField(child=FigureField()),
        "trees_by_species": serializers.ListField(child=serializers.DictField()),
        "grievances": serializers.DictField(allow_null=True),
    },
)


class Statistics(APIView):
    """Figures of a unit (?unit=, default your top unit) and period (?start=, ?end=, default
    this year): aggregate queries over the records of the unit's subtree."""

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: StatisticsSerializer, 403: READ_ERRORS[404], **READ_ERRORS},
    )
    def get(self, request):
        scope = scope_of(request)
        start, end = period_of(request, default_year=True)
        unit = unit_param(request) or access.top_unit(scope)
        if unit is None:
            raise PermissionDenied()
        figures = selectors.figures(scope, unit, start, end)
        return Response(
            {
                "unit": UnitRefSerializer(unit).data,
                "start": start,
                "end": end,
                "figures": {key: _plain(value) for key, value in figures.items()},
                "funding": {
                    key: _plain(value)
                    for key, value in selectors.budget_figures(scope, unit, start, end).items()
                },
                "trees_by_species": [
                    {"species": row["species"], "total": _plain(row["total"])}
                    for row in selectors.trees_by_species(scope, unit, start, end)
                ],
                "grievances": _grievances(scope, unit, start, end),
            }
        )


def _grievances(scope, unit, start, end) -> dict | None:
    found = selectors.grievance_figures(scope, unit, start, end)
    if found is None:
        return None
    return {key: None if value is None else _plain(value) for key, value in found.items()}


def _plain(value):
    """Integers stay integers; decimals become strings (exact, as DRF writes them)."""
    return value if isinstance(value, int) else str(value)
