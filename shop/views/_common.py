"""What the supermarket pages share: the supermarket in the user's scope (else 404)."""

from django.shortcuts import get_object_or_404

from people import access

from .. import selectors


def market_in_scope(request, pk):
    return get_object_or_404(selectors.supermarkets(access.scope_for(request.user)), pk=pk)
