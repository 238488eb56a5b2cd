"""manage.py schedule [--loop] [--list]: run the daily jobs that are due, each once a day."""

import signal
import time

from django.core.management.base import BaseCommand

from core import schedule


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs that are due (settle_star_postings, escalate, snapshot_balances "
        "on the 1st, backup when BACKUP_DIR is set, verify_ledger), each at most once a day, "
        "and the work queued from pages (month closes). --loop keeps going."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (the scheduler)")
        parser.add_argument("--interval", type=int, default=30, help="seconds between passes")
        parser.add_argument(
            "--list", action="store_true", dest="show", help="print the schedule and stop"
        )

    def handle(self, *args, loop=False, interval=30, show=False, **options):
        if show:
            for job in schedule.jobs():
                when = f"day {job.monthly_on} " if job.monthly_on else "daily "
                self.stdout.write(f"{when}{job.at:%H:%M}  {job.command} {' '.join(job.args)}")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            for run in schedule.run_due():
                state = "ok" if run.ok else "FAILED"
                self.stdout.write(f"{run.job} {run.day}: {state} (attempt {run.attempts})")
            for item in schedule.run_queues():
                self.stdout.write(f"queued: {item}")
            if not loop or stopping:
                return
            for _ in range(interval):
                if stopping:
                    return
                time.sleep(1)
