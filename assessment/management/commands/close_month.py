"""manage.py close_month 2026-10 [--township 达依乡 ...] [--publish --authority "…"] | --queued"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import ServiceError
from places.models import Unit

from ... import close, jobs, publication


def _bar(out):
    def show(label: str, percent: int) -> None:
        filled = percent * 30 // 100
        out.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {percent:3d}% {_(label)}\033[K")
        if percent == 100:
            out.write("\n")
        out.flush()

    return show


class Command(BaseCommand):
    help = "Compute a month's assessment (scores, averages, lists, cases); optionally publish it."

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="YYYY-MM")
        parser.add_argument(
            "--township", action="append", default=[], help="name or id; all when omitted"
        )
        parser.add_argument("--publish", action="store_true", help="publish after computing")
        parser.add_argument("--authority", default="", help="on whose authority (with --publish)")
        parser.add_argument(
            "--queued", action="store_true", help="compute the closes queued from the page"
        )

    def handle(
        self, *args, month=None, township=(), publish=False, authority="", queued=False, **_o
    ):
        if queued:
            done = jobs.run_queued()
            self.stdout.write(f"{len(done)} queued close(s) computed")
            return
        if not month:
            raise CommandError("Give the month (YYYY-MM) or --queued.")
        townships = self._townships(township)
        progress = _bar(sys.stderr) if sys.stderr.isatty() else None
        requested = []
        for unit in townships:  # all queued first: a refused township computes nothing
            try:
                requested.append(close.request(unit, month))
            except ServiceError as error:
                raise CommandError(f"{unit.name}: {error.message}") from None
        computed = close.compute_many(requested, progress)  # one run for all of them
        busy = {t.pk for t in townships} - {result.township_id for result in computed}
        for result in computed:
            if publish:
                try:
                    result = publication.publish(result, user=None, authority=authority)
                except ServiceError as error:
                    raise CommandError(f"{result.township.name}: {error.message}") from None
            lists = result.rankings.exclude(on_list="").count()
            self.stdout.write(
                f"{result.township.name} {result.month:%Y-%m}: {result.get_state_display()} · "
                f"{result.scores.count()} scores · {result.lines.count()} lines · "
                f"{lists} listed · {result.cases.count()} cases"
                + (f" · {result.content_hash[:12]}" if result.content_hash else "")
            )
        if busy:
            names = ", ".join(t.name for t in townships if t.pk in busy)
            raise CommandError(f"Being computed by another run, left out: {names}")

    def _townships(self, wanted):
        townships = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("path")
        if not wanted:
            return list(townships)
        chosen = []
        for value in wanted:
            match = (
                townships.filter(pk=int(value)) if value.isdigit() else townships.filter(name=value)
            )
            if not match:
                raise CommandError(f"No township “{value}”.")
            chosen.extend(match)
        return chosen
