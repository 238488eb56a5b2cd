"""`manage.py deliver`: send the due work-group messages (the notify task worker).

One pass by default (for cron / a systemd timer); `--loop` keeps polling every `--interval`
seconds until SIGTERM or SIGINT, finishing the message in hand before it stops.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from notify.jobs import deliver_due


class Command(BaseCommand):
    help = "Send queued work-group robot messages (one pass, or --loop as a worker)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep polling until SIGTERM.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between passes with --loop."
        )
        parser.add_argument("--limit", type=int, default=100, help="Deliveries per pass.")

    def handle(self, *args, loop=False, interval=5.0, limit=100, **options):
        if not loop:
            self._report(deliver_due(limit=limit))
            return
        self.stopping = False
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self.stopping:
                if not connection.in_atomic_block:  # (a test's transaction)
                    close_old_connections()  # a worker lives for days, connections must not
                counts = deliver_due(limit=limit)
                if any(counts.values()):
                    self._report(counts)
                if sum(counts.values()) >= limit:
                    continue  # a full batch: more may be due now
                deadline = time.monotonic() + interval
                while not self.stopping and time.monotonic() < deadline:
                    time.sleep(min(0.2, interval))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("stopped")

    def _stop(self, signum, frame):
        self.stopping = True

    def _report(self, counts):
        self.stdout.write(
            "sent {sent}, retrying {retrying}, dead {dead}".format(
                sent=counts.get("sent", 0),
                retrying=counts.get("retrying", 0),
                dead=counts.get("dead", 0),
            )
        )
