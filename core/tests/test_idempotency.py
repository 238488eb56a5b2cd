"""Idempotency keys: one effect per key, replayed answers, a reused key refused."""

import threading
import time

import pytest
from django.db import connection, connections

from core import idempotency
from core.models import AuditEntry, IdempotencyKey


def _effect(user, label="x"):
    """A real write, so that running twice would show."""

    def handler():
        from core import audit

        entry = audit.record(actor=user, action="create", obj=user, reason=label)
        return 201, {"entry": entry.pk}

    return handler


def test_same_key_runs_once_and_replays(alice):
    first = idempotency.run_once(
        user=alice, key="k1", request_fingerprint="f", handler=_effect(alice)
    )
    again = idempotency.run_once(
        user=alice, key="k1", request_fingerprint="f", handler=_effect(alice)
    )
    assert first[:2] == again[:2] and first[2] is False and again[2] is True
    assert AuditEntry.objects.filter(reason="x").count() == 1


def test_same_key_with_another_request_is_refused(alice):
    idempotency.run_once(user=alice, key="k2", request_fingerprint="a", handler=_effect(alice))
    with pytest.raises(idempotency.KeyReused) as exc:
        idempotency.run_once(user=alice, key="k2", request_fingerprint="b", handler=_effect(alice))
    assert exc.value.status == 422


def test_keys_belong_to_their_user(alice, bob):
    idempotency.run_once(user=alice, key="k3", request_fingerprint="a", handler=_effect(alice))
    _, _, replayed = idempotency.run_once(
        user=bob, key="k3", request_fingerprint="a", handler=_effect(bob)
    )
    assert replayed is False


def test_a_failed_request_stores_nothing_and_may_be_retried(alice):
    def failing():
        _effect(alice, "lost")()
        raise RuntimeError("connection dropped")

    with pytest.raises(RuntimeError):
        idempotency.run_once(user=alice, key="k4", request_fingerprint="a", handler=failing)
    assert not IdempotencyKey.objects.filter(key="k4").exists()
    assert not AuditEntry.objects.filter(reason="lost").exists()
    idempotency.run_once(user=alice, key="k4", request_fingerprint="a", handler=_effect(alice))
    assert IdempotencyKey.objects.filter(key="k4").exists()


def test_expired_keys_are_purged(alice):
    from django.utils import timezone

    idempotency.run_once(user=alice, key="k5", request_fingerprint="a", handler=_effect(alice))
    later = timezone.now() + idempotency.KEEP + idempotency.datetime.timedelta(minutes=1)
    assert idempotency.purge_expired(now=later) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_one_effect(town):
    from people.models import User

    user = User.objects.create_user(username="racer", password="x")
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite is one connection; the PostgreSQL run covers concurrency")
    results, errors = [], []

    def worker():
        try:

            def slow():
                out = _effect(user, "race")()
                time.sleep(0.2)
                return out

            results.append(
                idempotency.run_once(user=user, key="race", request_fingerprint="f", handler=slow)
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEntry.objects.filter(reason="race").count() == 1
    assert sorted(r[2] for r in results) == [False, True, True, True]
