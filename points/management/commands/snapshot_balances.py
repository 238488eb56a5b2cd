"""manage.py snapshot_balances [YYYY-MM]: record every household's balance for a month.

Run it at the start of each month (cron) for the month just closed; balances are then served as
the snapshot plus the entries appended since. Safe to run twice: a village's month is recorded
once.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from places.models import Unit
from points import services
from points.models import ChainHead


class Command(BaseCommand):
    help = "Snapshot every household's points balance for a month (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="YYYY-MM (default: the previous month)")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                day = datetime.datetime.strptime(month, "%Y-%m").date()
            except ValueError as exc:
                raise CommandError(f"Month must look like 2026-10, not {month!r}.") from exc
        else:
            day = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        villages = Unit.objects.filter(pk__in=ChainHead.objects.values("village_id")).order_by(
            "path"
        )
        total = 0
        for village in villages:
            total += services.snapshot_balances(month=day, village=village)
        self.stdout.write(
            f"{day:%Y-%m}: {total} household balances recorded in {len(villages)} villages."
        )
