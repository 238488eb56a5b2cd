"""The daily schedule: which management commands run when, each at most once a day.

`manage.py schedule` runs what is due now; `--loop` keeps doing so (the scheduler process of a
deployment, next to gunicorn and `deliver --loop`). A job's day is claimed by inserting its
JobRun row first, so two schedulers never run it twice; a failed run is tried again on the next
pass, up to MAX_ATTEMPTS. Times are local (Asia/Shanghai). Commands that are not installed are
left out, so the schedule grows with the apps.
"""

import datetime
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
OUTPUT_KEPT = 4000  # characters of a run's output kept on its row


@dataclass(frozen=True)
class Job:
    name: str
    at: datetime.time
    command: str
    args: tuple = ()
    monthly_on: int | None = None  # only on this day of the month
    needs_setting: str | None = None  # only when this setting is non-empty
    extra: dict = field(default_factory=dict)

    def arguments(self, day: datetime.date) -> list[str]:
        return [arg.format(day=day, **self.extra) for arg in self.args]


def jobs() -> list[Job]:
    """The schedule, with what this installation has (commands present, settings given)."""
    candidates = [
        Job("settle_star_postings", datetime.time(0, 10), "settle_star_postings"),
        Job("snapshot_balances", datetime.time(0, 30), "snapshot_balances", monthly_on=1),
        Job("escalate", datetime.time(1, 0), "escalate"),
        Job(
            "backup",
            datetime.time(2, 30),
            "backup",
            args=("{backup_dir}/xiangzhi-{day:%Y-%m-%d}.backup",),
            needs_setting="BACKUP_DIR",
            extra={"backup_dir": getattr(settings, "BACKUP_DIR", "").rstrip("/")},
        ),
        Job("verify_ledger", datetime.time(3, 0), "verify_ledger"),
    ]
    installed = get_commands()
    return [
        job
        for job in candidates
        if job.command in installed
        and (job.needs_setting is None or getattr(settings, job.needs_setting, ""))
    ]


# Work queued from pages, taken on every pass of the scheduler (dotted paths of functions that
# take no argument and return what they did); those of apps not installed are left out.
QUEUES = ["assessment.jobs.run_queued"]


def run_queues() -> list:
    from django.apps import apps
    from django.utils.module_loading import import_string

    done = []
    for dotted in QUEUES:
        if apps.is_installed(dotted.split(".")[0]):
            done.extend(import_string(dotted)())
    return done


def due(now: datetime.datetime) -> list[Job]:
    local = timezone.localtime(now)
    day, time = local.date(), local.time()
    return [
        job
        for job in jobs()
        if time >= job.at and (job.monthly_on is None or day.day == job.monthly_on)
    ]


def _claim(job: Job, day: datetime.date, now) -> JobRun | None:
    """This day's run of `job` if it is ours to do: new, or failed with attempts left."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job.name, day=day, attempts=1, started_at=now)
    except IntegrityError:
        pass
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(job=job.name, day=day)
        if run.ok is not False or run.attempts >= MAX_ATTEMPTS:
            return None  # done, running elsewhere, or given up for today
        run.attempts += 1
        run.started_at, run.finished_at, run.ok = now, None, None
        run.save(update_fields=["attempts", "started_at", "finished_at", "ok"])
        return run


def run_due(now: datetime.datetime | None = None) -> list[JobRun]:
    """Run every job due at `now` that has not run today; returns the runs made."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    made = []
    for job in due(now):
        run = _claim(job, day, now)
        if run is None:
            continue
        out = io.StringIO()
        try:
            call_command(job.command, *job.arguments(day), stdout=out, stderr=out)
        except Exception as error:  # noqa: BLE001 (a job's failure is recorded, the rest go on)
            run.ok = False
            out.write(f"\n{type(error).__name__}: {error}")
            log.error("scheduled job %s failed: %s", job.name, error)
        else:
            run.ok = True
        run.finished_at = timezone.now()
        run.output = out.getvalue()[-OUTPUT_KEPT:]
        run.save(update_fields=["ok", "finished_at", "output"])
        made.append(run)
    return made
