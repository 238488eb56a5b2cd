"""`manage.py settle_star_postings`: ratings whose objection period is over take effect.

Run daily (e.g. 00:30 Asia/Shanghai). Safe to run twice: a rating takes effect once.
"""

from django.core.management.base import BaseCommand

from stars import services


class Command(BaseCommand):
    help = (
        "Put into effect every posted star rating whose objection period is over and that has "
        "no open objection. Idempotent; run daily."
    )

    def handle(self, *args, **options):
        done = services.settle_due()
        self.stdout.write(f"{done} star ratings took effect.")
