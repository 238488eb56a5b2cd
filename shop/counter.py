"""A redemption at most once per Idempotency-Key: shared by the API, the counter page, the
concurrency test and the benchmark."""

from django.utils.translation import gettext as _

from core import idempotency
from core.errors import ServiceError
from core.models import IdempotencyKey

from . import services


def receipt_body(receipt) -> dict:
    return {
        "id": receipt.pk,
        "number": receipt.number,
        "points": receipt.points,
        "balance_after": receipt.balance_after,
        "household": receipt.household_id,
        "supermarket": receipt.supermarket_id,
    }


def redeem_once(*, user, key: str, supermarket, household, lines: dict[int, int]):
    """(status, body, replayed). A retry with the same key answers the first receipt.

    A retry that ran while the first request was still running (PostgreSQL: it waited on the
    chain head's lock, then found the points spent) fails with a rule's error; if by then the
    first request stored its answer under the key, that answer is the retry's answer.
    """
    lines = {int(k): int(v) for k, v in lines.items() if int(v or 0)}
    fingerprint = idempotency.fingerprint(
        "shop.redeem", supermarket.pk, household.pk, sorted(lines.items())
    )

    def handler():
        receipt = services.redeem(
            supermarket=supermarket, household=household, lines=lines, actor=user
        )
        return 201, receipt_body(receipt)

    try:
        return idempotency.run_once(
            user=user, key=key, request_fingerprint=fingerprint, handler=handler
        )
    except idempotency.KeyReused:
        raise
    except ServiceError:
        stored = IdempotencyKey.objects.filter(user=user, key=(key or "").strip()).first()
        if stored is None:
            raise
        if stored.fingerprint != fingerprint:
            raise idempotency.KeyReused(
                _("This Idempotency-Key was already used for a different request.")
            ) from None
        return stored.status_code, stored.response, True
