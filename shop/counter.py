"""A redemption at most once per Idempotency-Key: shared by the API, the counter page, the
concurrency test and the benchmark."""

from django.db import IntegrityError, connection
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

    As core.idempotency.run_once: the answer is stored under (user, key) with the effect, in
    one transaction. Elsewhere run_once wraps services.redeem; on PostgreSQL the answer is
    stored by the one call of the database function that redeems
    (services.redeem_in_database), without a look-up first: a key already stored makes that
    call fail on the key's unique index (IntegrityError), undoing it, and the stored answer
    is the answer.

    A retry that ran while the first request was still running (PostgreSQL: it waited on the
    supermarket's lock, then found the points spent) fails with a rule's error; if by then the
    first request stored its answer under the key, that answer is the retry's answer.
    """
    lines = {int(k): int(v) for k, v in lines.items() if int(v or 0)}
    fingerprint = idempotency.fingerprint(
        "shop.redeem", supermarket.pk, household.pk, sorted(lines.items())
    )
    stripped = (key or "").strip()

    def handler():
        receipt = services.redeem(
            supermarket=supermarket, household=household, lines=lines, actor=user
        )
        return 201, receipt_body(receipt)

    try:
        if connection.vendor != "postgresql" or not (
            0 < len(stripped) <= idempotency.MAX_KEY_LENGTH
        ):
            # (run_once also refuses a missing or overlong key.)
            return idempotency.run_once(
                user=user, key=key, request_fingerprint=fingerprint, handler=handler
            )
        try:
            answer = services.redeem_in_database(
                supermarket=supermarket,
                household=household,
                lines=services.clean_lines(lines),
                actor=user,
                idempotency=(user, stripped, fingerprint),
            )
        except IntegrityError:
            # The key's answer is stored: by the first request, or one that just finished.
            stored = _stored(user, stripped)
            if stored is None:
                raise
            return _replay(stored, fingerprint)
        return answer["status"], answer["body"], False
    except idempotency.KeyReused:
        raise
    except ServiceError:
        stored = _stored(user, stripped)
        if stored is None:
            raise
        return _replay(stored, fingerprint)


def _stored(user, key):
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def _replay(stored: IdempotencyKey, fingerprint: str):
    if stored.fingerprint != fingerprint:
        raise idempotency.KeyReused(
            _("This Idempotency-Key was already used for a different request.")
        )
    return stored.status_code, stored.response, True
