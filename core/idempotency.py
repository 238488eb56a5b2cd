"""Idempotent requests (Stripe's model): a retried request with the same key changes nothing.

The client sends a unique `Idempotency-Key` per action and keeps it across retries. The first
response (status and body) is stored under (user, key) in the same transaction as the effect,
so a key exists exactly when its effect does. A retry gets the stored response; the same key
with a different request is refused with 422. A retry that arrives while the first request is
still running waits on the key's unique index (PostgreSQL) or on the write lock (SQLite,
BEGIN IMMEDIATE) and then gets the stored response; it never runs the effect twice.
Keys are kept for at least KEEP (24 hours); `purge_expired` removes older ones.
"""

import datetime
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ServiceError
from .models import IdempotencyKey

KEEP = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 100


class KeyReused(ServiceError):
    code = "idempotency_key_reused"
    status = 422


def fingerprint(*parts) -> str:
    """A stable hash of what identifies the request (method, path, body)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_once(
    *, user, key: str, request_fingerprint: str, handler: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run `handler` once per (user, key); returns (status, body, replayed).

    `handler` performs the effect and returns (status, JSON-ready body). If it raises, nothing
    is stored and a retry runs it again. 5xx answers are not stored either.
    """
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ServiceError(
            _("The Idempotency-Key must be 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH},
            code="idempotency_key_invalid",
        )
    try:
        with transaction.atomic():
            stored = _stored(user, key)
            if stored is not None:
                return _replay(stored, request_fingerprint)
            status, body = handler()
            if status < 500:
                IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=request_fingerprint,
                    status_code=status,
                    response=body,
                )
    except IntegrityError:
        stored = _stored(user, key)
        if stored is None:
            raise
        return _replay(stored, request_fingerprint)
    return status, body, False


def _stored(user, key):
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def _replay(stored: IdempotencyKey, request_fingerprint: str) -> tuple[int, dict, bool]:
    if stored.fingerprint != request_fingerprint:
        raise KeyReused(_("This Idempotency-Key was already used for a different request."))
    return stored.status_code, stored.response, True


def purge_expired(now=None) -> int:
    """Delete keys older than KEEP; returns how many."""
    now = now or timezone.now()
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted
