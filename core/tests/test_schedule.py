"""The daily schedule: due jobs run once a day, failures are retried a few times, then left."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from core import schedule
from core.models import JobRun

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hhmm: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SHANGHAI)


def test_the_schedule_lists_what_is_installed(settings):
    settings.BACKUP_DIR = ""
    names = [job.name for job in schedule.jobs()]
    assert "verify_ledger" in names and "snapshot_balances" in names
    assert "backup" not in names  # no BACKUP_DIR: no scheduled backup
    settings.BACKUP_DIR = "/srv/backups"
    assert "backup" in [job.name for job in schedule.jobs()]


def test_jobs_fall_due_at_their_local_time_and_monthly_ones_on_their_day():
    early = {job.name for job in schedule.due(at("2026-11-23", "00:45"))}
    assert "verify_ledger" not in early and "snapshot_balances" not in early
    late = {job.name for job in schedule.due(at("2026-11-23", "03:05"))}
    assert "verify_ledger" in late and "snapshot_balances" not in late
    first = {job.name for job in schedule.due(at("2026-12-01", "00:31"))}
    assert "snapshot_balances" in first
    # 16:05 UTC on 30 November is already 1 December in Shanghai.
    utc = datetime.datetime(2026, 11, 30, 16, 35, tzinfo=datetime.UTC)
    assert "snapshot_balances" in {job.name for job in schedule.due(utc)}


def test_a_due_job_runs_once_a_day(db, monkeypatch):
    job = schedule.Job("verify_ledger", datetime.time(3, 0), "verify_ledger")
    monkeypatch.setattr(schedule, "jobs", lambda: [job])
    runs = schedule.run_due(at("2026-11-23", "03:01"))
    assert [(run.job, run.ok, run.attempts) for run in runs] == [("verify_ledger", True, 1)]
    assert schedule.run_due(at("2026-11-23", "09:00")) == []
    assert len(schedule.run_due(at("2026-11-24", "03:00"))) == 1
    assert JobRun.objects.count() == 2


def test_a_failing_job_is_retried_then_left_for_the_day(db, monkeypatch):
    broken = schedule.Job("broken", datetime.time(0, 0), "verify_ledger", args=("--village", "0"))
    monkeypatch.setattr(schedule, "jobs", lambda: [broken])
    for attempt in range(1, schedule.MAX_ATTEMPTS + 1):
        (run,) = schedule.run_due(at("2026-11-23", f"0{attempt}:00"))
        assert run.ok is False and run.attempts == attempt
        assert "No unit with id 0" in run.output
    assert schedule.run_due(at("2026-11-23", "09:00")) == []


@pytest.mark.django_db(transaction=True)  # a backup reads committed data, as at night
def test_the_nightly_backup_writes_its_dated_file(settings, tmp_path, monkeypatch):
    settings.BACKUP_DIR = str(tmp_path)
    every = schedule.jobs
    monkeypatch.setattr(schedule, "jobs", lambda: [j for j in every() if j.name == "backup"])
    (run,) = schedule.run_due(at("2026-11-23", "02:31"))
    assert run.ok, run.output
    assert (tmp_path / "xiangzhi-2026-11-23.backup").stat().st_size > 0


@pytest.mark.django_db
def test_the_command_lists_and_runs():
    out = io.StringIO()
    call_command("schedule", "--list", stdout=out)
    assert "03:00  verify_ledger" in out.getvalue()
