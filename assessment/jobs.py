"""The month close as a background job: closes queued from the page, computed by the worker.

The scheduler process (`manage.py schedule --loop`) calls `run_queued` on every pass; so does
`manage.py close_month --queued`; the queued closes of a month are computed together in one
run. Each close is claimed by a compare-and-set on its state, so two workers never compute the
same one.
"""

import logging
import threading

from django.conf import settings
from django.db import connections

from core import audit
from core.errors import ServiceError

from . import close
from .models import Close

log = logging.getLogger(__name__)


def queue(township, month, user) -> Close:
    """Queue a month's close for the user (recorded) and start computing it."""
    item = close.request(township, month, user)
    audit.record(actor=user, action="queue", obj=item, reason=f"{item.month:%Y-%m}")
    start_in_background(item.pk)
    return item


def _compute(item: Close) -> Close | None:
    """Compute a queued close; a refusal or failure is logged (compute records it on the close)."""
    try:
        return close.compute(item)
    except ServiceError as error:  # claimed elsewhere, or published meanwhile
        log.info("close %s skipped: %s", item.pk, error.message)
    except Exception as error:  # noqa: BLE001 (recorded on the close; the rest go on)
        log.error("close %s failed: %s", item.pk, error)
    return None


def run_queued(limit: int = 200) -> list[Close]:
    """Compute the queued closes, those of a month together in one run."""
    queued = Close.objects.filter(state=Close.State.QUEUED).select_related("township")[:limit]
    by_month: dict = {}
    for item in queued:
        by_month.setdefault(item.month, []).append(item)
    done = []
    for month in sorted(by_month):
        try:
            done.extend(close.compute_many(by_month[month]))
        except Exception as error:  # noqa: BLE001 (recorded on the closes; other months go on)
            log.error("closes of %s failed: %s", f"{month:%Y-%m}", error)
    return done


def start_in_background(close_id: int) -> None:
    """Compute a queued close in a thread of this process, when ASSESSMENT_RUN_IN_WEB is on.

    The page's way to run the job without waiting for the scheduler's next pass; the claim
    (compare-and-set) keeps the scheduler from computing it a second time. Off in tests, where
    the test's own transaction would hide the data from the thread's connection.
    """
    if not getattr(settings, "ASSESSMENT_RUN_IN_WEB", True):
        return
    thread = threading.Thread(target=_run_one, args=(close_id,), daemon=True, name="close")
    thread.start()


def _run_one(close_id: int) -> None:
    try:
        item = Close.objects.select_related("township").filter(pk=close_id).first()
        if item is not None and item.state == Close.State.QUEUED:
            _compute(item)
    finally:
        connections.close_all()
